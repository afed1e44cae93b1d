package executor

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// backupRoot is --backup-dir, made and opened at the first backup (as
// rsync does: a run that replaces and deletes nothing leaves no trace).
type backupRoot struct {
	mu   sync.Mutex
	path string // "" without --backup-dir
	fd   int    // -1 until opened
	err  error
}

// setBackupDir notes where --backup-dir is; a relative one is relative
// to the destination, as in rsync.
// Under -vv or --info=backup it says so first, as rsync does: "backup_dir
// is DIR", "(new) " before it when DIR is not there yet. One that is
// there but not a directory stops the run before anything is replaced,
// with rsync's exit 11.
func (e *Executor) setBackupDir(dest string) error {
	e.backupRoot.fd = -1
	if !e.opts.Backup || e.opts.BackupDir == "" {
		return nil
	}
	dir := e.opts.BackupDir
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(dest, dir)
	}
	st, err := platform.Statat(platform.CurrentDir, dir)
	if (err == nil && !st.IsDir()) || (err != nil && !errors.Is(err, fs.ErrNotExist)) {
		if err == nil {
			err = syscall.ENOTDIR
		}
		return &CodedError{Code: ExitFileIO, Err: fmt.Errorf("backup directory %s: %w", dir, err)}
	}
	if e.opts.BackupNotes {
		fresh := ""
		if err != nil {
			fresh = "(new) "
		}
		e.say("%sbackup_dir is %s", fresh, e.escape(strings.TrimSuffix(e.opts.BackupDir, "/")))
	}
	if !e.opts.DryRun {
		e.backupRoot.path = dir
	}
	return nil
}

// openBackupRoot returns --backup-dir open, making it the first time.
func (e *Executor) openBackupRoot() (int, error) {
	r := &e.backupRoot
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fd < 0 && r.err == nil {
		if r.err = e.checkOperatorPath(r.path); r.err == nil {
			r.err = os.MkdirAll(r.path, 0o777) // (less the umask, as rsync makes it)
		}
		if r.err == nil {
			r.fd, r.err = e.openOperatorDir(r.path)
		}
		if r.err != nil {
			// no backup can be made: the run stops, as rsync's (exit 11)
			r.err = fmt.Errorf("backup directory: %w", r.err)
			e.fatal("", &CodedError{Code: ExitFileIO, Err: r.err})
		}
	}
	return r.fd, r.err
}

func (e *Executor) closeBackupRoot() {
	if e.backupRoot.fd >= 0 {
		platform.Close(e.backupRoot.fd)
	}
}

// backup keeps the current destination file name (in dirfd, at
// root-relative rel; d is the walked directory it is in or below, else
// nil) before it is replaced or deleted: a hard link named name+suffix
// beside it, or at the same relative path under --backup-dir. Linking
// leaves the original in place, so a replacement stays atomic. Another
// user's file the kernel will not link (fs.protected_hardlinks) is moved
// instead, as rsync moves every backup: moved reports name gone.
func (e *Executor) backup(d *walker.Dir, dirfd int, name, rel string) (moved bool, err error) {
	return e.backupAs(d, dirfd, name, rel, false)
}

// moveToBackup is backup for a file to be deleted: moved there in one
// step, so that a file that cannot be deleted (a directory its user may
// not write) is not backed up either (a link made first stayed beside
// it, in place of the older backup: seed 60390 as uid 65534).
func (e *Executor) moveToBackup(d *walker.Dir, dirfd int, name, rel string) (moved bool, err error) {
	return e.backupAs(d, dirfd, name, rel, true)
}

// backupAs is backup, moving the file where move is set.
func (e *Executor) backupAs(d *walker.Dir, dirfd int, name, rel string, move bool) (moved bool, err error) {
	if !e.opts.Backup || e.opts.DryRun {
		return false, nil
	}
	bfd, done, err := e.backupDirFd(d, dirfd, rel)
	if err != nil {
		return false, err
	}
	defer done()
	target := name + e.opts.Suffix
	if move {
		moved, err = true, e.moveOver(dirfd, name, bfd, target)
	} else if err = e.clearBackupName(bfd, target); err != nil {
		return false, err
	} else if err = e.fs.Linkat(dirfd, name, bfd, target); errors.Is(err, syscall.EPERM) {
		moved, err = true, e.fs.Renameat(dirfd, name, bfd, target)
	}
	if err != nil {
		if errors.Is(err, syscall.EXDEV) {
			return false, fmt.Errorf("backup of %s: --backup-dir must be on the destination's filesystem: %w", rel, err)
		}
		return false, fmt.Errorf("backup of %s: %w", rel, err)
	}
	e.noteBackup(rel)
	return moved, nil
}

