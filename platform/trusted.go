package platform

import (
	"fmt"
	"syscall"
)

// UntrustedLinkError is a symlink on a path the command line names that
// neither root nor the running user owns: whoever owns it could point a
// privileged run anywhere (rsync 3.5 refuses the same symlinks).
type UntrustedLinkError struct {
	Link string // the symlink, as the path reached it
	UID  uint32 // its owner
}

func (e *UntrustedLinkError) Error() string {
	return fmt.Sprintf("refusing to follow symlink %s, owned by uid %d: only root's and the running user's are followed (--insecure-links follows any)", e.Link, e.UID)
}

// Unwrap gives ELOOP, the errno rsync reports for such a path.
func (e *UntrustedLinkError) Unwrap() error { return syscall.ELOOP }
