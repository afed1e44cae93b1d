package executor

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/treesync/treesync/planner"
)

// TestWithTempNameRetries: a taken name (EEXIST) is replaced by a fresh
// one, a few times at most; any other outcome is returned at once.
func TestWithTempNameRetries(t *testing.T) {
	var tried []string
	tmp, err := withTempName(func(tmp string) error {
		tried = append(tried, tmp)
		if len(tried) < 3 {
			return fs.ErrExist
		}
		return nil
	})
	if err != nil || len(tried) != 3 || tmp != tried[2] || !planner.IsTempName(tmp) {
		t.Errorf("got %q, %v after %q", tmp, err, tried)
	}
	if tried[0] == tried[1] || tried[1] == tried[2] {
		t.Errorf("a taken name was tried again: %q", tried)
	}

	calls := 0
	if _, err := withTempName(func(string) error { calls++; return fs.ErrExist }); !errors.Is(err, fs.ErrExist) || calls != 4 {
		t.Errorf("always taken: %v after %d calls, want ErrExist after 4", err, calls)
	}
	other := errors.New("disk on fire")
	calls = 0
	if _, err := withTempName(func(string) error { calls++; return other }); err != other || calls != 1 {
		t.Errorf("other error: %v after %d calls", err, calls)
	}
}
