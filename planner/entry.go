package planner

// Kind is the type of a directory entry.
type Kind uint8

// The entry kinds.
const (
	KindFile Kind = iota
	KindDir
	KindSymlink
	KindFIFO
	KindSocket
	KindChar
	KindBlock
)

// Letter is the rsync itemize letter of the kind: f d L D S.
func (k Kind) Letter() byte {
	switch k {
	case KindDir:
		return 'd'
	case KindSymlink:
		return 'L'
	case KindChar, KindBlock:
		return 'D'
	case KindFIFO, KindSocket:
		return 'S'
	}
	return 'f'
}

func (k Kind) String() string {
	return [...]string{"file", "directory", "symlink", "fifo", "socket", "character device", "block device"}[k]
}

// IsSpecial reports fifos and sockets (rsync's --specials).
func (k Kind) IsSpecial() bool { return k == KindFIFO || k == KindSocket }

// IsDevice reports character and block devices (rsync's --devices).
func (k Kind) IsDevice() bool { return k == KindChar || k == KindBlock }

// Entry is one directory entry as listed by the walker (lstat, never
// following a symlink). Names are raw bytes held in a string.
//
// A directory pair's listings (of a window of its names, in a wide
// directory) stay in memory while any of its subdirectories is pending,
// two Entries per name: what few entries have (a symlink's target, a
// device's number, digests of extended attributes) is held apart, and
// the fields leave no padding: 104 bytes on 64-bit platforms
// (TestEntrySize). A no-op of 200,000 empty files in one directory,
// listed whole, peaked at 90.7 MB with every field inline in reading
// order (152 bytes), 87.6 without the padding (136), 75.2 at 104 (rsync
// 31; live heap 64 -> 61 -> 49 MB).
type Entry struct {
	Name   string
	Size   int64
	Blocks int64
	Mtime  int64 // nanoseconds since the epoch
	Atime  int64
	Ctime  int64
	Dev    uint64
	Ino    uint64
	UID    uint32
	GID    uint32
	Mode   uint32 // permission bits with setuid, setgid, sticky (07777)
	Nlink  uint32 // link count, saturated at MaxUint32
	Kind   Kind
	// Followed marks a symlink that was followed (-L, --copy-unsafe-links,
	// or -K at the destination): the entry describes its target, which
	// must be opened following the link.
	Followed bool
	// Dangling marks a source symlink that was to be followed but could
	// not be (no referent): an error once the filter rules keep it.
	Dangling bool
	// Unsafe marks a source symlink --safe-links leaves out (it points
	// outside the tree): rsync lists it and ignores it, so its name at
	// the destination is left alone.
	Unsafe bool
	// FakeRaw marks, under --fake-super, a file or directory whose real
	// mode is not what --fake-super leaves (special bits, or the owner
	// without read and write): at the destination, rsync sets it so,
	// keeping the mode in user.rsync.%stat, whenever it looks at the entry.
	FakeRaw bool
	rare    *rare // nil for most entries; shared by copies, never changed
}

// rare holds the fields few entries have.
type rare struct {
	target   string
	rdev     uint64
	xattrSum uint64
	aclSum   uint64
	link     *Entry     // a followed destination symlink's own entry
	ownIDs   *[2]uint32 // a source entry's owner and group before --chown or a map
}

// Target is a symlink's target ("" for other kinds).
func (e *Entry) Target() string {
	if e.rare == nil {
		return ""
	}
	return e.rare.target
}

// Rdev is a device's number (0 for other kinds).
func (e *Entry) Rdev() uint64 {
	if e.rare == nil {
		return 0
	}
	return e.rare.rdev
}

// XattrSum and ACLSum digest the extended attributes and POSIX ACLs
// that take part in the transfer (-X, -A); zero when none or not read.
func (e *Entry) XattrSum() uint64 {
	if e.rare == nil {
		return 0
	}
	return e.rare.xattrSum
}

// ACLSum: see XattrSum.
func (e *Entry) ACLSum() uint64 {
	if e.rare == nil {
		return 0
	}
	return e.rare.aclSum
}

// Link is, for a destination symlink followed to a directory (-K,
// --no-implied-dirs), the symlink's own entry; nil for others.
func (e *Entry) Link() *Entry {
	if e.rare == nil {
		return nil
	}
	return e.rare.link
}

// OwnIDs is a source entry's owner and group as they were before
// Transform.Apply mapped them (where Transform.KeepIDs asked it to keep
// them), else its UID and GID.
func (e *Entry) OwnIDs() (uid, gid uint32) {
	if e.rare == nil || e.rare.ownIDs == nil {
		return e.UID, e.GID
	}
	return e.rare.ownIDs[0], e.rare.ownIDs[1]
}

// SetLink records the symlink a destination entry was followed through.
func (e *Entry) SetLink(l *Entry) { e.change(func(r *rare) { r.link = l }) }

// SetTarget sets a symlink's target.
func (e *Entry) SetTarget(target string) { e.change(func(r *rare) { r.target = target }) }

// SetRdev sets a device's number.
func (e *Entry) SetRdev(rdev uint64) { e.change(func(r *rare) { r.rdev = rdev }) }

// SetSums sets the digests of extended attributes and ACLs.
func (e *Entry) SetSums(xattr, acl uint64) {
	e.change(func(r *rare) { r.xattrSum, r.aclSum = xattr, acl })
}

// change applies set to a copy of e's rare fields: copies of an Entry
// share them, so they are replaced, never written in place. Nothing is
// allocated while they all stay zero.
func (e *Entry) change(set func(*rare)) {
	r := rare{}
	if e.rare != nil {
		r = *e.rare
	}
	set(&r)
	if r == (rare{}) {
		e.rare = nil
		return
	}
	e.rare = &r
}

// Listing is one side of a directory: its entries sorted by Name, or the
// reason it could not be listed.
type Listing struct {
	Entries []Entry
	Missing bool     // the directory does not exist on this side
	Err     error    // listing failed or was partial: plan no deletes here
	Failed  []string // names whose entries could not be read (stat failed), sorted
}

// Find returns the entry named name, or nil.
func (l *Listing) Find(name string) *Entry {
	lo, hi := 0, len(l.Entries)
	for lo < hi {
		m := (lo + hi) / 2
		if l.Entries[m].Name < name {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(l.Entries) && l.Entries[lo].Name == name {
		return &l.Entries[lo]
	}
	return nil
}
