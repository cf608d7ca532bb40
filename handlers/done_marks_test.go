package handlers

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ozmon/ozmon/store"
)

// writesProgress records each MarkBatchesDone write; the first write
// waits for release, and fail makes writes fail.
type writesProgress struct {
	store.Progress
	release chan struct{}
	mu      sync.Mutex
	writes  [][]store.BatchDone
	fail    error
}

func (p *writesProgress) MarkBatchesDone(_ context.Context, ds []store.BatchDone) error {
	p.mu.Lock()
	first := len(p.writes) == 0
	p.writes = append(p.writes, append([]store.BatchDone(nil), ds...))
	p.mu.Unlock()
	if first {
		<-p.release
	}
	return p.fail
}

func (p *writesProgress) recorded(d store.BatchDone) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, w := range p.writes {
		for _, x := range w {
			if x == d {
				return true
			}
		}
	}
	return false
}

func batchDoneN(i int) store.BatchDone {
	return store.BatchDone{Network: "n", Ledger: uint64(100 + i%3), Batch: store.BatchRef{Queue: "q", TaskID: fmt.Sprint("b", i)}}
}

// While one write is under way, the batches finishing meanwhile wait and
// are written together by the next one; none returns before its record is
// written, and a failed write fails every batch it carried.
func TestDoneMarksGroupWrites(t *testing.T) {
	t.Parallel()
	for _, fail := range []error{nil, errors.New("progress store down")} {
		p := &writesProgress{release: make(chan struct{}), fail: fail}
		m := &doneMarks{progress: p}
		const waiting = 20
		errs := make(chan error, waiting+1)
		mark := func(i int) {
			d := batchDoneN(i)
			err := m.mark(context.Background(), d)
			if !p.recorded(d) {
				err = fmt.Errorf("mark %d returned before its record was written", i)
			}
			errs <- err
		}
		go mark(0)
		for p.writeCount() == 0 {
			time.Sleep(time.Millisecond)
		}
		for i := 1; i <= waiting; i++ {
			go mark(i)
		}
		for m.queued() < waiting {
			time.Sleep(time.Millisecond)
		}
		close(p.release)
		for range waiting + 1 {
			if err := <-errs; !errors.Is(err, fail) {
				t.Fatalf("fail=%v: mark returned %v", fail, err)
			}
		}
		if len(p.writes) != 2 || len(p.writes[0]) != 1 || len(p.writes[1]) != waiting {
			t.Fatalf("fail=%v: writes of %v batches, want 1 then %d", fail, sizes(p.writes), waiting)
		}
		// Idle again: the next mark writes at once, alone.
		if err := m.mark(context.Background(), batchDoneN(99)); !errors.Is(err, fail) || len(p.writes) != 3 || len(p.writes[2]) != 1 {
			t.Fatalf("fail=%v: mark after the group: %v, writes %v", fail, err, sizes(p.writes))
		}
	}
}

func (p *writesProgress) writeCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.writes)
}

func (m *doneMarks) queued() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.queue)
}

func sizes(ws [][]store.BatchDone) []int {
	out := make([]int, len(ws))
	for i, w := range ws {
		out[i] = len(w)
	}
	return out
}