// moveOver renames name in dirfd to target in bfd, replacing an older
// backup there (the rename replaces a file; a directory is cleared
// first): one that cannot be moved leaves the older backup as it was.
func (e *Executor) moveOver(dirfd int, name string, bfd int, target string) error {
	err := e.fs.Renameat(dirfd, name, bfd, target)
	if errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EEXIST) {
		if err = e.clearBackupName(bfd, target); err == nil {
			err = e.fs.Renameat(dirfd, name, bfd, target)
		}
	}
	return err
}

// clearBackupName makes way for a backup named target in the backup
// directory bfd: an older backup there is replaced, as rsync replaces
// it, also, under --backup-dir, a directory (the backups of a directory's
// files, where a file stands now: gone with all in it, never following a
// symlink). Beside the files, a directory so named is the user's.
func (e *Executor) clearBackupName(bfd int, target string) error {
	err := e.fs.Unlinkat(bfd, target)
	if errors.Is(err, syscall.EISDIR) && e.backupRoot.path != "" {
		err = e.removeStale(bfd, target)
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("replace old backup %s: %w", target, err)
	}
	return nil
}

// noteBackup prints rsync's line for a backup made of the root-relative
// path rel (-vv, --info=backup): "backed up NAME to BACKUP", the backup
// named as --backup-dir was given.
func (e *Executor) noteBackup(rel string) {
	if !e.opts.BackupNotes {
		return
	}
	to := rel + e.opts.Suffix
	if e.opts.BackupDir != "" {
		to = path.Join(e.opts.BackupDir, rel) + e.opts.Suffix
	}
	e.say("backed up %s to %s", e.escape(rel), e.escape(to))
}

// backupDirFd returns the directory a backup of rel (in dirfd, below
// d) goes in: dirfd itself, or its directory under --backup-dir, opened
// until done is called.
func (e *Executor) backupDirFd(d *walker.Dir, dirfd int, rel string) (fd int, done func(), err error) {
	if e.backupRoot.path == "" {
		if e.opts.Suffix == "" {
			// (a backup beside the file under its own name would be the
			// file: never so, whatever the order of the run's steps)
			return -1, nil, fmt.Errorf("backup of %s: no backup directory and no suffix", rel)
		}
		return dirfd, func() {}, nil
	}
	fd, err = e.backupDirFor(path.Dir(rel), d)
	if err != nil {
		return -1, nil, fmt.Errorf("backup directory for %s: %w", rel, err)
	}
	return fd, func() { platform.Close(fd) }, nil
}

// backupCopy keeps a copy of the destination file name (at root-relative
// rel; old is what it is), whose inode --inplace is about to rewrite:
// beside it or under --backup-dir as backup would link it, with its mode
// and times (and owner, as root), written under a temporary name first.
func (e *Executor) backupCopy(d *walker.Dir, name, rel string, old *planner.Entry) error {
	if !e.opts.Backup || e.opts.DryRun {
		return nil
	}
	bfd, done, err := e.backupDirFd(d, d.DstFd, rel)
	if err != nil {
		return err
	}
	defer done()
	src, err := platform.OpenFileAt(d.DstFd, name)
	if err != nil {
		return fmt.Errorf("backup of %s: %w", rel, err)
	}
	defer platform.Close(src)
	st, err := platform.Fstat(src)
	if err == nil {
		st, err = asFileStat(src, st) // (a device --write-devices writes into: its data)
	}
	if err != nil {
		return fmt.Errorf("backup of %s: %w", rel, err)
	}
	var fd int
	tmp, err := withTempName(func(tmp string) (err error) {
		fd, _, err = e.fs.CopyToNew(src, st, bfd, tmp, old.Mode&0o777, d.DstDev, e.ctx.Done())
		return err
	})
	if err != nil {
		return fmt.Errorf("backup of %s: %w", rel, err)
	}
	err = e.keepAttrs(fd, old)
	if err == nil {
		err = e.keepXattrs(src, fd)
	}
	if cerr := platform.Close(fd); err == nil {
		err = cerr
	}
	if err == nil {
		err = e.fs.Renameat(bfd, tmp, bfd, name+e.opts.Suffix)
	}
	if errors.Is(err, syscall.EISDIR) { // (an older backup of a directory: the rename replaces a file itself)
		if err = e.clearBackupName(bfd, name+e.opts.Suffix); err == nil {
			err = e.fs.Renameat(bfd, tmp, bfd, name+e.opts.Suffix)
		}
	}
	if err != nil {
		_ = e.fs.Unlinkat(bfd, tmp)
		return fmt.Errorf("backup of %s: %w", rel, err)
	}
	e.noteBackup(rel)
	return nil
}

