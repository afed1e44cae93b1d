//go:build linux

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/treesync/treesync/e2e/tree"
)

func typeChangeNodes() []tree.Node {
	return []tree.Node{
		{Path: "f1", Data: []byte("a"), Mtime: tree.At(90, 1)},
		{Path: "f2", Data: []byte("b"), Mtime: tree.At(91, 1)},
		{Path: "l1", Kind: tree.Symlink, Target: "f1", Mtime: tree.At(92, 1)},
		{Path: "d1", Kind: tree.Dir, Mtime: tree.At(93, 1)},
		{Path: "d1/c", Data: []byte("c"), Mtime: tree.At(94, 1)},
		{Path: "d2", Kind: tree.Dir, Mtime: tree.At(95, 1)},
		{Path: "d2/sub", Kind: tree.Dir, Mtime: tree.At(96, 1)},
		{Path: "d2/sub/e", Data: []byte("e"), Mtime: tree.At(97, 1)},
		{Path: "d3", Kind: tree.Dir, Mtime: tree.At(98, 1)},
		{Path: ".", Kind: tree.Dir, Mtime: tree.At(99, 1)},
	}
}

// changeTypes turns, in the source: a file into a directory, a
// non-empty directory into a file, a file into a symlink, a symlink
// into a file, a non-empty directory into a symlink, and an empty
// directory into a file.
func changeTypes(t *testing.T, src string) {
	t.Helper()
	for _, p := range []string{"f1", "d1", "f2", "l1", "d2", "d3"} {
		must(t, os.RemoveAll(filepath.Join(src, p)))
	}
	build(t, src, []tree.Node{
		{Path: "f1", Kind: tree.Dir, Mtime: tree.At(100, 2)},
		{Path: "f1/inner", Data: []byte("inner"), Mtime: tree.At(101, 2)},
		{Path: "d1", Data: []byte("now a file"), Mtime: tree.At(102, 2)},
		{Path: "f2", Kind: tree.Symlink, Target: "d2", Mtime: tree.At(103, 2)},
		{Path: "l1", Data: []byte("now a file"), Mtime: tree.At(104, 2)},
		{Path: "d2", Kind: tree.Symlink, Target: "f1", Mtime: tree.At(105, 2)},
		{Path: "d3", Data: []byte("was empty"), Mtime: tree.At(106, 2)},
		{Path: ".", Kind: tree.Dir, Mtime: tree.At(107, 2)},
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestTypeChanges syncs a tree, changes the types of its entries, and
// resyncs with treesync and rsync, without and with --delete (without
// it, a non-empty directory cannot be replaced: exit 23 for both).
// Exit codes and trees must match rsync's, and with --delete the copy
// must equal the source. All mtimes are set, whole seconds apart:
// rsync's default --modify-window=0 compares whole seconds.
func TestTypeChanges(t *testing.T) {
	for _, extra := range [][]string{{"-a"}, {"-a", "--delete"}} {
		t.Run(extra[len(extra)-1], func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join(dir, "src")
			dst, ref := filepath.Join(dir, "treesync"), filepath.Join(dir, "rsync")
			build(t, src, typeChangeNodes())
			mustRun(t, treesync, "-a", src+"/", dst+"/")
			mustRun(t, rsync, "-a", src+"/", ref+"/")
			changeTypes(t, src)
			r := treesync(t, append(extra, src+"/", dst+"/")...)
			rr := rsync(t, append(extra, src+"/", ref+"/")...)
			if r.code != rr.code {
				t.Errorf("exit codes differ: rsync %d, treesync %d\n%s\n%s", rr.code, r.code, rr, r)
			}
			noDiff(t, "rsync vs treesync after type changes", ref, dst, tree.Options{})
			if len(extra) > 1 {
				noDiff(t, "source vs treesync --delete", src, dst, tree.Options{})
			}
		})
	}
}

// TestPruneVsRsync: under -m, a source directory whose subtree holds no
// files (after the filter rules) is as absent: a file in its way at the
// destination is left alone, or deleted under --delete; an existing
// destination directory keeps its attributes, or is deleted under
// --delete; where the subtree has files, the directory replaces the file.
// A pruned directory that keeps excluded entries is deleted as far as it
// can be, in every delete mode: what went is gone from it (its time is
// the deletion's), and rsync's "cannot delete non-empty directory" line.
func TestPruneVsRsync(t *testing.T) {
	source := []tree.Node{
		{Path: "x", Kind: tree.Dir, Mtime: tree.At(100, 0)}, {Path: "x/empty", Kind: tree.Dir, Mtime: tree.At(100, 0)},
		{Path: "y", Kind: tree.Dir, Mode: 0o700, Mtime: tree.At(100, 0)}, {Path: "y/empty", Kind: tree.Dir, Mtime: tree.At(100, 0)},
		{Path: "z", Kind: tree.Dir, Mtime: tree.At(100, 0)}, {Path: "z/f.o", Data: []byte("o"), Mtime: tree.At(100, 0)},
		{Path: "w", Kind: tree.Dir, Mtime: tree.At(100, 0)}, {Path: "w/f", Data: []byte("f"), Mtime: tree.At(100, 0)},
		{Path: "v", Kind: tree.Dir, Mtime: tree.At(100, 0)}, {Path: "v/empty", Kind: tree.Dir, Mtime: tree.At(100, 0)},
		{Path: "v/keep.o", Data: []byte("o"), Mtime: tree.At(100, 0)},
		{Path: "u", Kind: tree.Dir, Mtime: tree.At(100, 0)}, {Path: "u/sub", Kind: tree.Dir, Mtime: tree.At(100, 0)},
		{Path: "u/sub/deeper", Kind: tree.Dir, Mtime: tree.At(100, 0)}, {Path: "u/f.o", Data: []byte("o"), Mtime: tree.At(100, 0)},
		{Path: ".", Kind: tree.Dir, Mtime: tree.At(100, 0)},
	}
	stale := []tree.Node{
		{Path: "u", Kind: tree.Dir, Mtime: tree.At(200, 0)}, {Path: "u/sub", Kind: tree.Dir, Mtime: tree.At(200, 0)},
		{Path: "u/sub/deeper", Kind: tree.Dir, Mtime: tree.At(200, 0)}, {Path: "u/f.o", Data: []byte("kept"), Mtime: tree.At(100, 0)},
		{Path: "u/extra", Data: []byte("extra"), Mtime: tree.At(100, 0)},
		{Path: "x", Data: []byte("a file in the way"), Mtime: tree.At(100, 0)},
		{Path: "y", Kind: tree.Dir, Mtime: tree.At(200, 0)}, {Path: "y/old", Data: []byte("old"), Mtime: tree.At(100, 0)},
		{Path: "z", Data: []byte("in the way of excluded files only"), Mtime: tree.At(100, 0)},
		{Path: "w", Data: []byte("in the way of a file"), Mtime: tree.At(100, 0)},
		{Path: "v", Kind: tree.Dir, Mtime: tree.At(200, 0)}, {Path: "v/keep.o", Data: []byte("o"), Mtime: tree.At(100, 0)},
		{Path: ".", Kind: tree.Dir, Mtime: tree.At(100, 0)},
	}
	for _, opts := range [][]string{{"-a", "-m", "--exclude=*.o"}, {"-a", "-m", "--delete", "--exclude=*.o"},
		{"-an", "-m", "--delete", "--exclude=*.o"}, {"-a", "-m", "--delete-before", "--exclude=*.o"},
		{"-a", "-m", "--delete-after", "--exclude=*.o"}, {"-a", "-m", "--delete-during", "--exclude=*.o"},
		{"-a", "-m", "--delete-delay", "--exclude=*.o"}, {"-a", "-m", "--delete-during", "--exclude=*.o", "-v"},
		{"-a", "-m", "--delete-during", "--exclude=*.o", "--chown=1:2"}, {"-a", "-m", "--exclude=*.o", "--chmod=Dg+s"}} { // (a pruned directory keeps its group and mode: seed 122600)
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareTreesWithRsync(t, opts, source, stale) })
	}
}

