package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Cursors stores each network's last enqueued ledger durably.
// Every store implements it (store/postgres, store/memory); FileCursors
// serves a scheduler run without a store.
type Cursors interface {
	Cursor(ctx context.Context, network string) (ledger uint64, ok bool, err error)
	// AdvanceCursor moves the cursor forward; a lower value is a no-op.
	AdvanceCursor(ctx context.Context, network string, ledger uint64) error
}

// FileCursors keeps cursors in a small JSON file, rewritten atomically.
type FileCursors struct {
	path string
	mu   sync.Mutex
}

// NewFileCursors uses the file at path (created on first advance).
func NewFileCursors(path string) *FileCursors { return &FileCursors{path: path} }

func (f *FileCursors) load() (map[string]uint64, error) {
	data, err := os.ReadFile(f.path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]uint64{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read cursors %s: %w", f.path, err)
	}
	m := map[string]uint64{}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("read cursors %s: %w", f.path, err)
	}
	return m, nil
}

// Cursor implements Cursors.
func (f *FileCursors) Cursor(_ context.Context, network string) (uint64, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.load()
	if err != nil {
		return 0, false, err
	}
	n, ok := m[network]
	return n, ok, nil
}

// AdvanceCursor implements Cursors.
func (f *FileCursors) AdvanceCursor(_ context.Context, network string, ledger uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.load()
	if err != nil {
		return err
	}
	if cur, ok := m[network]; ok && cur >= ledger {
		return nil
	}
	m[network] = ledger
	data, _ := json.Marshal(m)
	tmp := f.path + ".tmp"
	if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
		return fmt.Errorf("write cursors: %w", err)
	}
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("write cursors: %w", err)
	}
	if err := os.Rename(tmp, f.path); err != nil {
		return fmt.Errorf("write cursors: %w", err)
	}
	return nil
}