// keepAttrs gives a backup copy the owner (as root), mode and times of
// the file it copies.
func (e *Executor) keepAttrs(fd int, old *planner.Entry) error {
	if e.pol.Root {
		if err := e.fs.Fchown(fd, int(old.UID), int(old.GID)); err != nil {
			return err
		}
	}
	if err := e.fs.Fchmod(fd, old.Mode); err != nil {
		return err
	}
	return e.fs.Futimes(fd, old.Atime, old.Mtime)
}

// keepXattrs gives a backup copy (fd) the extended attributes -X
// transfers that the file it copies (src) has, as rsync's backup copy
// keeps them; not its ACLs, which rsync's does not keep either (seed
// 110245: a backup under --inplace -X lost user.a).
func (e *Executor) keepXattrs(src, fd int) error {
	if !e.pol.Xattrs {
		return nil
	}
	xs, err := platform.ListXattrs(src, "")
	if err != nil {
		return fmt.Errorf("read xattrs: %w", err)
	}
	for _, x := range xs {
		if keep, acl := e.pol.XattrKind(x.Name); keep && !acl {
			if err := e.setXattr(fd, "", x); err != nil {
				return err
			}
		}
	}
	return nil
}

// isBackupBeside reports name for a backup made beside the files (by its
// suffix): never deleted (as the planner protects them: ProtectSuffix),
// nor backed up.
func (e *Executor) isBackupBeside(name string) bool {
	s := e.pol.ProtectSuffix
	return s != "" && len(name) > len(s) && strings.HasSuffix(name, s)
}

// backupBeside reports backups made beside the files (name~), which
// keep a deleted directory from being removed, as in rsync.
func (e *Executor) backupBeside() bool {
	return e.opts.Backup && e.opts.BackupDir == "" && !e.opts.DryRun
}

// backupDirFor opens dir (destination-relative) under --backup-dir,
// creating what is missing of it. A directory it creates gets the mode,
// owner and time of the destination directory it stands for, as rsync
// gives it: those this run gives that directory when it is d or one of
// d's parents, else those it has.
func (e *Executor) backupDirFor(dir string, d *walker.Dir) (int, error) {
	root, err := e.openBackupRoot()
	if err != nil {
		return -1, err
	}
	fd, err := platform.ReopenDir(root)
	if err != nil {
		return -1, err
	}
	prefix := ""
	for _, name := range strings.Split(dir, "/") {
		if name == "" || name == "." {
			continue
		}
		prefix = path.Join(prefix, name)
		next, err := e.backupSubdir(fd, name, prefix, d)
		platform.Close(fd)
		if err != nil {
			return -1, err
		}
		fd = next
	}
	return fd, nil
}

// backupSubdir opens name in the backup directory parent, made like the
// destination's directory rel when missing: with its mode where that
// lets the owner fill it (a run cut short before the chmod leaves no
// 0700 directory a later run takes as it is), then its owner, ACLs, mode
// and time. An older backup of a file there is replaced by the
// directory, as rsync replaces it.
func (e *Executor) backupSubdir(parent int, name, rel string, d *walker.Dir) (int, error) {
	want, acls, err := e.destDirMeta(rel, d)
	if err != nil {
		return -1, fmt.Errorf("%s: %w", rel, err)
	}
	mode := uint32(0o700)
	if want.Mode&0o700 == 0o700 {
		mode = want.Mode & 0o777
	}
	err = e.fs.Mkdirat(parent, name, mode)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return -1, err
	}
	fd, openErr := platform.OpenDirAt(parent, name)
	if err != nil && (errors.Is(openErr, syscall.ENOTDIR) || errors.Is(openErr, syscall.ELOOP)) {
		if err := e.fs.Unlinkat(parent, name); err != nil { // (no directory: an older backup)
			return -1, err
		}
		return e.backupSubdir(parent, name, rel, d)
	}
	if err != nil || openErr != nil {
		return fd, openErr // it was there already
	}
	if err := e.likeDestDir(fd, want, acls); err != nil {
		platform.Close(fd)
		return -1, fmt.Errorf("%s: %w", rel, err)
	}
	return fd, nil
}

