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
// A directory pair's two listings stay in memory while any of its
// subdirectories is pending, so a wide directory costs two Entries per
// name: the fields are ordered to leave no padding (136 bytes on 64-bit
// platforms; 152 with the same fields in their reading order).
type Entry struct {
	Name   string
	Target string // symlink target
	Size   int64
	Blocks int64
	Mtime  int64 // nanoseconds since the epoch
	Atime  int64
	Ctime  int64
	Rdev   uint64
	Dev    uint64
	Ino    uint64
	// XattrSum and ACLSum digest the extended attributes and POSIX ACLs
	// that take part in the transfer (-X, -A); zero when none or not read.
	XattrSum uint64
	ACLSum   uint64
	UID      uint32
	GID      uint32
	Mode     uint32 // permission bits with setuid, setgid, sticky (07777)
	Nlink    uint32 // link count, saturated at MaxUint32
	Kind     Kind
	// Followed marks a symlink that was followed (-L, --copy-unsafe-links,
	// or -K at the destination): the entry describes its target, which
	// must be opened following the link.
	Followed bool
}

// Listing is one side of a directory: its entries sorted by Name, or the
// reason it could not be listed.
type Listing struct {
	Entries []Entry
	Missing bool  // the directory does not exist on this side
	Err     error // listing failed or was partial: plan no deletes here
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
