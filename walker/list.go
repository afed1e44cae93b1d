package walker

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strings"
	"syscall"

	"github.com/cespare/xxhash/v2"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
)

// readNames reads the names of one side of d, sorted; a failure is
// reported and returned, but a destination's EBADF, which dstNames
// takes for a directory opened only to search it.
func (w *walk) readNames(d *Dir, fd int, buf []byte, src bool) ([]string, error) {
	names, err := w.names(d, fd, buf, src)
	switch {
	case err == nil:
		return names, nil
	case !src && errors.Is(err, syscall.EBADF):
		return nil, err
	}
	err = fmt.Errorf("readdir %s: %w", displayDir(d.Path), err)
	w.report(d.Path, err)
	return nil, err
}

// ErrUnlisted stands for a destination directory that could be searched
// but not read (opened by platform.OpenDirSearchAt): the names of its
// source counterpart were looked up in it instead, and nothing else in
// it is known (no deletes there).
var ErrUnlisted = errors.New("destination directory cannot be listed (no read permission)")

// dstNames lists d's destination directory; one that could only be
// searched gives the names of the source's listing (src) instead, as
// rsync, which looks up each source name, gives (d.DstBlind).
func (w *walk) dstNames(d *Dir, buf []byte, src []string) ([]string, error) {
	names, err := w.readNames(d, d.DstFd, buf, false)
	if !errors.Is(err, syscall.EBADF) {
		return names, err
	}
	// (a transfer root's one name (Only) is stat-ed, never read; the
	// source's names are shared: neither side's are changed)
	d.DstBlind = true
	return src, ErrUnlisted
}

// stat stats names (of one side of d) relative to fd. An entry that
// vanishes between readdir and stat is reported and left out; any other
// failure is reported, its name returned among the failed, and makes the
// listing partial (its error returned).
func (w *walk) stat(d *Dir, fd int, names []string, src bool) ([]planner.Entry, []string, error) {
	entries := make([]planner.Entry, 0, len(names))
	var failed []string
	var partial error
	for _, name := range names {
		e, err := w.entry(fd, name, src)
		var unread *AttrsUnreadError
		if errors.As(err, &unread) {
			w.report(planner.Join(d.Path, name), fmt.Errorf("stat %s: %w", planner.Join(d.Path, name), err))
			err = nil
		}
		if err == nil && e.Kind == planner.KindSymlink && e.Target() != realSymlink {
			e, err = w.resolveLink(d, fd, e, src)
			if err == nil && e.Followed {
				err = w.attrSums(fd, name, &e, src, true)
			}
		}
		if err != nil && !src && d.DstBlind && errors.Is(err, fs.ErrNotExist) {
			continue // (a source name the directory does not hold)
		}
		if err != nil {
			path := planner.Join(d.Path, name)
			err = fmt.Errorf("stat %s: %w", path, err)
			w.report(path, err)
			if !errors.Is(err, fs.ErrNotExist) {
				partial, failed = err, append(failed, name)
			}
			continue
		}
		if e.Name == "" || (src && w.skipSource(d, &e)) {
			continue
		}
		if src {
			w.opts.Transform.Apply(&e)
		}
		if !src && d.OnlyDst != "" {
			e.Name = name
		}
		entries = append(entries, e)
	}
	return entries, failed, partial
}

// window returns how many of src's and dst's sorted names the next visit
// of a directory takes: all of both when they number at most max, else
// about max of them in name order (one more when the last is on both
// sides: a name is never split between windows).
func window(src, dst []string, max int) (int, int) {
	if len(src)+len(dst) <= max {
		return len(src), len(dst)
	}
	i, j := 0, 0
	for i+j < max && (i < len(src) || j < len(dst)) {
		switch {
		case j == len(dst) || (i < len(src) && src[i] < dst[j]):
			i++
		case i == len(src) || dst[j] < src[i]:
			j++
		default:
			i, j = i+1, j+1
		}
	}
	return i, j
}

