package executor

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"syscall"

	"github.com/treesync/treesync/platform"
)

// openBackupDir creates and opens --backup-dir; a relative one is
// relative to the destination, as in rsync.
func (e *Executor) openBackupDir(dest string) error {
	e.backupFd = -1
	if !e.opts.Backup || e.opts.BackupDir == "" || e.opts.DryRun {
		return nil
	}
	p := e.opts.BackupDir
	if !filepath.IsAbs(p) {
		p = filepath.Join(dest, p)
	}
	if err := os.MkdirAll(p, 0o755); err != nil {
		return fmt.Errorf("backup directory: %w", err)
	}
	fd, err := platform.OpenRoot(p)
	if err != nil {
		return fmt.Errorf("backup directory: %w", err)
	}
	e.backupFd = fd
	return nil
}

// backup keeps the current destination file name (in dirfd, at
// root-relative rel) before it is replaced or deleted: a hard link named
// name+suffix beside it, or at the same relative path under --backup-dir.
// Linking leaves the original in place, so a replacement stays atomic.
func (e *Executor) backup(dirfd int, name, rel string) error {
	if !e.opts.Backup || e.opts.DryRun {
		return nil
	}
	bfd := dirfd
	if e.backupFd >= 0 {
		fd, err := e.fs.MkdirAllBeneath(e.backupFd, path.Dir(rel), 0o755)
		if err != nil {
			return fmt.Errorf("backup directory for %s: %w", rel, err)
		}
		defer platform.Close(fd)
		bfd = fd
	}
	target := name + e.opts.Suffix
	if err := e.fs.Unlinkat(bfd, target); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("replace old backup %s: %w", target, err)
	}
	if err := e.fs.Linkat(dirfd, name, bfd, target); err != nil {
		if errors.Is(err, syscall.EXDEV) {
			return fmt.Errorf("backup of %s: --backup-dir must be on the destination's filesystem: %w", rel, err)
		}
		return fmt.Errorf("backup of %s: %w", rel, err)
	}
	return nil
}

// backupBeside reports backups made beside the files (name~), which
// keep a deleted directory from being removed, as in rsync.
func (e *Executor) backupBeside() bool {
	return e.opts.Backup && e.backupFd < 0 && !e.opts.DryRun
}
