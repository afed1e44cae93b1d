package planner

import "slices"

// Policy is what the user asked for, in the planner's terms. Its zero
// value copies regular files only, with no metadata, comparing by size
// and modification time.
type Policy struct {
	Recursive bool // -r: descend into directories
	Dirs      bool // -d: without -r, take directories met, not what is in them
	Links     bool // -l: recreate symlinks as symlinks
	Perms     bool // -p
	// Executability (-E) keeps, without -p, whether a regular file is
	// executable (any x bit).
	Executability bool
	Times         bool // -t
	// OmitDirTimes (-O, implied by -b without --backup-dir, as rsync)
	// neither compares nor sets the times of directories.
	OmitDirTimes bool
	// OmitLinkTimes (-J) neither compares nor sets the times of symlinks.
	OmitLinkTimes bool
	Owner         bool // -o (effective only as root)
	Group         bool // -g (not root: the groups in MemberOf only)
	Devices       bool // --devices (part of -D)
	Specials      bool // --specials (part of -D)
	// WriteDevices (--write-devices) takes a destination device whose
	// source is a regular file for that file: compared with it as a file
	// of the device's size (walker.Options.WriteDevices lists it so) and
	// written into, as rsync does, instead of being replaced.
	WriteDevices bool
	HardLinks    bool // -H: keep hard-link groups
	// AltExact: reference trees are given (--compare-dest, --link-dest)
	// whose exact match for a source file makes the destination's own
	// copy redundant, as rsync has it — deleted (--compare-dest) or
	// replaced by a link to the reference (--link-dest) — even when it is
	// up to date.
	AltExact bool
	Xattrs   bool // -X: extended attributes
	ACLs     bool // -A: POSIX ACLs (implies Perms)
	Atimes   bool // -U: access times
	Root     bool // running as root: all xattr namespaces, owners
	// FakeSuper (--fake-super) keeps what an ordinary user cannot give an
	// entry (owner, special bits, devices, fifos, sockets, symlinks, other
	// namespaces' xattrs) in user.rsync.* xattrs of regular files, as
	// rsync does, and reads it back on both sides (executor/fakesuper.go).
	FakeSuper bool
	// MemberOf lists, when not Root, the groups the run may give files
	// (its own): -g leaves any other group alone and does not itemize it,
	// as rsync does. Nil: any group.
	MemberOf []uint32

	Delete bool // --delete: remove what the source lacks
	Force  bool // --force: replace a non-empty directory by a non-directory
	// IgnoreErrors (--ignore-errors) deletes even where a listing failed.
	IgnoreErrors bool
	// ProtectSuffix keeps destination names ending with it from --delete
	// (backups made beside the files); ProtectDir keeps that root-relative
	// directory (a --backup-dir inside the destination).
	ProtectSuffix string
	ProtectDir    string
	// ProtectName keeps entries of that name in any directory (the
	// --partial directories).
	ProtectName string

	SizeOnly       bool  // --size-only
	IgnoreTimes    bool  // -I: transfer even when size and mtime match
	Checksum       bool  // -c: same size then compare content
	ModifyWindow   int64 // --modify-window, in nanoseconds (0: exact)
	Update         bool  // -u: skip files newer at the destination
	IgnoreExisting bool  // --ignore-existing
	Existing       bool  // --existing: create nothing new
	MaxSize        int64 // --max-size (0: no limit)
	MinSize        int64 // --min-size
	// Append (--append) transfers to a destination file only the part
	// past its end, and leaves one that is not shorter than the source's
	// as it is.
	Append bool
	// ListCurrent lists the source non-directories found up to date in
	// DirPlan.Current (for --remove-source-files).
	ListCurrent bool
	// Notes lists in DirPlan.Notes why non-directories a compare option
	// leaves as they are (rsync's -vv, --info=skip); UptodateNotes also
	// those up to date (-vv, --info=name2).
	Notes, UptodateNotes bool

	Filter Filter // exclude/include rules; nil includes everything
}

// Filter decides which entries take part in the transfer. path is the
// entry's path relative to the transfer root, "/"-separated.
type Filter interface {
	// Excluded reports whether the entry is excluded from the transfer.
	Excluded(path string, isDir bool) bool
	// Protected reports whether a destination entry must survive --delete.
	Protected(path string, isDir bool) bool
}

// SameTime compares modification times within the modify window.
func (p Policy) SameTime(a, b int64) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	return d <= p.ModifyWindow
}

// SetsGroup reports whether -g gives an entry the group gid.
func (p Policy) SetsGroup(gid uint32) bool {
	return p.Group && (p.Root || p.MemberOf == nil || slices.Contains(p.MemberOf, gid))
}

// newer reports whether a is later than b by more than the window.
func (p Policy) newer(a, b int64) bool { return a-b > p.ModifyWindow }

// XattrKind says whether the extended attribute name takes part in the
// transfer and whether it is an ACL. As rsync: -A carries the ACLs; -X
// carries the user namespace, and as root every namespace but system.
func (p Policy) XattrKind(name string) (keep, acl bool) {
	if name == ACLAccess || name == ACLDefault {
		return p.ACLs, true
	}
	if !p.Xattrs {
		return false, false
	}
	if p.Root || p.FakeSuper { // (--fake-super keeps the others in user.rsync.*, walker.FakedXattrs)
		return len(name) < 7 || name[:7] != "system.", false
	}
	return len(name) > 5 && name[:5] == "user.", false
}