// names lists fd, restricted to the one name of a top pseudo-directory.
func (w *walk) names(d *Dir, fd int, buf []byte, src bool) ([]string, error) {
	if d.Only == "" {
		return platform.ReadDirNames(fd, buf)
	}
	name := d.Only
	if !src {
		name = d.OnlyDst
	}
	if _, err := platform.Lstatat(fd, name); errors.Is(err, fs.ErrNotExist) && !src {
		return nil, nil
	}
	return []string{name}, nil
}

// skipSource leaves out the destination when it lies inside the source,
// renames the top entry, and marks mount points under -x.
func (w *walk) skipSource(d *Dir, e *planner.Entry) bool {
	if x := w.opts.Exclude; x != nil && e.Kind == planner.KindDir && e.Dev == x[0] && e.Ino == x[1] {
		return true
	}
	if d.OnlyDst != "" {
		e.Name = d.OnlyDst
	}
	return false
}

// entry stats name (on the source side when src) and reads its link
// target.
func (w *walk) entry(fd int, name string, src bool) (planner.Entry, error) {
	st, err := platform.Lstatat(fd, name)
	if err != nil {
		return planner.Entry{}, err
	}
	e := FromStat(name, st)
	if w.opts.FakeSuper && !src && e.Kind == planner.KindSymlink {
		e.SetTarget(realSymlink)
	}
	if w.opts.CopyDevices && src && e.Kind.IsDevice() {
		if err := asFile(fd, name, &e); err != nil {
			return planner.Entry{}, err
		}
	}
	var unread error
	if w.opts.FakeSuper && (e.Kind == planner.KindFile || e.Kind == planner.KindDir) {
		err := Faked(fd, name, &e)
		switch {
		case errors.Is(err, fs.ErrPermission) && !src:
			unread = &AttrsUnreadError{err} // (rsync's receiver reports it and takes the entry as it is)
		case errors.Is(err, fs.ErrPermission):
			// (the source file cannot be read either: its copy fails and tells)
		case err != nil:
			return planner.Entry{}, err
		}
	}
	if e.Kind == planner.KindSymlink && e.Target() == "" {
		target, err := platform.Readlinkat(fd, name)
		if err != nil {
			return planner.Entry{}, err
		}
		e.SetTarget(target)
	}
	if err := w.attrSums(fd, name, &e, src, false); err != nil {
		return planner.Entry{}, err
	}
	return e, unread
}

// attrSums gives e (name inside fd) the digests of its extended
// attributes and ACLs where -X or -A compares them; follow reads name, a
// symlink, as one followed (FollowedXattrs).
func (w *walk) attrSums(fd int, name string, e *planner.Entry, src, follow bool) error {
	if w.opts.Xattrs == nil {
		return nil
	}
	mapACL := func(v []byte) []byte { return v }
	if src {
		mapACL = w.opts.Transform.ACL
	}
	list := platform.ListXattrs
	if follow {
		list = FollowedXattrs
	}
	xs, err := list(fd, name)
	if err != nil {
		return fmt.Errorf("list xattrs: %w", err)
	}
	e.SetSums(XattrSumsOf(xs, w.opts.Xattrs, w.opts.FakeSuper, mapACL))
	return nil
}

// FollowedXattrs returns the extended attributes rsync 3.5 copies for
// the symlink name inside fd where it follows it (-L, -k and the like):
// the ACLs of what it points to, the other attributes of the link itself
// (README: Differences from rsync).
func FollowedXattrs(fd int, name string) ([]platform.Xattr, error) {
	own, err := platform.ListXattrs(fd, name)
	if err != nil {
		return nil, err
	}
	target, err := platform.ListXattrsFollow(fd, name)
	if err != nil {
		return nil, err
	}
	isACL := func(x platform.Xattr) bool { return x.Name == planner.ACLAccess || x.Name == planner.ACLDefault }
	xs := append(slices.DeleteFunc(own, isACL), slices.DeleteFunc(target, func(x platform.Xattr) bool { return !isACL(x) })...)
	slices.SortFunc(xs, func(a, b platform.Xattr) int { return strings.Compare(a.Name, b.Name) })
	return xs, nil
}

