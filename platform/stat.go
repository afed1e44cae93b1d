package platform

import (
	"errors"
	"io/fs"
)

// ErrUnsupported is returned by operations this operating system lacks.
var ErrUnsupported = errors.ErrUnsupported

// File type bits of Stat.Mode, as in st_mode (identical on every Unix).
const (
	ModeType    = 0o170000
	ModeSocket  = 0o140000
	ModeSymlink = 0o120000
	ModeRegular = 0o100000
	ModeBlock   = 0o060000
	ModeDir     = 0o040000
	ModeChar    = 0o020000
	ModeFIFO    = 0o010000
	ModePerm    = 0o7777 // permission bits plus setuid, setgid and sticky
)

// Stat is what treesync needs of an inode, in one portable shape.
type Stat struct {
	Mode   uint32 // st_mode: type and permission bits
	Size   int64
	Blocks int64 // 512-byte blocks allocated
	Mtime  int64 // nanoseconds since the epoch
	Atime  int64
	Ctime  int64
	Dev    uint64
	Ino    uint64
	Nlink  uint64
	Rdev   uint64
	UID    uint32
	GID    uint32
}

// Type returns the file-type bits of s.Mode.
func (s Stat) Type() uint32 { return s.Mode & ModeType }

// IsDir reports whether s describes a directory.
func (s Stat) IsDir() bool { return s.Type() == ModeDir }

// IsRegular reports whether s describes a regular file.
func (s Stat) IsRegular() bool { return s.Type() == ModeRegular }

// IsSymlink reports whether s describes a symbolic link.
func (s Stat) IsSymlink() bool { return s.Type() == ModeSymlink }

// Sparse reports whether fewer blocks are allocated than the size needs,
// the sign that the file has holes worth seeking over.
func (s Stat) Sparse() bool { return s.IsRegular() && s.Blocks*512 < s.Size }

// FileMode converts s.Mode to an io/fs mode, for messages and tests.
func (s Stat) FileMode() fs.FileMode {
	m := fs.FileMode(s.Mode & 0o777)
	if s.Mode&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if s.Mode&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if s.Mode&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	switch s.Type() {
	case ModeDir:
		m |= fs.ModeDir
	case ModeSymlink:
		m |= fs.ModeSymlink
	case ModeFIFO:
		m |= fs.ModeNamedPipe
	case ModeSocket:
		m |= fs.ModeSocket
	case ModeChar:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case ModeBlock:
		m |= fs.ModeDevice
	}
	return m
}
