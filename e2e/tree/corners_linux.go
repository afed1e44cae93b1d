//go:build linux

package tree

import (
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// PathMax is Linux's PATH_MAX: the longest path the path-based system
// calls accept, terminating NUL included.
const PathMax = 4096

// LongName returns a name of n bytes (at most 255 on Linux filesystems).
func LongName(prefix string, n int) string {
	if len(prefix) >= n {
		return prefix[:n]
	}
	return prefix + strings.Repeat("n", n-len(prefix))
}

// DeepPath returns a relative path below dir made of 200-byte
// components, at least minLen bytes long.
func DeepPath(dir string, minLen int) string {
	p := dir
	for i := 0; len(p) < minLen; i++ {
		p += "/" + LongName(string(rune('a'+i%26)), 200)
	}
	return p
}

// At returns a time with a nanosecond part, sec seconds after 2020-09-13.
func At(sec int64, nsec int64) time.Time { return time.Unix(1_600_000_000+sec, nsec) }

// Corners returns a tree with every corner case a sync tool must carry
// over: symlinks (relative, absolute, dangling), empty and special-mode
// directories, setuid and exec bits, odd names (newline, tab, invalid
// UTF-8, 255 bytes), empty files, nanosecond mtimes everywhere, a path
// longer than PATH_MAX, a fifo and a socket. With root, it also has
// files owned by 1234:5678 and device nodes.
func Corners(root bool) []Node {
	nodes := []Node{
		{Path: "dir", Kind: Dir, Mtime: At(1, 111111111)},
		{Path: "dir/file.txt", Data: []byte("hello\n"), Mtime: At(2, 222222222)},
		{Path: "dir/exec.sh", Data: []byte("#!/bin/sh\necho hi\n"), Mode: 0o755, Mtime: At(3, 333333333)},
		{Path: "dir/private", Data: []byte("secret"), Mode: 0o600, Mtime: At(4, 1)},
		{Path: "dir/empty-file", Mtime: At(5, 999999999)},
		{Path: "dir/setuid", Data: []byte("suid"), Mode: 0o4755, Mtime: At(6, 5)},
		{Path: "empty-dir", Kind: Dir, Mtime: At(7, 7)},
		{Path: "setgid-dir", Kind: Dir, Mode: 0o2775, Mtime: At(8, 8)},
		{Path: "setgid-dir/inside", Data: []byte("x"), Mtime: At(8, 9)},
		{Path: "sticky-dir", Kind: Dir, Mode: 0o1777, Mtime: At(9, 9)},
		{Path: "private-dir", Kind: Dir, Mode: 0o700, Mtime: At(10, 10)},
		{Path: "private-dir/f", Data: []byte("f"), Mtime: At(10, 11)},
		{Path: "links", Kind: Dir, Mtime: At(11, 11)},
		{Path: "links/relative", Kind: Symlink, Target: "../dir/file.txt", Mtime: At(12, 12)},
		{Path: "links/absolute", Kind: Symlink, Target: "/etc/hostname", Mtime: At(13, 13)},
		{Path: "links/dangling", Kind: Symlink, Target: "does/not/exist", Mtime: At(14, 14)},
		{Path: "links/to-dir", Kind: Symlink, Target: "../dir", Mtime: At(15, 15)},
		{Path: "names", Kind: Dir, Mtime: At(16, 16)},
		{Path: "names/new\nline", Data: []byte("nl"), Mtime: At(17, 17)},
		{Path: "names/tab\there", Data: []byte("tab"), Mtime: At(18, 18)},
		{Path: "names/bad-\xff\xfe-utf8", Data: []byte("bad"), Mtime: At(19, 19)},
		{Path: "names/" + LongName("long-", 255), Data: []byte("255"), Mtime: At(20, 20)},
		{Path: "names/ space and 'quotes' \"", Data: []byte("q"), Mtime: At(21, 21)},
		{Path: "special", Kind: Dir, Mtime: At(22, 22)},
		{Path: "special/fifo", Kind: Fifo, Mode: 0o640, Mtime: At(23, 23)},
		{Path: "special/socket", Kind: Socket, Mode: 0o755, Mtime: At(24, 24)},
	}
	nodes = append(nodes, deepNodes()...)
	if root {
		nodes = append(nodes, rootNodes()...)
	}
	return nodes
}

// deepNodes is a file whose path is longer than PATH_MAX.
func deepNodes() []Node {
	var nodes []Node
	p := DeepPath("deep", PathMax+100)
	parts := strings.Split(p, "/")
	for i := range parts {
		nodes = append(nodes, Node{Path: strings.Join(parts[:i+1], "/"), Kind: Dir, Mtime: At(30, int64(i))})
	}
	return append(nodes, Node{Path: p + "/leaf", Data: []byte("deep leaf"), Mtime: At(31, 31)})
}

// rootNodes need root: foreign owners and device nodes.
func rootNodes() []Node {
	return []Node{
		{Path: "owned", Kind: Dir, Owner: true, UID: 1234, GID: 5678, Mtime: At(40, 40)},
		{Path: "owned/file", Data: []byte("owned"), Owner: true, UID: 1234, GID: 5678, Mode: 0o640, Mtime: At(41, 41)},
		{Path: "owned/link", Kind: Symlink, Target: "file", Owner: true, UID: 1234, GID: 5678, Mtime: At(42, 42)},
		{Path: "special/null", Kind: CharDev, Rdev: unix.Mkdev(1, 3), Mtime: At(43, 43)},
		{Path: "special/loopish", Kind: BlockDev, Rdev: unix.Mkdev(7, 200), Mtime: At(44, 44)},
	}
}