// AttrsUnreadError is what is reported for a destination file listed
// as it stands where --fake-super's attributes of it may not be read: the
// listing is still whole (deletions go on).
type AttrsUnreadError struct{ Err error }

func (e *AttrsUnreadError) Error() string { return e.Err.Error() }
func (e *AttrsUnreadError) Unwrap() error { return e.Err }

// XattrSums digests the selected extended attributes of name inside fd:
// one sum for ACLs (an access ACL by what it holds beyond the mode,
// planner.ACLBeyondMode), one for the rest. Zero means none. fake reads them as
// --fake-super stores them (FakedXattrs); mapACL maps the ids in ACLs
// (planner.Transform.ACL).
func XattrSums(fd int, name string, kind func(string) (keep, acl bool), fake bool, mapACL func([]byte) []byte) (uint64, uint64, error) {
	xs, err := platform.ListXattrs(fd, name)
	if err != nil {
		return 0, 0, fmt.Errorf("list xattrs: %w", err)
	}
	x, acl := XattrSumsOf(xs, kind, fake, mapACL)
	return x, acl, nil
}

// XattrSumsOf is XattrSums of the attributes xs.
func XattrSumsOf(xs []platform.Xattr, kind func(string) (keep, acl bool), fake bool, mapACL func([]byte) []byte) (uint64, uint64) {
	if fake {
		xs = FakedXattrs(xs)
	}
	var xh, ah *xxhash.Digest
	for _, x := range xs {
		keep, acl := kind(x.Name)
		if !keep {
			continue
		}
		if acl {
			x.Value = mapACL(x.Value)
		}
		if x.Name == planner.ACLAccess {
			if x.Value = planner.ACLBeyondMode(x.Value); len(x.Value) == 0 {
				continue
			}
		}
		h := &xh
		if acl {
			h = &ah
		}
		if *h == nil {
			*h = xxhash.New()
		}
		_, _ = (*h).WriteString(x.Name)
		_, _ = (*h).Write([]byte{0})
		_, _ = (*h).Write(x.Value)
		_, _ = (*h).Write([]byte{0})
	}
	return sum(xh), sum(ah)
}

func sum(h *xxhash.Digest) uint64 {
	if h == nil {
		return 0
	}
	return h.Sum64() | 1 // never 0, which means "none"
}

// FromStat converts a stat to a planner entry.
func FromStat(name string, st platform.Stat) planner.Entry {
	e := planner.Entry{
		Name: name, Kind: kindOf(st.Type()), Mode: st.Mode & platform.ModePerm,
		Size: st.Size, Blocks: st.Blocks, Mtime: st.Mtime, Atime: st.Atime, Ctime: st.Ctime,
		UID: st.UID, GID: st.GID, Dev: st.Dev, Ino: st.Ino,
		Nlink: uint32(min(st.Nlink, math.MaxUint32)),
	}
	if e.Kind.IsDevice() {
		e.SetRdev(st.Rdev) // 0 for other kinds, which rsync does not compare
	}
	return e
}

// typeBits maps each kind to its st_mode file-type bits; kindOf and
// TypeBits read it both ways.
var typeBits = [...]uint32{
	planner.KindFile: platform.ModeRegular, planner.KindDir: platform.ModeDir,
	planner.KindSymlink: platform.ModeSymlink, planner.KindFIFO: platform.ModeFIFO,
	planner.KindSocket: platform.ModeSocket, planner.KindChar: platform.ModeChar,
	planner.KindBlock: platform.ModeBlock,
}

func kindOf(t uint32) planner.Kind {
	for k, bits := range typeBits {
		if bits == t {
			return planner.Kind(k)
		}
	}
	return planner.KindFile
}

