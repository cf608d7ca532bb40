package notify

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ozmon/ozmon/internal/textcut"
)

// ErrScriptOutsideDir is wrapped when a script_path resolves, symlinks included, outside the
// operator's script directory (notify.script_dir). It matches ErrRefused too, so import
// refuses such a trigger as it refuses a private destination.
var ErrScriptOutsideDir error = outsideDirError{}

type outsideDirError struct{}

func (outsideDirError) Error() string {
	return "resolves outside the script directory (notify.script_dir)"
}
func (outsideDirError) Is(target error) bool { return target == ErrRefused }

// scriptPathShown bounds how much of a tenant's script_path an error repeats.
const scriptPathShown = 200

// ShortScriptPath is a tenant's script_path cut to a length fit for errors and logs.
func ShortScriptPath(path string) string { return textcut.Prefix(path, scriptPathShown) }

// ScriptFile is a script_path confined to the script directory: Dir is the directory's real
// path and Rel the script's real path inside it.
type scriptFile struct {
	Dir string
	Rel string
}

// resolveScript confines a tenant's script_path to the script directory (ScriptDir, or the
// working directory when none is set, as OpenZeppelin Monitor resolves paths): relative paths
// are taken from it, and the path, with every symlink resolved, must stay inside it. "../",
// absolute paths elsewhere and symlinks pointing out (of the file or of a directory on the
// way) are refused with ErrScriptOutsideDir. Validation and import call it through Check; the
// runner calls it again before every read, because a symlink can change after import.
func (o *options) resolveScript(path string) (scriptFile, error) {
	shown := ShortScriptPath(path)
	base := o.scriptDir
	if base == "" {
		wd, err := os.Getwd()
		if err != nil {
			return scriptFile{}, fmt.Errorf("script_path %q: no script directory: %w", shown, err)
		}
		base = wd
	}
	baseAbs, err := filepath.Abs(base)
	if err != nil {
		return scriptFile{}, fmt.Errorf("script directory %q: %w", base, err)
	}
	baseReal, err := filepath.EvalSymlinks(baseAbs)
	if err != nil {
		return scriptFile{}, fmt.Errorf("script directory %q: %w", base, err)
	}
	p := path
	if !filepath.IsAbs(p) {
		p = filepath.Join(baseAbs, p)
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		// Not found (or unreadable): say so without the resolved path, which may name the
		// operator's layout outside the script directory.
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return scriptFile{}, fmt.Errorf("script_path %q: %w", shown, err)
	}
	rel, err := filepath.Rel(baseReal, real)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return scriptFile{}, fmt.Errorf("script_path %q %w", shown, ErrScriptOutsideDir)
	}
	return scriptFile{Dir: baseReal, Rel: rel}, nil
}

// read reads the script through an os.Root of its directory: were a symlink swapped between
// the containment check and the read, the root still refuses to leave the directory.
func (f scriptFile) read() ([]byte, error) {
	root, err := os.OpenRoot(f.Dir)
	if err != nil {
		return nil, fmt.Errorf("open script directory: %w", err)
	}
	defer root.Close()
	fi, err := root.Stat(f.Rel)
	if err != nil {
		return nil, fmt.Errorf("script %q: %w", f.Rel, err)
	}
	if !fi.Mode().IsRegular() {
		// A FIFO or device would block or never end the read.
		return nil, fmt.Errorf("script %q is not a regular file", f.Rel)
	}
	b, err := root.ReadFile(f.Rel)
	if err != nil {
		return nil, fmt.Errorf("read script %q: %w", f.Rel, err)
	}
	return b, nil
}

// checkScriptPath is the validation-time check of a trigger condition's script_path (Check
// does the same for script triggers). It passes when scripts are disabled: nothing will run.
func checkScriptPath(path string, opts ...Option) error {
	o := newOptions(opts)
	if !o.scripts {
		return nil
	}
	_, err := o.resolveScript(path)
	return err
}
