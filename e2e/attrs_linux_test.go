//go:build linux

package e2e

import (
	"path/filepath"
	"testing"

	"github.com/treesync/treesync/e2e/tree"
)

// attrNodes is a tree of hard links, xattrs, POSIX ACLs (access and
// default) and sparse files.
func attrNodes() []tree.Node {
	acl := tree.SimpleACL(0o640, 1234, 6)
	dirDefault := tree.ACL(
		tree.ACLEntry{Tag: tree.ACLUserObj, Perm: 7},
		tree.ACLEntry{Tag: tree.ACLGroupObj, Perm: 5},
		tree.ACLEntry{Tag: tree.ACLGroup, Perm: 5, ID: 5678},
		tree.ACLEntry{Tag: tree.ACLMask, Perm: 5},
		tree.ACLEntry{Tag: tree.ACLOther, Perm: 0},
	)
	return []tree.Node{
		{Path: ".", Kind: tree.Dir, Mtime: tree.At(70, 0)},
		{Path: "d", Kind: tree.Dir, Mtime: tree.At(71, 1), Xattrs: map[string]string{
			"user.dir": "x", tree.XattrACLAccess: tree.SimpleACL(0o755, 1234, 7), tree.XattrACLDefault: dirDefault}},
		{Path: "h1", Data: []byte("linked"), Mtime: tree.At(72, 2)},
		{Path: "h2", Kind: tree.Hardlink, Target: "h1"},
		{Path: "d/h3", Kind: tree.Hardlink, Target: "h1"},
		{Path: "x", Data: []byte("xattrs"), Mode: 0o640, Mtime: tree.At(73, 3), Xattrs: map[string]string{
			"user.color": "blue", "user.empty": "", "user.bin": "\x00\xff\n", tree.XattrACLAccess: acl}},
		{Path: "sparse", Data: []byte("head"), Size: 64 << 20, Mtime: tree.At(74, 4),
			Extents: []tree.Extent{{Off: 32 << 20, Data: []byte("middle")}}},
		{Path: "hole", Size: 8 << 20, Mtime: tree.At(75, 5)},
	}
}

// TestHardLinksXattrsACLsSparse copies attrNodes with treesync -aHAX and
// rsync -aHAXS: both must equal the source in every attribute, hard-link
// groups included, and treesync's sparse files must stay sparse.
func TestHardLinksXattrsACLsSparse(t *testing.T) {
	forEachFS(t, func(t *testing.T, fs *Filesystem) {
		dir := fs.TempDir(t)
		src := filepath.Join(dir, "src")
		build(t, src, attrNodes())
		dst, ref := filepath.Join(dir, "treesync"), filepath.Join(dir, "rsync")
		mustRun(t, treesync, "-aHAX", src+"/", dst+"/")
		mustRun(t, rsync, "-aHAXS", src+"/", ref+"/")
		noDiff(t, "source vs treesync -aHAX", src, dst, tree.Options{CheckBlocks: true})
		noDiff(t, "rsync -aHAXS vs treesync -aHAX", ref, dst, tree.Options{})
	})
}

// TestNoXattrsWithoutX: -a alone copies neither xattrs nor ACLs, as rsync.
func TestNoXattrsWithoutX(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	build(t, src, attrNodes())
	dst, ref := filepath.Join(dir, "treesync"), filepath.Join(dir, "rsync")
	mustRun(t, treesync, "-a", src+"/", dst+"/")
	mustRun(t, rsync, "-a", src+"/", ref+"/")
	noDiff(t, "rsync -a vs treesync -a", ref, dst, tree.Options{})
}

// TestNoopResyncHAX: a no-op resync with -aHAX touches nothing and
// prints nothing with -i, hard links, xattrs and ACLs included.
func TestNoopResyncHAX(t *testing.T) {
	forEachFS(t, func(t *testing.T, fs *Filesystem) {
		dir := fs.TempDir(t)
		src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
		build(t, src, attrNodes())
		mustRun(t, treesync, "-aHAX", src+"/", dst+"/")
		before := identities(t, dst)
		if r := mustRun(t, treesync, "-aiHAX", src+"/", dst+"/"); r.stdout != "" {
			t.Errorf("treesync -aiHAX on a no-op printed:\n%s", r.stdout)
		}
		if changed := changedPaths(before, identities(t, dst)); len(changed) > 0 {
			t.Errorf("a no-op -aHAX resync rewrote or touched %q", changed)
		}
	})
}
