//go:build linux

package e2e

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/treesync/treesync/e2e/tree"
)

func snapshotNodes(changed bool) []tree.Node {
	data := func(s string) []byte { return []byte(strings.Repeat(s, 20000)) }
	second := data("unchanged-2 ")
	if changed {
		second = data("changed-now ")
	}
	return []tree.Node{
		{Path: "a", Data: data("unchanged-1 "), Mtime: tree.At(100, 0)},
		{Path: "d", Kind: tree.Dir, Mtime: tree.At(300, 0)},
		{Path: "d/b", Data: second, Mtime: tree.At(200, 0)},
		{Path: ".", Kind: tree.Dir, Mtime: tree.At(400, 0)},
	}
}

func inode(t *testing.T, p string) uint64 {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Sys().(*syscall.Stat_t).Ino
}

// TestLinkDestLikeRsync: a second snapshot with --link-dest hard-links the
// unchanged files to the first snapshot and copies the changed one, as
// rsync does: same trees, same link structure.
func TestLinkDestLikeRsync(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	build(t, src, snapshotNodes(false))
	mustRun(t, treesync, "-a", src+"/", filepath.Join(dir, "ts1")+"/")
	mustRun(t, rsync, "-a", src+"/", filepath.Join(dir, "rs1")+"/")
	must(t, os.WriteFile(filepath.Join(src, "d/b"), snapshotNodes(true)[2].Data, 0o644))
	build(t, src, []tree.Node{{Path: "d/b", Kind: tree.Existing, Mtime: tree.At(250, 0)},
		{Path: "d", Kind: tree.Existing, Mtime: tree.At(300, 0)}})
	mustRun(t, treesync, "-a", "--link-dest=../ts1", src+"/", filepath.Join(dir, "ts2")+"/")
	mustRun(t, rsync, "-a", "--link-dest=../rs1", src+"/", filepath.Join(dir, "rs2")+"/")
	noDiff(t, "rsync vs treesync snapshot", filepath.Join(dir, "rs2"), filepath.Join(dir, "ts2"), tree.Options{})
	if inode(t, filepath.Join(dir, "ts1/a")) != inode(t, filepath.Join(dir, "ts2/a")) {
		t.Errorf("the unchanged file was not hard-linked to the previous snapshot")
	}
	if inode(t, filepath.Join(dir, "ts1/d/b")) == inode(t, filepath.Join(dir, "ts2/d/b")) {
		t.Errorf("the changed file was linked instead of copied")
	}
}

// TestCloneDestSharesBlocks: on XFS and btrfs, --clone-dest makes the
// unchanged files of a new snapshot reflinks of the previous one: shared
// extents, but their own inodes, so changing one snapshot never changes
// another.
func TestCloneDestSharesBlocks(t *testing.T) {
	forEachFS(t, func(t *testing.T, fs *Filesystem) {
		if !reflinkFS[fs.Name] {
			return
		}
		dir := fs.TempDir(t)
		src := filepath.Join(dir, "src")
		build(t, src, snapshotNodes(false))
		mustRun(t, treesync, "-a", "--reflink=never", src+"/", filepath.Join(dir, "snap1")+"/")
		r := mustRun(t, treesync, "-a", "--clone-dest=../snap1", src+"/", filepath.Join(dir, "snap2")+"/")
		noDiff(t, "source vs snapshot", src, filepath.Join(dir, "snap2"), tree.Options{})
		for _, f := range []string{"a", "d/b"} {
			one, two := filepath.Join(dir, "snap1", f), filepath.Join(dir, "snap2", f)
			if inode(t, one) == inode(t, two) {
				t.Errorf("%s: the snapshots share an inode", f)
			}
			if !allShared(t, two) {
				t.Errorf("%s: the new snapshot's extents are not shared with the previous one\n%s", f, r)
			}
		}
		must(t, os.WriteFile(filepath.Join(dir, "snap2", "a"), []byte("edited"), 0o644))
		if got, _ := os.ReadFile(filepath.Join(dir, "snap1", "a")); string(got) == "edited" {
			t.Errorf("editing one snapshot changed the other")
		}
	})
}

// TestCopyLinksDetectsLoops: with -L a symlink leading back to an
// ancestor is reported (exit 23) instead of followed forever; without -L
// it is copied as a symlink.
func TestCopyLinksDetectsLoops(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	build(t, src, []tree.Node{
		{Path: "d/f", Data: []byte("x")},
		{Path: "d/loop", Kind: tree.Symlink, Target: ".."},
	})
	r := treesync(t, "-aL", src+"/", filepath.Join(dir, "follow")+"/")
	if r.code != 23 || !strings.Contains(r.stderr, "symlink loop") {
		t.Errorf("-L on a loop: want exit 23 naming the loop, got\n%s", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "follow/d/f")); err != nil {
		t.Errorf("-L did not copy what the loop does not affect: %v", err)
	}
	mustRun(t, treesync, "-a", src+"/", filepath.Join(dir, "keep")+"/")
	if target, err := os.Readlink(filepath.Join(dir, "keep/d/loop")); err != nil || target != ".." {
		t.Errorf("without -L the loop must stay a symlink: %q %v", target, err)
	}
}

