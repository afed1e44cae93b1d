//go:build linux

package e2e

import (
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/treesync/treesync/e2e/tree"
)

// fidelityNodes is issue #4's tree: the corner cases (owners 1234:5678 on
// a file and a symlink, a 0700 directory, setuid and setgid, fifo,
// socket, devices, nanosecond times everywhere) with the hard links,
// binary xattrs and access and default ACLs of attrNodes below "a/". Paths
// beyond PATH_MAX are left out: rsync cannot copy them.
func fidelityNodes() []tree.Node {
	var nodes []tree.Node
	for _, n := range tree.Corners(isRoot()) {
		if len(n.Path) < 1024 {
			nodes = append(nodes, n)
		}
	}
	for _, n := range attrNodes() {
		n.Path = filepath.Join("a", n.Path)
		if n.Kind == tree.Hardlink {
			n.Target = filepath.Join("a", n.Target)
		}
		nodes = append(nodes, n)
	}
	return append(nodes, tree.Node{Path: ".", Kind: tree.Dir, Mtime: tree.At(600, 600)})
}

// TestFullFidelity: treesync -aHAX leaves exactly what rsync -aHAX leaves
// on every filesystem of the matrix; a resync after metadata-only changes
// (chmod, chown of a symlink, touch, a binary xattr, an ACL) fixes them in
// place: every changed entry keeps its inode.
func TestFullFidelity(t *testing.T) {
	forEachFS(t, func(t *testing.T, fs *Filesystem) {
		dir := fs.TempDir(t)
		src := filepath.Join(dir, "src")
		build(t, src, fidelityNodes())
		dst, ref := filepath.Join(dir, "treesync"), filepath.Join(dir, "rsync")
		mustRun(t, treesync, "-aHAX", src+"/", dst+"/")
		mustRun(t, rsync, "-aHAX", src+"/", ref+"/")
		noDiff(t, "rsync -aHAX vs treesync -aHAX", ref, dst, tree.Options{})
		noDiff(t, "source vs treesync -aHAX", src, dst, tree.Options{})

		changeMetadata(t, src)
		before := identities(t, dst)
		mustRun(t, treesync, "-aHAX", src+"/", dst+"/")
		noDiff(t, "source vs treesync after metadata changes", src, dst, tree.Options{})
		after := identities(t, dst)
		for _, p := range []string{"dir/file.txt", "dir/private", "a/x", "a/d", "a/h1", "links/relative"} {
			if before[p].ino != after[p].ino {
				t.Errorf("%q was rewritten (new inode) for a metadata-only change", p)
			}
		}
	})
}

// changeMetadata changes only attributes in the source.
func changeMetadata(t *testing.T, src string) {
	t.Helper()
	build(t, src, []tree.Node{
		{Path: "dir/file.txt", Kind: tree.Existing, Mode: 0o604},
		{Path: "dir/private", Kind: tree.Existing, Mtime: tree.At(500, 123456789)},
		{Path: "a/x", Kind: tree.Existing, Xattrs: map[string]string{"user.bin": "\x01\x02\x00", tree.XattrACLAccess: tree.SimpleACL(0o640, 4321, 4)}},
		{Path: "a/d", Kind: tree.Existing, Xattrs: map[string]string{tree.XattrACLAccess: tree.SimpleACL(0o755, 999, 5)}},
		{Path: "a/h1", Kind: tree.Existing, Mode: 0o600},
	})
	if isRoot() {
		must(t, unix.Lchown(filepath.Join(src, "links/relative"), 4242, 4343))
	}
}