// TypeBits returns the st_mode file-type bits of kind k (mknod's mode).
func TypeBits(k planner.Kind) uint32 { return typeBits[k] }

func displayDir(path string) string {
	if path == "" {
		return "."
	}
	return path
}

// resolveLink applies -L, --copy-unsafe-links, --safe-links, -k (source)
// and -K (destination) to a symlink entry. An entry returned with an
// empty name is left out.
func (w *walk) resolveLink(d *Dir, fd int, e planner.Entry, src bool) (planner.Entry, error) {
	follow, dirsOnly, unsafe := false, !src, false
	switch {
	case !src:
		follow = w.opts.KeepDirlinks || (w.opts.FollowDst != nil && w.opts.FollowDst(planner.Join(d.Path, e.Name)))
	case w.opts.Links == LinksFollow:
		follow = true
	case (w.opts.Links == LinksUnsafe || w.opts.SkipUnsafe) && planner.UnsafeLink(d.Path, e.Target()):
		follow, unsafe = w.opts.Links == LinksUnsafe, w.opts.Links != LinksUnsafe
	}
	if src && !follow && w.opts.CopyDirlinks {
		follow, dirsOnly = true, true // (and -k wins over --safe-links, as in rsync)
	}
	if !follow && unsafe {
		e.Unsafe = true // rsync's "ignoring unsafe symlink"
		return e, nil
	}
	if !follow {
		return e, nil
	}
	t, err := w.followLink(fd, e, dirsOnly, unsafe)
	if !src && t.Followed {
		t.SetLink(&e) // should the planner take it as the link it is (asLink)
	}
	return t, err
}

// followLink returns what the link e (in fd) points to, or, where only
// links to directories are followed (dirsOnly), e itself when it points
// elsewhere — e marked Unsafe when it is an unsafe link --safe-links
// leaves out.
func (w *walk) followLink(fd int, e planner.Entry, dirsOnly, unsafe bool) (planner.Entry, error) {
	st, err := platform.Statat(fd, e.Name)
	switch {
	case (err != nil || !st.IsDir()) && unsafe:
		e.Unsafe = true
		return e, nil
	case err != nil:
		// A dangling link stays a link where only links to directories
		// are followed; else one in the source is an error if the filter
		// rules keep it, which the planner knows.
		e.Dangling = !dirsOnly
		return e, nil
	case dirsOnly && !st.IsDir():
		return e, nil
	}
	t := FromStat(e.Name, st)
	t.Followed = true
	return t, nil
}

// deviceSizes gives each destination device of dst whose source in src
// is a regular file the device's size (--write-devices); both are sorted
// by name. A device that cannot be opened or has no end (a terminal)
// keeps size 0: writing to it reports what is wrong.
func deviceSizes(fd int, src, dst []planner.Entry) {
	i := 0
	for k := range dst {
		e := &dst[k]
		for i < len(src) && src[i].Name < e.Name {
			i++
		}
		if !e.Kind.IsDevice() || i == len(src) || src[i].Name != e.Name || src[i].Kind != planner.KindFile {
			continue
		}
		dev, err := platform.OpenFileAt(fd, e.Name)
		if err != nil {
			continue
		}
		if size, err := platform.SeekSize(dev); err == nil {
			e.Size = size
		}
		platform.Close(dev)
	}
}

// asFile makes the device e, name in fd, a regular file of the device's
// size (--copy-devices), as rsync lists it.
func asFile(fd int, name string, e *planner.Entry) error {
	dev, err := platform.OpenFileAt(fd, name)
	if err != nil {
		return fmt.Errorf("open device: %w", err)
	}
	defer platform.Close(dev)
	size, err := platform.SeekSize(dev)
	if err != nil {
		return fmt.Errorf("size of device: %w", err)
	}
	e.Kind, e.Size, e.Blocks = planner.KindFile, size, (size+511)/512
	return nil
}