// likeDestDir gives the open directory fd the owner, ACLs (acls), mode
// and time of a destination directory (want; its xattrs not, as rsync).
func (e *Executor) likeDestDir(fd int, want planner.Entry, acls []platform.Xattr) error {
	if err := e.setACLs(fd, acls); err != nil {
		return err
	}
	if uid, gid, ok := e.owner(&want, nil, planner.ChangeNew); ok { // (under --fake-super, kept in its xattr)
		if err := e.fs.Fchown(fd, uid, gid); err != nil {
			return fmt.Errorf("chown: %w", err)
		}
	}
	mode := want.Mode
	if !e.pol.Perms {
		if st, err := platform.Fstat(fd); err == nil {
			mode |= st.Mode & setgid // what a setgid parent gave it, kept as for any new directory
		}
	}
	if err := e.fs.Fchmod(fd, mode); err != nil {
		return fmt.Errorf("chmod: %w", err)
	}
	if e.pol.Times {
		return e.fs.Futimes(fd, platform.OmitTime, want.Mtime)
	}
	return nil
}

// destDirMeta returns the attributes of the destination directory rel,
// and its ACLs under -A: those the run gives it when it is d or one of
// d's parents (set when its contents are done), else those it has now
// (also when the source has another kind of entry there, which replaces
// it).
func (e *Executor) destDirMeta(rel string, d *walker.Dir) (planner.Entry, []platform.Xattr, error) {
	for a := d; a != nil; a = a.Parent {
		if src := a.Action.Src; a.Path == rel && src != nil && src.Kind == planner.KindDir {
			want := *src
			want.Mode = e.modeFor(src, a.Action.Dst, e.permsAbove(a))
			return want, e.dirACLs(a.SrcFd, e.opts.Transform.ACL), nil
		}
	}
	dfd, err := platform.OpenBeneath(e.rootFd, rel)
	if err != nil {
		return planner.Entry{}, nil, err
	}
	defer platform.Close(dfd)
	st, err := platform.Fstat(dfd)
	if err != nil {
		return planner.Entry{}, nil, fmt.Errorf("stat: %w", err)
	}
	return walker.FromStat(path.Base(rel), st), e.dirACLs(dfd, func(v []byte) []byte { return v }), nil
}

// setACLs gives the open directory fd exactly the ACLs acls under -A:
// one it has and acls lack (inherited from its parent's default ACL) is
// removed.
func (e *Executor) setACLs(fd int, acls []platform.Xattr) error {
	if !e.pol.ACLs {
		return nil
	}
	for _, name := range []string{planner.ACLAccess, planner.ACLDefault} {
		if i := slices.IndexFunc(acls, func(x platform.Xattr) bool { return x.Name == name }); i >= 0 {
			if err := e.setXattr(fd, "", acls[i]); err != nil {
				return err
			}
			continue
		}
		err := e.fs.RemoveXattr(fd, "", name)
		if err != nil && !errors.Is(err, syscall.ENOTSUP) { // (a filesystem without ACLs has none to remove)
			return fmt.Errorf("remove %s: %w", name, err)
		}
	}
	return nil
}

// dirACLs returns the ACLs of the open directory fd under -A, their ids
// mapped by mapACL; none when it cannot be read.
func (e *Executor) dirACLs(fd int, mapACL func([]byte) []byte) []platform.Xattr {
	if !e.pol.ACLs || fd < 0 {
		return nil
	}
	xs, _ := platform.ListXattrs(fd, "")
	var acls []platform.Xattr
	for _, x := range xs {
		if _, acl := e.pol.XattrKind(x.Name); acl {
			acls = append(acls, platform.Xattr{Name: x.Name, Value: mapACL(x.Value)})
		}
	}
	return acls
}