// TestDirInTheWayVsRsync replaces directories with contents by a file, a
// symlink and the names of a hard-linked file, as rsync does: with
// --delete or --force the contents are itemized as deleted (and counted
// against --max-delete), the directory itself is not; a dry run reports
// the same; without those options, or with backups kept beside the
// files, the directory stays and the run exits 23.
func TestDirInTheWayVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{
		{Path: "a", Data: []byte("a file"), Mtime: at}, {Path: "b", Kind: tree.Symlink, Target: "a", Mtime: at},
		{Path: "h1", Data: []byte("linked"), Mtime: at}, {Path: "h2", Kind: tree.Hardlink, Target: "h1"},
		{Path: "keep", Kind: tree.Dir, Mtime: at}, {Path: "keep/f", Data: []byte("f"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	var stale []tree.Node
	for _, name := range []string{"a", "b", "h2"} {
		stale = append(stale, tree.Node{Path: name, Kind: tree.Dir, Mtime: at},
			tree.Node{Path: name + "/x", Data: []byte("x"), Mtime: at},
			tree.Node{Path: name + "/sub", Kind: tree.Dir, Mode: 0o700, Mtime: tree.At(200, 0)},
			tree.Node{Path: name + "/sub/y", Data: []byte("y"), Mtime: at})
	}
	stale = append(stale, tree.Node{Path: "keep", Kind: tree.Dir, Mtime: at}, tree.Node{Path: ".", Kind: tree.Dir, Mtime: at})
	for _, opts := range [][]string{{"-a"}, {"-an"}, {"-a", "--force"}, {"-a", "--delete"}, {"-an", "--delete"},
		{"-aH", "--delete"}, {"-a", "--delete-after"}, {"-a", "--delete", "--max-delete=1"},
		{"-a", "--delete", "-b"}, {"-a", "--delete", "--backup-dir=bk"}, {"-aH", "--force", "--backup-dir=bk"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareTreesWithRsync(t, opts, source, stale) })
	}
}

// TestExecutabilityVsRsync: -E without -p makes each existing file as
// executable as its source, rsync's way (x bits on where r is, or all
// off); new files get the source's mode less the umask; with -p, -E
// changes nothing.
func TestExecutabilityVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{
		{Path: "x", Data: []byte("x"), Mode: 0o755, Mtime: at}, {Path: "y", Data: []byte("y"), Mode: 0o644, Mtime: at},
		{Path: "w", Data: []byte("w"), Mode: 0o700, Mtime: at}, {Path: "z", Data: []byte("new"), Mode: 0o750, Mtime: at},
		{Path: "c", Data: []byte("changed"), Mode: 0o711, Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at},
	}
	stale := []tree.Node{
		{Path: "x", Data: []byte("x"), Mode: 0o640, Mtime: at}, {Path: "y", Data: []byte("y"), Mode: 0o751, Mtime: at},
		{Path: "w", Data: []byte("w"), Mode: 0o600, Mtime: at}, {Path: "c", Data: []byte("old"), Mode: 0o444, Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	for _, opts := range [][]string{{"-rtE"}, {"-rltEn"}, {"-aE"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareTreesWithRsync(t, opts, source, stale) })
	}
}

// TestCopyDirlinksVsRsync: -k copies what a source symlink to a
// directory points to, inside the tree or out of it, as a directory;
// links to files and dangling ones stay links; a destination directory
// replaced so is itemized as rsync does.
func TestCopyDirlinksVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{
		{Path: "d", Kind: tree.Dir, Mtime: at}, {Path: "d/f", Data: []byte("f"), Mtime: at},
		{Path: "ld", Kind: tree.Symlink, Target: "d", Mtime: at}, {Path: "lf", Kind: tree.Symlink, Target: "d/f", Mtime: at},
		{Path: "dang", Kind: tree.Symlink, Target: "nowhere", Mtime: at},
		{Path: "out", Kind: tree.Symlink, Target: "../alt", Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at},
	}
	outside := []tree.Node{{Path: "g", Data: []byte("outside"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: "ld", Kind: tree.Symlink, Target: "d", Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, opts := range [][]string{{"-ak"}, {"-ak", "--delete"}, {"-akn"}, {"-ak", "--safe-links"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareWithRsyncRef(t, opts, source, stale, outside) })
	}
}

// TestKeepDirlinksVsRsync: -K treats a destination symlink to a
// directory as that directory where the source has a directory of its
// name (what the source has goes in through the link); where the source
// has a file, or nothing (--delete), the link itself is replaced or
// deleted, never what it points to. The directories the links point to
// are excluded, so that the transfer does not also delete them (rsync
// 3.5 refuses links that lead out of the destination, ELOOP; treesync
// follows them: README). Times of directories are left out: rsync sets
// a directory's time on the link (by name), treesync on the directory.
func TestKeepDirlinksVsRsync(t *testing.T) {
	at, old := tree.At(100, 0), tree.At(50, 0)
	source := []tree.Node{
		{Path: "ld", Kind: tree.Dir, Mtime: at}, {Path: "ld/f", Data: []byte("new f"), Mtime: at},
		{Path: "lf", Data: []byte("a file"), Mtime: at}, {Path: "lx", Kind: tree.Dir, Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	stale := []tree.Node{
		{Path: "real/f", Data: []byte("old"), Mtime: old}, {Path: "real/g", Data: []byte("kept"), Mtime: old},
		{Path: "other/h", Data: []byte("h"), Mtime: old}, {Path: "file", Data: []byte("x"), Mtime: old},
		{Path: "ld", Kind: tree.Symlink, Target: "real", Mtime: old},
		{Path: "lf", Kind: tree.Symlink, Target: "other", Mtime: old},
		{Path: "lx", Kind: tree.Symlink, Target: "file", Mtime: old},
		{Path: "extra", Kind: tree.Symlink, Target: "other", Mtime: old},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	for _, opts := range [][]string{{"-aK"}, {"-aK", "--delete"}, {"-aK", "--delete-during"}, {"-aKn", "--delete"},
		{"-aK", "--delete", "-b"}, {"-a", "--delete"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) {
			src, dst, ref := twinTrees(t, source, stale)
			args := append(append([]string{"-i", "--exclude=/real", "--exclude=/other"}, opts...), src+"/")
			r, rr := treesync(t, append(args, dst+"/")...), rsync(t, append(args, ref+"/")...)
			if r.code != rr.code || itemLines(r.stdout, nil) != itemLines(rr.stdout, nil) {
				t.Errorf("runs differ:\n%s\n%s", r, rr)
			}
			opt := tree.Options{IgnoreDirMtime: true, Skip: func(p string) bool { return p == "ld" }}
			noDiff(t, "rsync vs treesync", ref, dst, opt)
		})
	}
}

// TestDelayUpdatesVsRsync (-H too): --delay-updates ends with the trees rsync
// --delay-updates makes (and the same lines), with deletes, backups,
// new directories and a dry run.
func TestDelayUpdatesVsRsync(t *testing.T) {
	at, old := tree.At(100, 0), tree.At(50, 0)
	source := []tree.Node{
		{Path: "a", Data: []byte("new a"), Mtime: at}, {Path: "d", Kind: tree.Dir, Mtime: at},
		{Path: "d/b", Data: []byte("b"), Mtime: at}, {Path: "l", Kind: tree.Symlink, Target: "a", Mtime: at},
		{Path: "same", Data: []byte("same"), Mtime: at}, {Path: "h1", Data: []byte("linked"), Mtime: at},
		{Path: "d/h2", Kind: tree.Hardlink, Target: "h1"}, {Path: "h3", Kind: tree.Hardlink, Target: "h1"},
		{Path: "k1", Data: []byte("kept"), Mtime: at}, {Path: "d/k2", Kind: tree.Hardlink, Target: "k1"},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	stale := []tree.Node{
		{Path: "a", Data: []byte("old"), Mtime: old}, {Path: "same", Data: []byte("same"), Mtime: at},
		{Path: "gone", Data: []byte("x"), Mtime: at}, {Path: "h3", Data: []byte("other"), Mtime: old},
		{Path: "k1", Data: []byte("kept"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at},
	}
	for _, opts := range [][]string{{"-a", "--delay-updates"}, {"-a", "--delay-updates", "--delete"},
		{"-a", "--delay-updates", "-b"}, {"-an", "--delay-updates"},
		// -H: the others are linked to the first copy where it waits, and wait with it
		{"-aH", "--delay-updates"}, {"-aH", "--delay-updates", "--delete"}, {"-aHn", "--delay-updates"},
		{"-aH", "--delay-updates", "-T", t.TempDir()}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareTreesWithRsync(t, opts, source, stale) })
	}
}

// TestIDMapsVsRsync: --usermap and --groupmap map owners and groups as
// rsync's do — by name (source side), pattern, ID or range, the first
// match winning, unmatched ones kept — and turn on -o and -g.
func TestIDMapsVsRsync(t *testing.T) {
	requireRoot(t) // to own files as others
	at := tree.At(100, 0)
	own := func(p string, uid, gid int) tree.Node {
		return tree.Node{Path: p, Data: []byte(p), Mtime: at, Owner: true, UID: uid, GID: gid}
	}
	source := []tree.Node{own("root", 0, 0), own("seven", 7, 7), own("nobody", 65534, 65534), own("other", 1234, 4321),
		{Path: "d", Kind: tree.Dir, Mtime: at, Owner: true, UID: 8, GID: 8}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, opts := range [][]string{{"-a", "--usermap=0:1234"}, {"-rt", "--usermap=5-10:77,*:99"},
		{"-a", "--usermap=r*:1234", "--groupmap=*:99"}, {"-a", "--groupmap=nogroup:5,4321:root"},
		{"-a", "--usermap=nobody:3,1234:4,nosuchuser:5"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareTreesWithRsync(t, opts, source, stale) })
	}
}

// TestOwnerFixKeepsSetIDVsRsync: changing the owner of a file clears its
// setuid and setgid bits (the kernel does, on chown); the mode is set
// again after it, as rsync does — under -a, --chown (which implies -o
// and -g where it stands: a later --no-o turns the owner off) and
// without -p.
func TestOwnerFixKeepsSetIDVsRsync(t *testing.T) {
	requireRoot(t) // to own files as others
	at := tree.At(100, 0)
	var source, stale []tree.Node
	for _, mode := range []uint32{0o4755, 0o2755, 0o2745, 0o6750, 0o755} {
		n := tree.Node{Path: fmt.Sprintf("m%o", mode), Data: []byte("x"), Mode: mode, Mtime: at, Owner: true}
		source = append(source, n)
		n.UID, n.GID = 1, 1
		stale = append(stale, n)
	}
	source = append(source, tree.Node{Path: ".", Kind: tree.Dir, Mtime: at})
	stale = append(stale, tree.Node{Path: ".", Kind: tree.Dir, Mtime: at})
	for _, opts := range [][]string{{"-a"}, {"-a", "--chown=5:6"}, {"-rlt", "--chown=5:"}, {"-rlt", "-o"},
		{"-a", "--no-o", "--no-g", "--chown=1:2"}, {"-a", "--chown=7:8", "--no-o"}, {"-a", "--usermap=*:9", "--no-o"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareTreesWithRsync(t, opts, source, stale) })
	}
}

// TestTempDirVsRsync: -T writes the copies elsewhere and renames them
// into place — from a temp dir on another filesystem (a tmpfs), carried
// over into the destination's directory first; the trees and lines are
// rsync -T's, and nothing is left in the temp dir.
func TestTempDirVsRsync(t *testing.T) {
	at, old := tree.At(100, 0), tree.At(50, 0)
	source := []tree.Node{{Path: "a", Data: []byte("new a"), Mtime: at}, {Path: "d", Kind: tree.Dir, Mtime: at},
		{Path: "d/b", Data: []byte("b"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: "a", Data: []byte("old"), Mtime: old}, {Path: "gone", Data: []byte("x"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at}}
	tmp := t.TempDir()
	other := smallTmpfs(t, "16m") // another filesystem: copies are carried over from it
	for _, opts := range [][]string{{"-a", "--temp-dir=" + tmp}, {"-a", "-T", tmp, "--delete", "-b"},
		{"-a", "-T", tmp, "--delay-updates"}, {"-a", "-T", other}, {"-a", "-T", other, "--delay-updates", "--delete"},
		{"-a", "-T", other, "-b", "--fsync"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) {
			compareTreesWithRsync(t, opts, source, stale)
			for _, dir := range []string{tmp, other} {
				if entries, _ := os.ReadDir(dir); len(entries) != 0 {
					t.Errorf("%d entries left in the temp dir %s", len(entries), dir)
				}
			}
		})
	}
}
