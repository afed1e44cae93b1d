package executor

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// entryOf is walker.FromStat(name, st) for name in fd (fd itself when
// ""), with what --fake-super kept for it, as the walker lists it.
func (e *Executor) entryOf(fd int, name string, st platform.Stat) planner.Entry {
	ent := walker.FromStat(name, st)
	if e.pol.FakeSuper && (ent.Kind == planner.KindFile || ent.Kind == planner.KindDir) {
		_ = walker.Faked(fd, name, &ent) // (unreadable: the entry as it is)
	}
	return ent
}

// refEntry is entryOf for an entry of a reference directory, with the
// digests of its extended attributes and ACLs where -X or -A compares
// them (as the walker's entries have them).
func (e *Executor) refEntry(fd int, name string, st platform.Stat) planner.Entry {
	ent := e.entryOf(fd, name, st)
	e.addSums(fd, name, &ent, func(v []byte) []byte { return v })
	return ent
}

// addSums gives ent, name inside fd, the digests of its extended
// attributes and ACLs where -X or -A compares them (mapACL: as
// walker.XattrSums).
func (e *Executor) addSums(fd int, name string, ent *planner.Entry, mapACL func([]byte) []byte) {
	if e.pol.Xattrs || e.pol.ACLs {
		if x, acl, err := walker.XattrSums(fd, name, e.pol.XattrKind, e.pol.FakeSuper, mapACL); err == nil {
			ent.SetSums(x, acl)
		}
	}
}

// sourceMeta is the entry of the open source file src (stat st) as the
// walker lists it, --chmod and --chown applied: the attributes its copy
// gets, read from what was copied.
func (e *Executor) sourceMeta(src int, st platform.Stat) planner.Entry {
	ent := e.entryOf(src, "", st)
	e.opts.Transform.Apply(&ent)
	return ent
}

// fakeNormal gives, under --fake-super, the destination file of a,
// found up to date with nothing to change, the real mode that option
// leaves when it has another (FakeRaw), its own kept in
// user.rsync.%stat, as rsync does whenever it sets an entry's
// attributes: not itemized. (A chmod does it where attributes change:
// setPathMeta, applyDirMeta.)
func (e *Executor) fakeNormal(d *walker.Dir, a planner.Action) {
	if old := a.Dst; old == nil || !old.FakeRaw || e.opts.DryRun {
		return
	}
	if err := chmodAt(e.fs, d.DstFd, a.Name, a.Dst.Mode); err != nil {
		e.fail(itemPath(d, a.Name, a.Dst.Kind), fmt.Errorf("keep the mode in %s: %w", walker.FakeStatXattr, err))
	}
}

// fakeSuperFS is fsys under --fake-super, as rsync's: what an ordinary
// user cannot give an entry is kept in walker.FakeStatXattr instead. A
// chown changes no owner; a mode is set with its special bits off and
// the owner's read and write (and a directory's search) on; a symlink,
// device, fifo or socket is made as a regular file (a symlink's holding
// its target). The walker reads it all back (walker.Faked).
type fakeSuperFS struct{ fsys }

func (f fakeSuperFS) Fchown(fd, uid, gid int) error { return f.Lchownat(fd, "", uid, gid) }

func (f fakeSuperFS) Lchownat(dirfd int, name string, uid, gid int) error {
	return f.keep(dirfd, name, func(s *walker.FakeStat) {
		if uid >= 0 {
			s.UID = uint32(uid)
		}
		if gid >= 0 {
			s.GID = uint32(gid)
		}
	})
}

func (f fakeSuperFS) Fchmod(fd int, mode uint32) error { return f.Lchmodat(fd, "", mode) }

func (f fakeSuperFS) Lchmodat(dirfd int, name string, mode uint32) error {
	return f.keep(dirfd, name, func(s *walker.FakeStat) {
		s.Mode = s.Mode&platform.ModeType | mode&platform.ModePerm
	})
}

func (f fakeSuperFS) Symlinkat(target string, dirfd int, name string) error {
	return f.stand(dirfd, name, []byte(target), walker.FakeStat{Mode: platform.ModeSymlink | 0o777})
}

func (f fakeSuperFS) Mknodat(dirfd int, name string, mode uint32, rdev uint64) error {
	return f.stand(dirfd, name, nil, walker.FakeStat{Mode: mode, Rdev: rdev})
}

// stand makes the regular file name in dirfd that stands for the entry s
// describes, holding data, owned by whoever runs treesync.
func (f fakeSuperFS) stand(dirfd int, name string, data []byte, s walker.FakeStat) error {
	fd, err := platform.CreateExcl(dirfd, name, 0o600)
	if err != nil {
		return err
	}
	defer platform.Close(fd)
	st, err := platform.Fstat(fd)
	if err == nil {
		err = platform.WriteAllAt(fd, data, 0)
	}
	if err == nil {
		s.UID, s.GID = st.UID, st.GID
		err = f.settle(fd, "", st, s, nil)
	}
	if err != nil {
		_ = f.fsys.Unlinkat(dirfd, name)
	}
	return err
}

// keep applies change to what is kept of name in dirfd (dirfd itself
// when ""): the kept attributes, else the real ones.
func (f fakeSuperFS) keep(dirfd int, name string, change func(*walker.FakeStat)) error {
	st, err := lstatAt(dirfd, name)
	if err != nil {
		return err
	}
	old, err := platform.GetXattr(dirfd, name, walker.FakeStatXattr)
	if errors.Is(err, fs.ErrPermission) && !st.IsDir() {
		// A file its owner may not read (0200): the listing told, and
		// rsync goes on from its real attributes; what was kept is
		// replaced (or removed) once the new mode lets it be.
		old, err = []byte(unreadKept), nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", walker.FakeStatXattr, err)
	}
	s, ok := walker.ParseFakeStat(old)
	if !ok {
		s = walker.FakeStat{Mode: st.Mode, UID: st.UID, GID: st.GID}
	}
	change(&s)
	return f.settle(dirfd, name, st, s, old)
}

// unreadKept stands for a kept value that could not be read: no
// value is formatted so.
const unreadKept = "?"

// settle gives the entry (stat st, its kept value old) the real mode
// that stands for s, and keeps s in the attribute unless the real entry
// says it all (then the attribute goes).
func (f fakeSuperFS) settle(dirfd int, name string, st platform.Stat, s walker.FakeStat, old []byte) error {
	perm := walker.RealMode(s.Mode, st.IsDir())
	if perm != st.Mode&platform.ModePerm {
		if err := chmodAt(f.fsys, dirfd, name, perm); err != nil {
			return err
		}
	}
	if s.Mode == st.Type()|perm && s.Rdev == 0 && s.UID == st.UID && s.GID == st.GID {
		if old == nil {
			return nil
		}
		return f.fsys.RemoveXattr(dirfd, name, walker.FakeStatXattr)
	}
	v := s.Format()
	if bytes.Equal(v, old) {
		return nil
	}
	return f.fsys.SetXattr(dirfd, name, platform.Xattr{Name: walker.FakeStatXattr, Value: v})
}
