package executor

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// sameContent compares the source and destination files of a (-c). A
// destination file the user may not read (another user's) differs, as
// in rsync, whose checksum of it fails quietly: the copy replaces it.
func (e *Executor) sameContent(d *walker.Dir, a planner.Action, src int) (bool, error) {
	if d.DstFd < 0 {
		return false, nil
	}
	dst, err := e.fs.OpenFileAt(d.DstFd, a.Name)
	if errors.Is(err, fs.ErrPermission) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("open destination for checksum: %w", err)
	}
	defer platform.Close(dst)
	same, err := e.cmp.EqualFiles(src, dst, a.Src.Size)
	if err != nil {
		return false, fmt.Errorf("checksum: %w", err)
	}
	return same, nil
}
