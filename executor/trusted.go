package executor

import "github.com/treesync/treesync/platform"

// openOperatorDir opens a directory the command line names for the run
// to write in or read from (the destination, --backup-dir, --temp-dir,
// a reference tree), following a symlink on its path only when root or
// the running user owns it, as rsync 3.5 does: one planted by another
// user (in a directory they may write, such as their home holding a
// backup root's copy) cannot send a privileged run elsewhere. Under
// --insecure-links any symlink is followed.
func (e *Executor) openOperatorDir(path string) (int, error) {
	if e.opts.InsecureLinks {
		return platform.OpenRoot(path)
	}
	return platform.OpenDirTrusted(path)
}

// checkOperatorPath refuses such a path before anything is made by its
// name (the destination's missing directories, --backup-dir's).
func (e *Executor) checkOperatorPath(path string) error {
	if e.opts.InsecureLinks {
		return nil
	}
	return platform.CheckTrusted(path)
}
