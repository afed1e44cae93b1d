//go:build linux

package tree

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/cespare/xxhash/v2"
	"golang.org/x/sys/unix"
)

// Entry is what Scan records about one name in a tree.
type Entry struct {
	Path   string // relative to the root, "/"-separated; the root is "."
	Mode   uint32 // st_mode: type and permission bits
	UID    uint32
	GID    uint32
	Size   int64
	Blocks int64 // 512-byte blocks allocated
	Nlink  uint64
	Dev    uint64
	Ino    uint64
	Rdev   uint64
	Mtime  unix.Timespec
	Atime  unix.Timespec
	Ctime  unix.Timespec     // never compared: a copy always has its own
	Target string            // symlink target
	Digest uint64            // xxhash64 of a regular file's content
	Xattrs map[string]string // name -> value, as listed by llistxattr
}

// Type returns the S_IFMT bits of the entry's mode.
func (e *Entry) Type() uint32 { return e.Mode & unix.S_IFMT }

// Tree is a scanned tree: every entry by path, and the paths in order.
type Tree struct {
	Root    string
	Entries map[string]*Entry
	Paths   []string
}

// Scan walks the tree at root without following symlinks (root itself
// may be a symlink to a directory) and records every entry. A root that
// is not a directory is a tree of one entry, ".".
func Scan(root string) (*Tree, error) {
	fd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err == unix.ENOTDIR {
		return scanSingle(root)
	}
	if err != nil {
		return nil, fmt.Errorf("scan: open %s: %w", root, err)
	}
	defer unix.Close(fd)
	t := &Tree{Root: root, Entries: map[string]*Entry{}}
	e := &Entry{Path: "."}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, fmt.Errorf("scan: stat %s: %w", root, err)
	}
	fill(e, &st)
	if e.Xattrs, err = fdXattrs(fd); err != nil {
		return nil, fmt.Errorf("scan: xattrs of %s: %w", root, err)
	}
	t.add(e)
	if err := t.scanDir(fd, ""); err != nil {
		return nil, err
	}
	sort.Strings(t.Paths)
	return t, nil
}

func scanSingle(root string) (*Tree, error) {
	dir, err := unix.Open(filepath.Dir(root), unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("scan: open %s: %w", filepath.Dir(root), err)
	}
	defer unix.Close(dir)
	e, err := scanEntry(dir, filepath.Base(root), ".")
	if err != nil {
		return nil, fmt.Errorf("scan: %s: %w", root, err)
	}
	t := &Tree{Root: root, Entries: map[string]*Entry{}}
	t.add(e)
	return t, nil
}

func (t *Tree) add(e *Entry) {
	t.Entries[e.Path] = e
	t.Paths = append(t.Paths, e.Path)
}

// scanDir records the entries of the open directory fd, whose path
// relative to the root is rel ("" for the root), and recurses.
func (t *Tree) scanDir(fd int, rel string) error {
	names, err := readNames(fd)
	if err != nil {
		return fmt.Errorf("scan: list %s/%q: %w", t.Root, rel, err)
	}
	for _, name := range names {
		p := join(rel, name)
		e, err := scanEntry(fd, name, p)
		if err != nil {
			return fmt.Errorf("scan: %s/%q: %w", t.Root, p, err)
		}
		t.add(e)
		if e.Type() == unix.S_IFDIR {
			if err := t.scanSub(fd, name, p); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t *Tree) scanSub(parent int, name, rel string) error {
	fd, err := unix.Openat(parent, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("scan: open %s/%q: %w", t.Root, rel, err)
	}
	defer unix.Close(fd)
	return t.scanDir(fd, rel)
}

func join(rel, name string) string {
	if rel == "" {
		return name
	}
	return rel + "/" + name
}

// readNames lists a directory through a duplicate of fd, so that fd
// stays open for the caller.
func readNames(fd int) ([]string, error) {
	dup, err := unix.Dup(fd)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(dup), "dir")
	defer f.Close()
	names, err := f.Readdirnames(-1)
	sort.Strings(names)
	return names, err
}

// scanEntry lstats name in directory fd and reads what else the entry
// has: symlink target, content digest, xattrs.
func scanEntry(dirfd int, name, p string) (*Entry, error) {
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return nil, fmt.Errorf("lstat: %w", err)
	}
	e := &Entry{Path: p}
	fill(e, &st)
	var err error
	switch e.Type() {
	case unix.S_IFLNK:
		e.Target, err = readlinkat(dirfd, name)
	case unix.S_IFREG:
		e.Digest, err = digestAt(dirfd, name)
	}
	if err != nil {
		return nil, err
	}
	e.Xattrs, err = pathXattrs(procPath(dirfd, name))
	return e, err
}

func fill(e *Entry, st *unix.Stat_t) {
	e.Mode, e.UID, e.GID = st.Mode, st.Uid, st.Gid
	e.Size, e.Blocks, e.Nlink = st.Size, st.Blocks, uint64(st.Nlink)
	e.Dev, e.Ino, e.Rdev = uint64(st.Dev), st.Ino, uint64(st.Rdev)
	e.Mtime, e.Atime, e.Ctime = st.Mtim, st.Atim, st.Ctim
}

func readlinkat(dirfd int, name string) (string, error) {
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlinkat(dirfd, name, buf)
		if err != nil {
			return "", fmt.Errorf("readlink: %w", err)
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}

func digestAt(dirfd int, name string) (uint64, error) {
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NOATIME, 0)
	if err == unix.EPERM { // O_NOATIME needs ownership or CAP_FOWNER
		fd, err = unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		return 0, fmt.Errorf("open: %w", err)
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	h := xxhash.New()
	if _, err := io.Copy(h, f); err != nil {
		return 0, fmt.Errorf("read: %w", err)
	}
	return h.Sum64(), nil
}

// procPath names entry name of directory dirfd by a short path, so that
// the path-based xattr calls work below PATH_MAX whatever the depth.
func procPath(dirfd int, name string) string {
	return "/proc/self/fd/" + strconv.Itoa(dirfd) + "/" + name
}