// TestAltDestFilesVsRsync: new files against a reference directory, as
// rsync grades them — an exact match is left out (--compare-dest) or
// linked (--link-dest), a match in content with other attributes is
// copied from the reference (a "cf" line), anything else transferred and
// itemized against the reference file — under the quick check, -I and -c.
func TestAltDestFilesVsRsync(t *testing.T) {
	source := []tree.Node{
		{Path: "same", Data: []byte("same"), Mode: 0o644, Mtime: tree.At(100, 0)},
		{Path: "attrs", Data: []byte("attrs"), Mode: 0o600, Mtime: tree.At(100, 0)},
		{Path: "older", Data: []byte("new content"), Mode: 0o644, Mtime: tree.At(200, 0)},
		{Path: "touched", Data: []byte("touched"), Mode: 0o644, Mtime: tree.At(300, 0)},
		{Path: "new", Data: []byte("new"), Mode: 0o644, Mtime: tree.At(100, 0)},
		{Path: ".", Kind: tree.Dir, Mtime: tree.At(100, 0)},
	}
	alt := []tree.Node{
		{Path: "same", Data: []byte("same"), Mode: 0o644, Mtime: tree.At(100, 0)},
		{Path: "attrs", Data: []byte("attrs"), Mode: 0o644, Mtime: tree.At(100, 0)},
		{Path: "older", Data: []byte("old"), Mode: 0o644, Mtime: tree.At(150, 0)},
		{Path: "touched", Data: []byte("touched"), Mode: 0o644, Mtime: tree.At(250, 0)},
		{Path: ".", Kind: tree.Dir, Mtime: tree.At(100, 0)},
	}
	stale := []tree.Node{{Path: ".", Kind: tree.Dir, Mtime: tree.At(100, 0)}}
	for _, mode := range []string{"--compare-dest=../alt", "--link-dest=../alt", "--copy-dest=../alt"} {
		for _, extra := range [][]string{nil, {"-I"}, {"-c"}, {"--size-only"}} {
			opts := append([]string{"-a", mode}, extra...)
			t.Run(strings.Join(opts, " "), func(t *testing.T) { compareWithRsyncRef(t, opts, source, stale, alt) })
		}
	}
}

// TestAltDestNodesVsRsync: new directories, symlinks, devices and fifos
// against a reference directory, as rsync grades them — an exact match
// (same value and attributes) is made silently (a directory, or under
// --copy-dest), left out (--compare-dest) or hard-linked (--link-dest);
// one of the same class with another value or attributes is itemized
// against the reference; one of another class, or none, is new. The
// lines, the trees and which names share the reference's inode must be
// rsync's.
func TestAltDestNodesVsRsync(t *testing.T) {
	requireRoot(t) // device nodes
	at, old := tree.At(100, 0), tree.At(50, 0)
	var source, alt []tree.Node
	for _, k := range []struct {
		name string
		kind tree.Kind
	}{{"d", tree.Dir}, {"l", tree.Symlink}, {"p", tree.Fifo}, {"c", tree.CharDev}} {
		for lvl := 0; lvl <= 4; lvl++ {
			n := tree.Node{Path: fmt.Sprintf("%s%d", k.name, lvl), Kind: k.kind, Target: "tgt", Rdev: unix.Mkdev(1, 3), Mode: 0o640, Mtime: at}
			if k.kind == tree.Dir {
				n.Mode = 0o750
			}
			source = append(source, n)
			switch lvl {
			case 1: // another value (directories and fifos: another mode)
				n.Target, n.Rdev, n.Mode = "other", unix.Mkdev(1, 5), 0o700
			case 2: // the same value, another time
				n.Mtime = old
			case 4: // another class
				n.Kind, n.Data = tree.File, []byte("x")
			}
			if lvl > 0 {
				alt = append(alt, n)
			}
		}
	}
	source = append(source, tree.Node{Path: ".", Kind: tree.Dir, Mtime: at})
	alt = append(alt, tree.Node{Path: ".", Kind: tree.Dir, Mtime: old})
	for _, mode := range []string{"--link-dest=../alt", "--compare-dest=../alt", "--copy-dest=../alt"} {
		for _, extra := range [][]string{{"-a"}, {"-an"}, {"-rlD"}, {"-a", "--no-p"}} {
			opts := append(slices.Clone(extra), mode)
			t.Run(strings.Join(opts, " "), func(t *testing.T) { altNodesVsRsync(t, opts, source, alt) })
		}
	}
}

