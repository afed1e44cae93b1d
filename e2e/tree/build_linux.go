//go:build linux

package tree

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Kind is the type of a Node to build.
type Kind int

// The kinds of node Build can create.
const (
	File Kind = iota
	Dir
	Symlink
	Hardlink // another name for the existing node at Target
	Fifo
	Socket
	CharDev
	BlockDev
	// Existing changes the metadata of an entry that already exists:
	// only the Mode (when not 0), owner, xattrs and Mtime given are set.
	Existing
)

// Extent is data at an offset of a sparse file.
type Extent struct {
	Off  int64
	Data []byte
}

// Node describes one entry of a crafted tree. Missing parent
// directories are created with mode 0755. A Dir node with Path "." sets
// the root's own metadata.
type Node struct {
	Path    string // relative, "/"-separated; any bytes but "/" and NUL
	Kind    Kind
	Data    []byte   // a file's content, written at offset 0
	Extents []Extent // more data at offsets, for sparse files
	Size    int64    // a file's final size when larger than its data (a hole)
	Target  string   // symlink target, or the tree path a Hardlink names
	Mode    uint32   // 07777 bits; 0 means 0644 (files), 0755 (directories)
	Mtime   time.Time
	Owner   bool // set UID and GID (needs root)
	UID     int
	GID     int
	Rdev    uint64 // devices: unix.Mkdev(major, minor)
	Xattrs  map[string]string
}

// Build creates the nodes under root (created if missing), in order,
// then sets their owner, mode, xattrs and times deepest first, so that
// directory times survive what is created inside them.
func Build(root string, nodes []Node) error {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	rootFd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("build: open %s: %w", root, err)
	}
	defer unix.Close(rootFd)
	for i := range nodes {
		if err := create(rootFd, &nodes[i]); err != nil {
			return fmt.Errorf("build %s/%q: %w", root, nodes[i].Path, err)
		}
	}
	for _, i := range deepestFirst(nodes) {
		if err := setMeta(rootFd, &nodes[i]); err != nil {
			return fmt.Errorf("build %s/%q: metadata: %w", root, nodes[i].Path, err)
		}
	}
	return nil
}

func deepestFirst(nodes []Node) []int {
	idx := make([]int, len(nodes))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(x, y int) bool {
		return depth(nodes[idx[x]].Path) > depth(nodes[idx[y]].Path)
	})
	return idx
}

// create makes the node itself, with default permissions.
func create(rootFd int, n *Node) error {
	if n.Path == "." || n.Kind == Existing {
		return nil // only its metadata is set
	}
	dir, name, err := OpenParent(rootFd, n.Path, true)
	if err != nil {
		return err
	}
	defer unix.Close(dir)
	switch n.Kind {
	case File:
		return writeFile(dir, name, n)
	case Dir:
		return wrap("mkdirat", unix.Mkdirat(dir, name, 0o755))
	case Symlink:
		return wrap("symlinkat", unix.Symlinkat(n.Target, dir, name))
	case Hardlink:
		return linkTo(rootFd, dir, name, n.Target)
	case Fifo:
		return wrap("mknodat", unix.Mknodat(dir, name, unix.S_IFIFO|0o644, 0))
	case Socket:
		return wrap("mknodat", unix.Mknodat(dir, name, unix.S_IFSOCK|0o644, 0))
	case CharDev:
		return wrap("mknodat", unix.Mknodat(dir, name, unix.S_IFCHR|0o644, int(n.Rdev)))
	case BlockDev:
		return wrap("mknodat", unix.Mknodat(dir, name, unix.S_IFBLK|0o644, int(n.Rdev)))
	}
	return fmt.Errorf("unknown kind %d", n.Kind)
}

func wrap(op string, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

func writeFile(dir int, name string, n *Node) error {
	fd, err := unix.Openat(dir, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	if _, err := f.WriteAt(n.Data, 0); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	for _, x := range n.Extents {
		if _, err := f.WriteAt(x.Data, x.Off); err != nil {
			return fmt.Errorf("write at %d: %w", x.Off, err)
		}
	}
	if st, err := f.Stat(); err == nil && n.Size > st.Size() {
		return wrap("truncate", f.Truncate(n.Size))
	}
	return nil
}

func linkTo(rootFd, dir int, name, target string) error {
	tdir, tname, err := OpenParent(rootFd, target, false)
	if err != nil {
		return err
	}
	defer unix.Close(tdir)
	return wrap("linkat", unix.Linkat(tdir, tname, dir, name, 0))
}

// setMeta applies owner, mode, xattrs and mtime, in that order: chown
// clears setuid and setgid bits, and the mtime must come last.
func setMeta(rootFd int, n *Node) error {
	if n.Kind == Hardlink {
		return nil // the inode's first name carries its metadata
	}
	dir, name, err := OpenParent(rootFd, n.Path, false)
	if err != nil {
		return err
	}
	defer unix.Close(dir)
	if n.Owner {
		if err := unix.Fchownat(dir, name, n.UID, n.GID, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return fmt.Errorf("chown: %w", err)
		}
	}
	if err := setMode(dir, name, n); err != nil {
		return err
	}
	for k, v := range n.Xattrs {
		if err := unix.Lsetxattr(procPath(dir, name), k, []byte(v), 0); err != nil {
			return fmt.Errorf("setxattr %s: %w", k, err)
		}
	}
	return setMtime(dir, name, n.Mtime)
}

func setMode(dir int, name string, n *Node) error {
	if n.Kind == Symlink || (n.Kind == Existing && n.Mode == 0) {
		return nil // Linux symlinks are always 0777
	}
	mode := n.Mode
	if mode == 0 {
		mode = 0o644
		if n.Kind == Dir {
			mode = 0o755
		}
	}
	return wrap("chmod", unix.Fchmodat(dir, name, mode, 0))
}

func setMtime(dir int, name string, mtime time.Time) error {
	if mtime.IsZero() {
		return nil
	}
	// The access time is the modification time too, so that two trees
	// built from the same nodes have the same atimes (-U compares them).
	ts := []unix.Timespec{unix.NsecToTimespec(mtime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
	return wrap("utimensat", unix.UtimesNanoAt(dir, name, ts, unix.AT_SYMLINK_NOFOLLOW))
}

// OpenParent opens, below the directory rootFd, the directory that holds
// path, one component at a time (so paths longer than PATH_MAX work),
// never following a symlink; with mkdir it creates missing directories
// (mode 0755). It returns the directory's descriptor and path's last
// component.
func OpenParent(rootFd int, path string, mkdir bool) (int, string, error) {
	parts := strings.Split(path, "/")
	fd, err := unix.Dup(rootFd)
	if err != nil {
		return -1, "", fmt.Errorf("dup: %w", err)
	}
	for _, p := range parts[:len(parts)-1] {
		next, err := openDir(fd, p, mkdir)
		unix.Close(fd)
		if err != nil {
			return -1, "", err
		}
		fd = next
	}
	return fd, parts[len(parts)-1], nil
}

func openDir(dir int, name string, mkdir bool) (int, error) {
	const flags = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC
	fd, err := unix.Openat(dir, name, flags, 0)
	if err == unix.ENOENT && mkdir {
		if err := unix.Mkdirat(dir, name, 0o755); err != nil && err != unix.EEXIST {
			return -1, fmt.Errorf("mkdirat %q: %w", name, err)
		}
		fd, err = unix.Openat(dir, name, flags, 0)
	}
	if err != nil {
		return -1, fmt.Errorf("open %q: %w", name, err)
	}
	return fd, nil
}

func depth(p string) int {
	if p == "." {
		return -1
	}
	return strings.Count(p, "/")
}
