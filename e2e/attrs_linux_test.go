//go:build linux

package e2e

import (
	"path/filepath"
	"strings"
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

// TestFollowedLinkAttrsVsRsync: a symlink the run follows (-L,
// --copy-unsafe-links, -k) is copied with what it points to's extended
// attributes and ACLs, as rsync copies them, and compared by them on the
// next run; under --fake-super, with what that option kept for it.
func TestFollowedLinkAttrsVsRsync(t *testing.T) {
	requireRoot(t) // (trusted.* and others' ids in ACLs)
	at := tree.At(100, 0)
	attrs := map[string]string{"user.k": "v", tree.XattrACLAccess: tree.SimpleACL(0o644, 1, 4)}
	dirAttrs := map[string]string{"user.d": "w", tree.XattrACLAccess: tree.SimpleACL(0o755, 2, 5), tree.XattrACLDefault: tree.SimpleACL(0o750, 3, 4)}
	source := []tree.Node{
		{Path: "in", Kind: tree.Dir, Mtime: at},
		{Path: "in/f", Data: []byte("data"), Mode: 0o644, Mtime: at, Xattrs: attrs},
		{Path: "in/d", Kind: tree.Dir, Mode: 0o755, Mtime: at, Xattrs: dirAttrs},
		{Path: "in/d/g", Data: []byte("g"), Mtime: at},
		{Path: "in/l", Kind: tree.Symlink, Target: "f", Mtime: at},
		{Path: "in/dl", Kind: tree.Symlink, Target: "d", Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	stales := map[string][]tree.Node{
		"new": nil,
		"bare": { // (the followed names there already, without the attributes)
			{Path: "in", Kind: tree.Dir, Mtime: at},
			{Path: "in/l", Data: []byte("data"), Mode: 0o644, Mtime: at},
			{Path: "in/dl", Kind: tree.Dir, Mode: 0o755, Mtime: at},
			{Path: "in/dl/g", Data: []byte("g"), Mtime: at},
			{Path: ".", Kind: tree.Dir, Mtime: at},
		},
	}
	for name, stale := range stales {
		for _, opts := range [][]string{{"-aLXA"}, {"-aLXA", "-n"}, {"-aXA", "-k"}, {"-aLX", "--fake-super"}} {
			t.Run(name+" "+strings.Join(opts, " "), func(t *testing.T) {
				compareWithRsyncRef(t, opts, source, withRoot(stale), nil)
			})
		}
	}
}

// withRoot is nodes, or the destination's top directory alone when there
// are none.
func withRoot(nodes []tree.Node) []tree.Node {
	if nodes == nil {
		return []tree.Node{{Path: ".", Kind: tree.Dir, Mtime: tree.At(100, 0)}}
	}
	return nodes
}
