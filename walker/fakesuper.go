package walker

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
)

// FakeStatXattr is the extended attribute in which --fake-super keeps
// what an entry made by an ordinary user cannot have (rsync's name and
// format): its type (a device, fifo, socket or symlink is kept as a
// regular file), its permission bits, device number, owner and group.
const FakeStatXattr = "user.rsync.%stat"

// FakeStat is what FakeStatXattr holds.
type FakeStat struct {
	Mode     uint32 // st_mode: type and permission bits
	Rdev     uint64
	UID, GID uint32
}

// ParseFakeStat reads FakeStatXattr's value: "MODE MAJOR,MINOR UID:GID",
// the mode in octal with its type bits.
func ParseFakeStat(v []byte) (FakeStat, bool) {
	var s FakeStat
	f := strings.Fields(strings.TrimRight(string(v), "\x00"))
	if len(f) != 3 {
		return s, false
	}
	mode, err1 := strconv.ParseUint(f[0], 8, 32)
	maj, min, ok1 := strings.Cut(f[1], ",")
	uid, gid, ok2 := strings.Cut(f[2], ":")
	nums, err2 := parseUints(maj, min, uid, gid)
	t := uint32(mode) & platform.ModeType
	if err1 != nil || err2 != nil || !ok1 || !ok2 || (kindOf(t) == planner.KindFile && t != platform.ModeRegular) {
		return s, false // (an unknown type)
	}
	s.Mode, s.Rdev, s.UID, s.GID = uint32(mode), platform.Mkdev(nums[0], nums[1]), nums[2], nums[3]
	return s, true
}

func parseUints(ss ...string) ([]uint32, error) {
	out := make([]uint32, len(ss))
	for i, s := range ss {
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return nil, err
		}
		out[i] = uint32(n)
	}
	return out, nil
}

// Format writes s as FakeStatXattr holds it.
func (s FakeStat) Format() []byte {
	maj, min := platform.DevNumbers(s.Rdev)
	return fmt.Appendf(nil, "%o %d,%d %d:%d", s.Mode, maj, min, s.UID, s.GID)
}

// RealMode is the real mode --fake-super gives an entry to stand for the
// permission bits mode (kept in FakeStatXattr when they differ): no
// special bits, the owner's read and write on, and a directory's search.
func RealMode(mode uint32, dir bool) uint32 {
	perm := mode&0o777 | 0o600
	if dir {
		perm |= 0o700
	}
	return perm
}

// realSymlink is the target a real symlink at the destination gets under
// --fake-super, where rsync reads a symlink from a file that holds it:
// none can match it, so the link is made again (as a file), as rsync
// does. (A NUL is in no real target.)
const realSymlink = "\x00a real symlink"

// Faked gives e, a file or directory made by an lstat of name inside fd
// (fd itself when name is ""), the attributes --fake-super kept for it,
// if any: a regular file kept for a device, fifo, socket or symlink
// becomes one (a symlink's target is the file's content), with its mode,
// owner, group and device number. FakeRaw says whether its real mode is
// one --fake-super would leave. A file whose attributes may not be read
// (EACCES) is left as it is, with the error; a directory's is not told
// (entering it fails and tells).
func Faked(fd int, name string, e *planner.Entry) error {
	e.FakeRaw = e.Mode != RealMode(e.Mode, e.Kind == planner.KindDir)
	v, err := platform.GetXattr(fd, name, FakeStatXattr)
	switch {
	case errors.Is(err, fs.ErrPermission) && e.Kind == planner.KindDir:
		return nil
	case err != nil:
		return fmt.Errorf("read %s: %w", FakeStatXattr, err)
	case v == nil:
		return nil
	}
	s, ok := ParseFakeStat(v)
	if !ok {
		return nil // not rsync's: left as it is
	}
	kind := kindOf(s.Mode & platform.ModeType)
	if e.Kind == planner.KindFile && kind != planner.KindDir {
		e.Kind = kind
	}
	e.Mode, e.UID, e.GID = s.Mode&platform.ModePerm, s.UID, s.GID
	if e.Kind.IsDevice() {
		e.SetRdev(s.Rdev)
	}
	if e.Kind == planner.KindSymlink && name != "" {
		target, err := platform.ReadFileAt(fd, name)
		if err != nil {
			return fmt.Errorf("read the symlink kept as a file: %w", err)
		}
		e.SetTarget(string(target))
	}
	return nil
}

// FakedXattrs returns the attributes xs, as --fake-super stores them,
// under the names they stand for, sorted by name: user.rsync.NAME is
// NAME (another namespace's attribute, kept in the user namespace);
// rsync's own user.rsync.%stat, %aacl, %dacl are left out.
func FakedXattrs(xs []platform.Xattr) []platform.Xattr {
	out := make([]platform.Xattr, 0, len(xs))
	for _, x := range xs {
		name, ok := strings.CutPrefix(x.Name, "user.rsync.")
		switch {
		case !ok:
			out = append(out, x)
		case !strings.HasPrefix(name, "%"):
			out = append(out, platform.Xattr{Name: name, Value: x.Value})
		}
	}
	slices.SortFunc(out, func(a, b platform.Xattr) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// StoredXattrName is the name --fake-super stores the attribute name
// under: a user attribute's own, another namespace's as user.rsync.NAME.
func StoredXattrName(name string) string {
	if strings.HasPrefix(name, "user.") {
		return name
	}
	return "user.rsync." + name
}