func altNodesVsRsync(t *testing.T, opts []string, source, alt []tree.Node) {
	dir := t.TempDir()
	build(t, filepath.Join(dir, "src"), source)
	build(t, filepath.Join(dir, "alt"), alt)
	src, dst, ref := filepath.Join(dir, "src")+"/", filepath.Join(dir, "ts")+"/", filepath.Join(dir, "rs")+"/"
	args := append([]string{"-i"}, opts...)
	start := time.Now().Add(-time.Second) // the filesystem's clock is coarser
	r, rr := treesync(t, append(args, src, dst)...), rsync(t, append(args, src, ref)...)
	if r.code != 0 || rr.code != 0 || itemLines(r.stdout, nil) != itemLines(rr.stdout, nil) {
		t.Fatalf("lines differ:\n%s\n%s", r, rr)
	}
	if slices.Contains(opts, "-an") {
		return
	}
	noDiff(t, "rsync vs treesync", ref, dst, tree.Options{TouchedSince: start}) // times of the run, without -t
	for _, n := range source {
		if linkedTo(filepath.Join(dir, "alt", n.Path), dst+n.Path) != linkedTo(filepath.Join(dir, "alt", n.Path), ref+n.Path) {
			t.Errorf("%s: linked to the reference %v, by rsync %v", n.Path,
				linkedTo(filepath.Join(dir, "alt", n.Path), dst+n.Path), linkedTo(filepath.Join(dir, "alt", n.Path), ref+n.Path))
		}
	}
}

// linkedTo reports whether b is a hard link of a (neither followed).
func linkedTo(a, b string) bool {
	sa, errA := os.Lstat(a)
	sb, errB := os.Lstat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// TestLinkDestXattrsVsRsync: under -X a reference file is linked only
// when its extended attributes are the source's too, as rsync links it:
// one with the same ones is linked, one with another the source lacks is
// not (linking it would give the snapshot that attribute).
func TestLinkDestXattrsVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "same", Data: []byte("a"), Mtime: at, Xattrs: map[string]string{"user.a": "1"}},
		{Path: "extra", Data: []byte("b"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	alt := []tree.Node{{Path: "same", Data: []byte("a"), Mtime: at, Xattrs: map[string]string{"user.a": "1"}},
		{Path: "extra", Data: []byte("b"), Mtime: at, Xattrs: map[string]string{"user.z": "9"}}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: ".", Kind: tree.Dir, Mtime: at}}
	opts := []string{"-aX", "--link-dest=../alt"}
	compareWithRsyncRef(t, opts, source, stale, alt)
	dir := t.TempDir()
	build(t, filepath.Join(dir, "alt"), alt)
	build(t, filepath.Join(dir, "src"), source)
	mustRun(t, treesync, append(opts, filepath.Join(dir, "src")+"/", filepath.Join(dir, "dst")+"/")...)
	for name, linked := range map[string]bool{"same": true, "extra": false} {
		a, b := lstatIno(t, filepath.Join(dir, "alt", name)), lstatIno(t, filepath.Join(dir, "dst", name))
		if (a == b) != linked {
			t.Errorf("%s: linked %v, want %v", name, a == b, linked)
		}
	}
}

// TestMissingAltDestVsRsync: a reference directory that is not there (a
// snapshot script's first night: --link-dest=../yesterday) or is not a
// directory is left out with rsync's note on stdout, and the run copies
// as without it — exit 0, the tree and the lines rsync's — where it used
// to stop with exit 3.
func TestMissingAltDestVsRsync(t *testing.T) {
	alt := []tree.Node{{Path: "keep", Data: []byte("same"), Mtime: tree.At(100, 0)}}
	for _, c := range []struct {
		opts []string
		alt  []tree.Node
		note string
	}{
		{[]string{"-a", "--link-dest=../alt"}, nil, "--link-dest arg does not exist: "},
		{[]string{"-a", "--compare-dest=../nowhere", "--compare-dest=../alt"}, alt, "--compare-dest arg does not exist: "},
		{[]string{"-a", "--compare-dest=../alt"}, alt, ""},
		{[]string{"-a", "--copy-dest=../src/keep"}, nil, "--copy-dest arg is not a dir: "},
		{[]string{"-a", "--link-dest=/nonexistent/snapshot", "--delete"}, nil, "--link-dest arg does not exist: /nonexistent/snapshot"},
	} {
		t.Run(strings.Join(c.opts, " "), func(t *testing.T) {
			compareWithRsyncRef(t, c.opts, compatSource(), compatStale(), c.alt)
			dir := t.TempDir()
			build(t, filepath.Join(dir, "src"), compatSource())
			r := treesync(t, append(c.opts, filepath.Join(dir, "src")+"/", filepath.Join(dir, "dst")+"/")...)
			if r.code != 0 || !strings.Contains(r.stdout, c.note) {
				t.Errorf("want exit 0 and %q on stdout, got\n%s", c.note, r)
			}
		})
	}
}

