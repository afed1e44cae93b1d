package executor

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// closeTempDir closes --temp-dir, if it was opened.
func (e *Executor) closeTempDir() {
	if e.tempFd >= 0 {
		_ = platform.Close(e.tempFd)
		e.tempFd = -1
	}
}

// openTempDir opens --temp-dir (relative to dest when not absolute),
// which must exist (exit 1, as rsync). Copies are renamed from it into
// place where it is on their directory's filesystem, and carried over
// otherwise (carry).
func (e *Executor) openTempDir(dest string, destFd int) error {
	if e.opts.TempDir == "" || e.opts.DryRun || destFd < 0 {
		return nil
	}
	dir := e.opts.TempDir
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(dest, dir)
	}
	fd, err := e.openOperatorDir(dir)
	if ue := new(platform.UntrustedLinkError); errors.As(err, &ue) {
		// rsync fails each file's temporary there (exit 23)
		return &CodedError{Code: ExitPartial, Err: fmt.Errorf("the temp-dir %s cannot be used: %w", dir, err)}
	}
	if err != nil {
		return &CodedError{Code: ExitUsage, Err: fmt.Errorf("the temp-dir %s cannot be used: %w", dir, err)}
	}
	st, err := platform.Fstat(fd)
	if err != nil {
		platform.Close(fd)
		return &CodedError{Code: ExitUsage, Err: fmt.Errorf("the temp-dir %s cannot be used: %w", dir, err)}
	}
	e.tempFd, e.tempDev = fd, st.Dev
	return nil
}

// tempOr is the device of the directory new copies are written in:
// --temp-dir's, or dev (the copier learns what each pair of devices can
// do: a temp dir elsewhere must not teach it about the destination).
func (e *Executor) tempOr(dev uint64) uint64 {
	if e.tempFd >= 0 {
		return e.tempDev
	}
	return dev
}

// carry moves the finished copy p, in --temp-dir on another filesystem
// than d's, into d under a new temporary name, with the attributes meta
// (and the source's xattrs) as writeTemp gave them, so that it is renamed
// into place there; the copy in --temp-dir goes. rsync copies such a file
// to its final name; here the rename keeps the replacement atomic.
func (e *Executor) carry(d *walker.Dir, p pending, meta *planner.Entry, a planner.Action, perm uint32) (pending, error) {
	defer e.fs.Unlinkat(p.dir, p.name)
	in, err := e.fs.OpenFileAt(p.dir, p.name)
	if err != nil {
		return pending{}, fmt.Errorf("open in temp-dir: %w", err)
	}
	defer platform.Close(in)
	st, err := platform.Fstat(in)
	if err != nil {
		return pending{}, fmt.Errorf("stat in temp-dir: %w", err)
	}
	var out int
	tmp, err := withTempName(func(tmp string) (err error) {
		out, _, err = e.fs.CopyToNew(in, st, d.DstFd, tmp, perm, d.DstDev, e.ctx.Done())
		return err
	})
	if err != nil {
		return pending{}, fmt.Errorf("copy from temp-dir: %w", err)
	}
	q := pending{name: tmp, fd: out, dir: -1}
	err = e.setFdMetaCreated(out, meta, e.keptModeOf(a), e.permsIn(d), e.createdPerms(d, perm))
	if err == nil {
		err = e.syncXattrs(sourceOf(d, a), d.DstFd, tmp)
	}
	if err == nil && e.opts.Fsync {
		err = e.fs.Fsync(out)
	}
	if cerr := platform.Close(out); err == nil {
		err = cerr
	}
	if err != nil {
		_ = e.fs.Unlinkat(d.DstFd, tmp)
		return pending{}, err
	}
	return q, nil
}
