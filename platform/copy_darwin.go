//go:build darwin

package platform

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// reflinkByDescriptor: macOS clones by creating the file (clonefile).
const reflinkByDescriptor = false

// cloneNew creates name as an APFS clone of srcFd with fclonefileat. It
// returns handled false when the caller should create and copy instead.
func (c *Copier) cloneNew(p *pairCaps, srcFd int, st Stat, dstDirfd int, name string, perm uint32) (int, CopyResult, bool, error) {
	if !c.useReflink(p) || st.Size == 0 {
		return -1, CopyResult{}, false, nil
	}
	err := unix.Fclonefileat(srcFd, dstDirfd, name, unix.CLONE_NOFOLLOW)
	if err != nil {
		if c.opts.Reflink == ReflinkAlways {
			return -1, CopyResult{}, true, fmt.Errorf("%w: %w", ErrCannotClone, err)
		}
		if errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.EXDEV) {
			p.reflink.Store(capNo)
		}
		return -1, CopyResult{}, false, nil
	}
	fd, err := retry(func() (int, error) { return openat(dstDirfd, name, unix.O_RDWR|nofollowFlags, 0) })
	if err != nil {
		_ = Unlinkat(dstDirfd, name)
		return -1, CopyResult{}, true, fmt.Errorf("open clone: %w", err)
	}
	if err := Fchmod(fd, perm); err != nil {
		_ = Close(fd)
		_ = Unlinkat(dstDirfd, name)
		return -1, CopyResult{}, true, fmt.Errorf("chmod clone: %w", err)
	}
	p.reflink.Store(capYes)
	return fd, CopyResult{Method: MethodReflink, Bytes: st.Size}, true, nil
}