// TestRedundantFilesVsRsync: a destination file (up to date or not)
// whose source has an exact match in a reference tree is made redundant,
// as rsync does: --compare-dest deletes it (the destination keeps only
// what differs from the references), --link-dest makes it a link to the
// reference. A reference that differs in mode and a file -u keeps are
// checked as usual.
func TestRedundantFilesVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{
		{Path: "current", Data: []byte("same"), Mtime: at},
		{Path: "stale", Data: []byte("new data"), Mtime: at},
		{Path: "moded", Data: []byte("mode"), Mode: 0o600, Mtime: at},
		{Path: "kept", Data: []byte("kept"), Mtime: at},
		{Path: "sub", Kind: tree.Dir, Mtime: at},
		{Path: "sub/deep", Data: []byte("deep"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	alt := slices.Clone(source) // the same, but moded's mode
	alt[2].Mode = 0o644
	stale := []tree.Node{
		{Path: "current", Data: []byte("same"), Mtime: at},
		{Path: "stale", Data: []byte("old"), Mtime: tree.At(50, 0)},
		{Path: "moded", Data: []byte("mode"), Mode: 0o600, Mtime: at},
		{Path: "kept", Data: []byte("newer here"), Mtime: tree.At(900, 0)},
		{Path: "sub", Kind: tree.Dir, Mtime: at},
		{Path: "sub/deep", Data: []byte("deep"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	for _, mode := range []string{"--compare-dest=../alt", "--link-dest=../alt"} {
		for _, extra := range [][]string{nil, {"-c"}, {"-u"}, {"-n"}, {"-I"}, {"--delete"}} {
			opts := append([]string{"-a", mode}, extra...)
			t.Run(strings.Join(opts, " "), func(t *testing.T) {
				compareWithRsyncRef(t, opts, source, stale, alt)
				dir := t.TempDir()
				build(t, filepath.Join(dir, "src"), source)
				build(t, filepath.Join(dir, "alt"), alt)
				build(t, filepath.Join(dir, "dst"), stale)
				mustRun(t, treesync, append(opts, filepath.Join(dir, "src")+"/", filepath.Join(dir, "dst")+"/")...)
				checkRedundant(t, dir, opts)
			})
		}
	}
}

// checkRedundant checks what TestRedundantFilesVsRsync's run left in
// dir/dst against the reference tree dir/alt.
func checkRedundant(t *testing.T, dir string, opts []string) {
	t.Helper()
	// (-I: no reference passes the quick check)
	changed := !slices.Contains(opts, "-n") && !slices.Contains(opts, "-I")
	update := slices.Contains(opts, "-u")
	names := []string{"current", "stale", "sub/deep", "moded"}
	if !update {
		names = append(names, "kept")
	} else if data, err := os.ReadFile(filepath.Join(dir, "dst", "kept")); string(data) != "newer here" {
		t.Errorf("kept: %q %v: -u keeps the newer file", data, err)
	}
	for _, name := range names {
		dst, ref := filepath.Join(dir, "dst", name), filepath.Join(dir, "alt", name)
		redundant := changed && name != "moded"
		dstSt, err := os.Stat(dst)
		switch {
		case slices.Contains(opts, "--compare-dest=../alt"):
			if gone := errors.Is(err, fs.ErrNotExist); gone != redundant {
				t.Errorf("%s: deleted %v, want %v (%v)", name, gone, redundant, err)
			}
		case err != nil:
			t.Errorf("%s: %v", name, err)
		default:
			refSt, err := os.Stat(ref)
			if linked := err == nil && os.SameFile(dstSt, refSt); linked != redundant {
				t.Errorf("%s: linked to the reference %v, want %v", name, linked, redundant)
			}
		}
	}
}

// TestHardLinksLeftOut: under -H --compare-dest, a hard-link group whose
// first name is left out (its reference matches exactly) has no copy for
// the other names to link to: each is then graded on its own — left out
// too, or copied. It used to fail them all ("stat copy", exit 23). rsync
// 3.5 hangs here, so the outcome is checked by itself.
func TestHardLinksLeftOut(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{
		{Path: "a", Data: []byte("group"), Mtime: at},
		{Path: "b", Kind: tree.Hardlink, Target: "a"},
		{Path: "c", Kind: tree.Hardlink, Target: "a"},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	alt := []tree.Node{{Path: "a", Data: []byte("group"), Mtime: at}, {Path: "b", Data: []byte("group"), Mtime: at}}
	dir := t.TempDir()
	build(t, filepath.Join(dir, "src"), source)
	build(t, filepath.Join(dir, "alt"), alt)
	mustRun(t, treesync, "-aH", "--compare-dest=../alt", filepath.Join(dir, "src")+"/", filepath.Join(dir, "dst")+"/")
	for name, kept := range map[string]bool{"a": false, "b": false, "c": true} {
		data, err := os.ReadFile(filepath.Join(dir, "dst", name))
		if kept != (err == nil) || (kept && string(data) != "group") {
			t.Errorf("%s: copied %v, want %v (%q)", name, err == nil, kept, data)
		}
	}
}

// TestRemoveSourceWithReferencesVsRsync: --remove-source-files removes
// the source of a file a reference tree stood for, but not that of a
// symlink or fifo an exact match there stood for (rsync's receiver never
// reports it sent); the sources left must be rsync's.
func TestRemoveSourceWithReferencesVsRsync(t *testing.T) {
	requireRoot(t) // (the fifo)
	at := tree.At(100, 0)
	nodes := []tree.Node{
		{Path: "f", Data: []byte("same"), Mtime: at},
		{Path: "l", Kind: tree.Symlink, Target: "f", Mtime: at},
		{Path: "p", Kind: tree.Fifo, Mode: 0o644, Mtime: at},
		{Path: "other", Kind: tree.Symlink, Target: "elsewhere", Mtime: at},
	}
	source := append(slices.Clone(nodes), tree.Node{Path: "new", Data: []byte("new"), Mtime: at}, tree.Node{Path: ".", Kind: tree.Dir, Mtime: at})
	alt := append(slices.Clone(nodes[:3]), tree.Node{Path: "other", Kind: tree.Symlink, Target: "f", Mtime: at})
	stale := []tree.Node{{Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, mode := range []string{"--compare-dest=../alt", "--link-dest=../alt", "--copy-dest=../alt"} {
		opts := []string{"-a", "--remove-source-files", mode}
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareWithRsyncRef(t, opts, source, stale, alt) })
	}
}

// TestAltDestEdgesVsRsync: reference trees where rsync's rules are its
// own, found by the random comparison with reference trees: a symlink
// replacing an entry of another type is made without a look at the
// references (only a name with nothing there is looked up); -c decides a
// reference's contents before -I (rsync's quick-check order); and
// without -p a new file transferred against a reference file gets that
// file's permissions, as an existing one's, and one copied from a
// reference over a symlink the symlink's (rsync's generator takes them
// before it deletes it). Under -H --compare-dest a member of a group
// whose reference matches is left out whichever member leads. A file
// --copy-dest copies is itemized "cf" under -ii, and "cf..T" without -t
// (the copy gets the time it is made at), as rsync.
func TestAltDestEdgesVsRsync(t *testing.T) {
	at, later := tree.At(100, 0), tree.At(200, 0)
	source := []tree.Node{
		{Path: "l", Kind: tree.Symlink, Target: "f", Mtime: at},
		{Path: "f", Data: []byte("same"), Mode: 0o600, Mtime: at},
		{Path: "g", Data: []byte("newer"), Mode: 0o600, Mtime: later},
		{Path: "s", Data: []byte("over a symlink"), Mode: 0o600, Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	alt := []tree.Node{
		{Path: "l", Kind: tree.Symlink, Target: "f", Mtime: at},
		{Path: "f", Data: []byte("same"), Mode: 0o600, Mtime: at},
		{Path: "g", Data: []byte("older"), Mode: 0o751, Mtime: at},
		{Path: "s", Data: []byte("over a symlink"), Mode: 0o640, Mtime: at},
	}
	stale := []tree.Node{{Path: "l", Data: []byte("a file in the way"), Mtime: at},
		{Path: "s", Kind: tree.Symlink, Target: "x", Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, opts := range [][]string{{"-a", "--compare-dest=../alt"}, {"-a", "--link-dest=../alt"}, {"-a", "-c", "-I", "--compare-dest=../alt"},
		{"-a", "-c", "-I", "--link-dest=../alt"}, {"-rlt", "--compare-dest=../alt"}, {"-rlt", "--copy-dest=../alt"},
		{"-rlt", "--link-dest=../alt"}, {"-r", "--copy-dest=../alt"}, {"-ai", "--copy-dest=../alt"}, {"-r", "-c", "--link-dest=../alt"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareWithRsyncRef(t, opts, source, stale, alt) })
	}
}

// TestAppendWithReferences: under --append a new file whose reference is
// not shorter than its source is made all the same, from the source
// (rsync 3.5 makes none: README), with every reference option.
func TestAppendWithReferences(t *testing.T) {
	source := []tree.Node{{Path: "same", Data: []byte("new data"), Mtime: tree.At(200, 0)},
		{Path: "short", Data: []byte("new"), Mtime: tree.At(200, 0)}}
	alt := []tree.Node{{Path: "same", Data: []byte("old data"), Mtime: tree.At(100, 0)},
		{Path: "short", Data: []byte("older and longer"), Mtime: tree.At(100, 0)}}
	for _, mode := range []string{"--link-dest", "--compare-dest", "--copy-dest"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			build(t, filepath.Join(dir, "src"), source)
			build(t, filepath.Join(dir, "alt"), alt)
			dst := filepath.Join(dir, "dst")
			mustRun(t, treesync, "-a", "--append", mode+"=../alt", filepath.Join(dir, "src")+"/", dst+"/")
			noDiff(t, "source vs destination", filepath.Join(dir, "src"), dst, tree.Options{})
		})
	}
}

// TestItemizeAllWithReferencesVsRsync: under -ii a new directory that a
// reference tree holds with its attributes is listed "cd", and under
// --copy-dest a symlink or special file copied from its exact match "cL",
// "cS" (rsync lists them with blank changes; -i shows nothing). One
// whose reference differs is itemized against it, with a time change
// where directory times are not kept (no -t, -O), as rsync; under -E
// without -p an executable bit that differs from the reference's counts
// for a directory or special file there as for a regular file.
func TestItemizeAllWithReferencesVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{
		{Path: "dir", Kind: tree.Dir, Mtime: at},
		{Path: "dir/f", Data: []byte("f"), Mtime: at},
		{Path: "sym", Kind: tree.Symlink, Target: "tgt", Mtime: at},
		{Path: "fifo", Kind: tree.Fifo, Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	stale := []tree.Node{{Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, mode := range []string{"--link-dest=../alt", "--compare-dest=../alt", "--copy-dest=../alt"} {
		for _, opts := range [][]string{{"-a", "-i"}, {"-rl", "-i"}, {"-a", "-i", "-n"}, {"-a"}, {"-a", "-i", "-m"}} {
			opts := append(opts, mode)
			t.Run(strings.Join(opts, " "), func(t *testing.T) { compareWithRsyncRef(t, opts, source, stale, source[:4]) })
		}
		other := append([]tree.Node{{Path: "dir", Kind: tree.Dir, Mode: 0o700, Mtime: at}}, source[1:4]...)
		for _, opts := range [][]string{{"-rpt", "-O"}, {"-rp"}, {"-a"}} {
			opts := append(opts, mode)
			t.Run(strings.Join(opts, " ")+" (other mode)", func(t *testing.T) { compareWithRsyncRef(t, opts, source, stale, other) })
		}
		exec := []tree.Node{{Path: "dir", Kind: tree.Dir, Mode: 0o644, Mtime: at}, source[1], source[2],
			{Path: "fifo", Kind: tree.Fifo, Mode: 0o755, Mtime: at}}
		for _, opts := range [][]string{{"-rltD", "-E", "-i"}, {"-a", "--no-p", "-E", "--chmod=Fu+x"}} {
			opts := append(opts, mode)
			t.Run(strings.Join(opts, " ")+" (executable)", func(t *testing.T) { compareWithRsyncRef(t, opts, source, stale, exec) })
		}
	}
}

// TestReferenceXattrsVsRsync: under -X a file made from or against a
// reference is itemized against the reference's extended attributes
// (a copy of an exact match shows no x), as rsync does.
func TestReferenceXattrsVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	x := func(v string) map[string]string { return map[string]string{"user.a": v} }
	source := []tree.Node{
		{Path: "same", Data: []byte("same"), Xattrs: x("1"), Mtime: at},
		{Path: "other", Data: []byte("other"), Xattrs: x("1"), Mtime: at},
		{Path: "basis", Data: []byte("basis"), Xattrs: x("1"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	alt := []tree.Node{
		{Path: "same", Data: []byte("same"), Xattrs: x("1"), Mtime: at},
		{Path: "other", Data: []byte("other"), Xattrs: x("2"), Mtime: at},
		{Path: "basis", Data: []byte("older"), Xattrs: x("1"), Mtime: tree.At(50, 0)},
	}
	stale := []tree.Node{{Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, mode := range []string{"--link-dest=../alt", "--compare-dest=../alt", "--copy-dest=../alt"} {
		for _, opts := range [][]string{{"-a", "-X", "-i"}, {"-a", "-X"}} {
			opts := append(opts, mode)
			t.Run(strings.Join(opts, " "), func(t *testing.T) { compareWithRsyncRef(t, opts, source, stale, alt) })
		}
	}
}

// TestReferenceAccessTimeVsRsync: under -U a reference file that matches
// but for its access time is still an exact match, as rsync's is (its
// match leaves the access time out): --compare-dest leaves the file out
// and itemizes the difference (".f......u.."), --link-dest links it and
// gives the link the source's access time, --copy-dest copies it ("cf").
// treesync took such a file for a match in content only and copied it,
// under --compare-dest and --link-dest too (seed 120595).
func TestReferenceAccessTimeVsRsync(t *testing.T) {
	at, later := tree.At(100, 0), tree.At(150, 0)
	for _, c := range []struct {
		opts    []string
		refTime time.Time
	}{
		{[]string{"-rlt", "-U", "--compare-dest=../alt"}, at}, {[]string{"-rlt", "-U", "--link-dest=../alt"}, at},
		{[]string{"-rlt", "-U", "--copy-dest=../alt"}, at}, {[]string{"-rl", "-U", "--no-t", "--size-only", "--compare-dest=../alt"}, later},
		{[]string{"-rlt", "--compare-dest=../alt"}, at},
	} {
		t.Run(strings.Join(c.opts, " "), func(t *testing.T) {
			dir := t.TempDir()
			src, alt := filepath.Join(dir, "src"), filepath.Join(dir, "alt")
			dst, ref := filepath.Join(dir, "treesync"), filepath.Join(dir, "rsync")
			build(t, src, []tree.Node{{Path: "f", Data: []byte("same"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}})
			var r, rr result
			for _, run := range []struct {
				tool, to string
				got      *result
			}{{binary, dst, &r}, {"rsync", ref, &rr}} {
				build(t, alt, []tree.Node{{Path: "f", Data: []byte("same"), Mtime: c.refTime}, {Path: ".", Kind: tree.Dir, Mtime: at}})
				ts := []unix.Timespec{unix.NsecToTimespec(tree.At(120, 0).UnixNano()), {Nsec: unix.UTIME_OMIT}}
				must(t, unix.UtimesNanoAt(unix.AT_FDCWD, filepath.Join(alt, "f"), ts, 0))
				must(t, os.Mkdir(run.to, 0o755))
				*run.got = execIn(t, "", slices.Concat([]string{run.tool, "-i"}, c.opts, []string{src + "/", run.to + "/"})...)
				if run.tool == binary { // (rsync's run gets a fresh reference: -U's link moves its access time)
					must(t, os.RemoveAll(alt))
				}
			}
			if r.code != 0 || rr.code != 0 || itemLines(r.stdout, nil) != itemLines(rr.stdout, nil) {
				t.Fatalf("exit codes or itemized lines differ\n%s\n%s", r, rr)
			}
			noDiff(t, "rsync vs treesync", ref, dst, tree.Options{IgnoreDirMtime: true})
			var st, rst unix.Stat_t
			err, rerr := unix.Stat(filepath.Join(dst, "f"), &st), unix.Stat(filepath.Join(ref, "f"), &rst)
			if (err == nil) != (rerr == nil) || st.Atim != rst.Atim {
				t.Errorf("f: atime %v (%v); rsync's %v (%v)", st.Atim, err, rst.Atim, rerr)
			}
		})
	}
}

// TestHardLinkLeaderFromReferenceVsRsync: under -H, the member of a
// group that has a file of its name in the reference tree is the one the
// group starts from, as rsync starts it (the members before it wait for
// the group's last name): under --link-dest every name is then linked to
// the reference, under --copy-dest copied from it. Into an empty
// destination (a first snapshot), a stale one, and one where that member
// is there with other data of the same size (an exact reference makes it
// redundant: linked too, even where --size-only takes it for current);
// without -t the times show which.
func TestHardLinkLeaderFromReferenceVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{
		{Path: "a", Data: []byte("same"), Mtime: at}, {Path: "b", Kind: tree.Hardlink, Target: "a"},
		{Path: "d1", Kind: tree.Dir, Mtime: at}, {Path: "d1/c", Data: []byte("other"), Mtime: at},
		{Path: "d2", Kind: tree.Dir, Mtime: at}, {Path: "d2/c", Kind: tree.Hardlink, Target: "d1/c"},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	alt := []tree.Node{
		{Path: "b", Data: []byte("same"), Mtime: at},
		{Path: "d2", Kind: tree.Dir, Mtime: at}, {Path: "d2/c", Data: []byte("other"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	stales := map[string][]tree.Node{
		"empty":    nil,
		"stale":    {{Path: "x", Data: []byte("x"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}},
		"existing": {{Path: "b", Data: []byte("SAME"), Mtime: tree.At(200, 0)}, {Path: ".", Kind: tree.Dir, Mtime: at}},
	}
	for name, stale := range stales {
		for _, opts := range [][]string{{"-aH", "--link-dest=../alt"}, {"-aH", "--no-t", "--link-dest=../alt"}, {"-aH", "--no-t", "--copy-dest=../alt"}, {"-aHn", "--link-dest=../alt"},
			{"-aH", "--size-only", "--link-dest=../alt"}} {
			t.Run(name+" "+strings.Join(opts, " "), func(t *testing.T) { leaderFromReferenceVsRsync(t, opts, source, stale, alt) })
		}
	}
}

func leaderFromReferenceVsRsync(t *testing.T, opts []string, source, stale, alt []tree.Node) {
	dir := t.TempDir()
	build(t, filepath.Join(dir, "src"), source)
	build(t, filepath.Join(dir, "alt"), alt)
	src, dst, ref := filepath.Join(dir, "src")+"/", filepath.Join(dir, "ts")+"/", filepath.Join(dir, "rs")+"/"
	if stale != nil {
		build(t, dst, stale)
		build(t, ref, stale)
	}
	args := append([]string{"-i"}, opts...)
	start := time.Now().Add(-time.Second)
	r, rr := treesync(t, append(args, src, dst)...), rsync(t, append(args, src, ref)...)
	if r.code != 0 || rr.code != 0 || itemLines(r.stdout, nil) != itemLines(rr.stdout, nil) {
		t.Fatalf("lines differ:\n%s\n%s", r, rr)
	}
	if slices.Contains(opts, "-aHn") {
		return
	}
	noDiff(t, "rsync vs treesync", ref, dst, tree.Options{IgnoreDirMtime: true, TouchedSince: start}) // (copies made without -t)
	for _, p := range []string{"a", "b", "d1/c", "d2/c"} {
		for _, reference := range []string{"b", "d2/c"} {
			got, want := linkedTo(filepath.Join(dir, "alt", reference), dst+p), linkedTo(filepath.Join(dir, "alt", reference), ref+p)
			if got != want {
				t.Errorf("%s: linked to the reference %s %v, by rsync %v", p, reference, got, want)
			}
		}
	}
}

// TestReferenceThroughSymlinkVsRsync: a directory of the reference tree
// reached through a symlink there that stays inside it is looked in, as
// rsync's path is resolved: a file matching there is linked (seed 130214,
// with -k). One that leads out of the reference tree is not followed
// (README): the file is copied, not linked to what lies outside.
func TestReferenceThroughSymlinkVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "d", Kind: tree.Dir, Mtime: at}, {Path: "d/f", Data: []byte("same"), Mtime: at},
		{Path: "out", Kind: tree.Dir, Mtime: at}, {Path: "out/g", Data: []byte("other"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at}}
	alt := []tree.Node{{Path: "real", Kind: tree.Dir, Mtime: at}, {Path: "real/f", Data: []byte("same"), Mtime: at},
		{Path: "d", Kind: tree.Symlink, Target: "real", Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, opts := range [][]string{{"-a", "--link-dest=../alt"}, {"-a", "--compare-dest=../alt"}, {"-an", "--link-dest=../alt"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) {
			dir := t.TempDir()
			build(t, filepath.Join(dir, "src"), source)
			build(t, filepath.Join(dir, "alt"), alt)
			outside := filepath.Join(dir, "outside")
			build(t, outside, []tree.Node{{Path: "g", Data: []byte("other"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}})
			must(t, os.Symlink(outside, filepath.Join(dir, "alt", "out")))
			src, dst, ref := filepath.Join(dir, "src")+"/", filepath.Join(dir, "ts")+"/", filepath.Join(dir, "rs")+"/"
			args := append([]string{"-i", "--exclude=/out"}, opts...)
			r, rr := treesync(t, append(args, src, dst)...), rsync(t, append(args, src, ref)...)
			if r.code != 0 || rr.code != 0 || itemLines(r.stdout, nil) != itemLines(rr.stdout, nil) {
				t.Fatalf("lines differ:\n%s\n%s", r, rr)
			}
			if slices.Contains(opts, "-an") {
				return
			}
			noDiff(t, "rsync vs treesync", ref, dst, tree.Options{IgnoreDirMtime: true})
			if got, want := linkedTo(filepath.Join(dir, "alt/real/f"), dst+"d/f"), linkedTo(filepath.Join(dir, "alt/real/f"), ref+"d/f"); got != want {
				t.Errorf("d/f linked to the reference: %v, rsync %v", got, want)
			}
			dst2 := filepath.Join(dir, "ts2") + "/"
			r = treesync(t, "-a", "--link-dest="+filepath.Join(dir, "alt"), src, dst2)
			if r.code != 0 || linkedTo(filepath.Join(outside, "g"), dst2+"out/g") || !linkedTo(filepath.Join(dir, "alt/real/f"), dst2+"d/f") {
				t.Errorf("out/g linked to a file outside the reference tree, d/f not to the one inside, or a failure:\n%s", r)
			}
		})
	}
}
