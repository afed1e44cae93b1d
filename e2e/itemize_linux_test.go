//go:build linux

package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/treesync/treesync/e2e/tree"
)

func itemizeNodes() []tree.Node {
	return []tree.Node{
		{Path: "a", Kind: tree.Dir, Mtime: tree.At(110, 0)},
		{Path: "a/f", Data: []byte("x"), Mtime: tree.At(111, 0)},
		{Path: "b", Kind: tree.Dir, Mtime: tree.At(112, 0)},
		{Path: "g", Data: []byte("y"), Mtime: tree.At(113, 0)},
		{Path: "h", Data: []byte("z"), Mtime: tree.At(114, 0)},
		{Path: "l", Kind: tree.Symlink, Target: "g", Mtime: tree.At(115, 0)},
		{Path: ".", Kind: tree.Dir, Mtime: tree.At(116, 0)},
	}
}

// changeAttributes changes one attribute of each entry (in whole
// seconds for times: rsync compares seconds by default).
func changeAttributes(t *testing.T, src string) {
	t.Helper()
	p := func(rel string) string { return filepath.Join(src, rel) }
	if isRoot() {
		must(t, unix.Lchown(p("h"), 1234, -1))
	}
	build(t, src, []tree.Node{
		{Path: "g", Kind: tree.Existing, Mode: 0o600},
		{Path: "a/f", Kind: tree.Existing, Xattrs: map[string]string{"user.k": "v"}},
		{Path: "b", Kind: tree.Existing, Mtime: tree.At(120, 0)},
		{Path: "l", Kind: tree.Existing, Mtime: tree.At(121, 0)},
		{Path: "a", Kind: tree.Existing, Mtime: tree.At(122, 0)},
		{Path: ".", Kind: tree.Existing, Mtime: tree.At(116, 0)},
	})
}

// TestItemizeAttributeChanges: after attribute-only changes (perms,
// owner, xattr, directory and symlink mtimes), treesync -aiX prints the
// same lines as rsync -aiX (in any order) and copies no data.
func TestItemizeAttributeChanges(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	dst, ref := filepath.Join(dir, "treesync"), filepath.Join(dir, "rsync")
	build(t, src, itemizeNodes())
	mustRun(t, treesync, "-aX", src+"/", dst+"/")
	mustRun(t, rsync, "-aX", src+"/", ref+"/")
	changeAttributes(t, src)
	before := identities(t, dst)
	r := mustRun(t, treesync, "-aiX", src+"/", dst+"/")
	rr := mustRun(t, rsync, "-aiX", src+"/", ref+"/")
	if got, want := sortedLines(r.stdout), sortedLines(rr.stdout); got != want {
		t.Errorf("-i lines differ:\ntreesync:\n%s\nrsync:\n%s", got, want)
	}
	noDiff(t, "source vs treesync", src, dst, tree.Options{})
	after := identities(t, dst)
	for p, id := range before {
		if after[p].ino != id.ino && p != "l" { // a symlink's times may need a new link
			t.Errorf("%q was rewritten (new inode) for an attribute change", p)
		}
	}
}

// TestItemizeAllVsRsync: -ii lists the unchanged entries too, with a
// blank change string (".f          keep", ".d          sub/", a linked
// name's "hf          name"), as rsync does; the changed ones as -i.
func TestItemizeAllVsRsync(t *testing.T) {
	for _, opts := range [][]string{{"-ai"}, {"-ai", "--delete"}, {"-ain", "--delete"}, {"-rlti"}, {"-aHi"}, {"-ai", "-c"}, {"-ai", "--exclude=sub"},
		{"-ai", "--existing"}, {"-ai", "-m"}, {"-ain", "-m", "--existing"}, {"-ai", "-m", "--exclude=y.txt"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareWithRsync(t, opts) })
	}
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	build(t, src, compatSource())
	mustRun(t, treesync, "-a", src+"/", dst+"/")
	r := mustRun(t, treesync, "-aii", src+"/", dst+"/")
	for _, want := range []string{".d          ./\n", ".f          keep\n", ".d          sub/\n", ".L          link -> keep\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("-ii on an up-to-date tree: no %q in\n%s", want, r.stdout)
		}
	}
}

// TestHardLinksDryRunUpToDate: a dry run of an up-to-date tree with hard
// links itemizes nothing under -H, as rsync; it used to report each
// linked name as to be linked again ("hf name => first").
func TestHardLinksDryRunUpToDate(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{
		{Path: "a", Data: []byte("linked"), Mtime: at},
		{Path: "b", Kind: tree.Hardlink, Target: "a"},
		{Path: "sub", Kind: tree.Dir, Mtime: at},
		{Path: "sub/c", Kind: tree.Hardlink, Target: "a"},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	for _, opts := range [][]string{{"-aH", "-n"}, {"-aH", "-n", "--delete"}, {"-aHn", "-c"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) {
			compareTreesWithRsync(t, opts, source, source)
			dir := t.TempDir()
			build(t, filepath.Join(dir, "src"), source)
			build(t, filepath.Join(dir, "dst"), source)
			r := mustRun(t, treesync, append(opts, "-i", filepath.Join(dir, "src")+"/", filepath.Join(dir, "dst")+"/")...)
			if r.stdout != "" {
				t.Errorf("a dry run of an up-to-date tree itemized:\n%s", r.stdout)
			}
		})
	}
}
