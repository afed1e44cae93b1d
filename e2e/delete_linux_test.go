//go:build linux

package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/treesync/treesync/e2e/tree"
)

// outsideNodes is a directory outside the destination that symlinks
// planted in the destination point to; nothing may ever touch it.
func outsideNodes() []tree.Node {
	return []tree.Node{
		{Path: ".", Kind: tree.Dir, Mtime: tree.At(50, 0)},
		{Path: "secret", Data: []byte("must survive"), Mtime: tree.At(51, 1)},
		{Path: "sub", Kind: tree.Dir, Mtime: tree.At(52, 2)},
		{Path: "sub/secret2", Data: []byte("must survive too"), Mtime: tree.At(53, 3)},
		{Path: "x", Data: []byte("outside x"), Mtime: tree.At(54, 4)},
	}
}

func deleteSrcNodes() []tree.Node {
	return []tree.Node{
		{Path: ".", Kind: tree.Dir, Mtime: tree.At(60, 0)},
		{Path: "keep", Kind: tree.Dir, Mtime: tree.At(61, 1)},
		{Path: "keep/file", Data: []byte("kept"), Mtime: tree.At(62, 2)},
		{Path: "sub", Kind: tree.Dir, Mtime: tree.At(63, 3)},
		{Path: "sub/new", Data: []byte("new"), Mtime: tree.At(64, 4)},
	}
}

// deleteDstNodes is a destination with extraneous files and directories
// and symlinks to outside planted where the source has a directory
// (sub), where it has nothing (escape, extra-dir/escape) and inside a
// kept directory (keep/escape).
func deleteDstNodes(outside string) []tree.Node {
	return []tree.Node{
		{Path: "keep", Kind: tree.Dir},
		{Path: "keep/file", Data: []byte("kept")},
		{Path: "keep/escape", Kind: tree.Symlink, Target: outside},
		{Path: "sub", Kind: tree.Symlink, Target: outside},
		{Path: "escape", Kind: tree.Symlink, Target: outside},
		{Path: "extra-file", Data: []byte("extra")},
		{Path: "extra-dir/deeper/x", Data: []byte("x")},
		{Path: "extra-dir/escape", Kind: tree.Symlink, Target: outside},
		{Path: "extra-dir/escape-rel", Kind: tree.Symlink, Target: "../../outside"},
	}
}

// TestDeleteNeverFollowsPlantedSymlinks runs --delete on a destination
// with extraneous entries and symlinks to a directory outside it: the
// extraneous entries go, the outside directory stays untouched, and
// the result equals both the source and what rsync leaves.
func TestDeleteNeverFollowsPlantedSymlinks(t *testing.T) {
	forEachFS(t, func(t *testing.T, fs *Filesystem) {
		for _, tool := range []string{"treesync", "rsync"} {
			t.Run(tool, func(t *testing.T) {
				deleteScenario(t, fs, tool)
			})
		}
	})
}

func deleteScenario(t *testing.T, fs *Filesystem, tool string) {
	dir := fs.TempDir(t)
	outside, pristine := filepath.Join(dir, "outside"), filepath.Join(dir, "pristine")
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	build(t, outside, outsideNodes())
	build(t, pristine, outsideNodes())
	build(t, src, deleteSrcNodes())
	build(t, dst, deleteDstNodes(outside))
	run := treesync
	if tool == "rsync" {
		run = rsync
	}
	mustRun(t, run, "-a", "--delete", src+"/", dst+"/")
	noDiff(t, "outside directory after --delete", pristine, outside, tree.Options{})
	noDiffDeleted(t, "source vs destination after --delete", src, dst)
}

func build(t *testing.T, dir string, nodes []tree.Node) {
	t.Helper()
	if err := tree.Build(dir, nodes); err != nil {
		t.Fatal(err)
	}
}

// TestDeleteKeepsDirMtimes: directories that --delete removed entries
// from must end with the source's mtimes, as with rsync (whose
// --delete-delay, treesync's --delete order, does the same).
func TestDeleteKeepsDirMtimes(t *testing.T) {
	for _, flag := range []string{"--delete", "--delete-during", "--delete-after", "--delete-delay"} {
		t.Run(flag, func(t *testing.T) {
			dir := t.TempDir()
			src, dst, ref := filepath.Join(dir, "src"), filepath.Join(dir, "dst"), filepath.Join(dir, "ref")
			build(t, src, deleteSrcNodes())
			for _, d := range []string{dst, ref} {
				build(t, d, []tree.Node{{Path: "keep/extra", Data: []byte("x")}, {Path: "extra", Data: []byte("y")}})
			}
			mustRun(t, rsync, "-a", flag, src+"/", ref+"/")
			noDiff(t, "source vs rsync "+flag, src, ref, tree.Options{})
			mustRun(t, treesync, "-a", flag, src+"/", dst+"/")
			noDiffDeleted(t, "source vs treesync "+flag, src, dst)
		})
	}
}

// TestDanglingLinkHoldsDeletes: under -L a source symlink with no
// referent is a listing error, not a vanished file: the destination's
// entry of that name is not deleted, nor anything else in its directory,
// and exit 23. Deletes before or after the transfer are all held, as
// rsync holds them; during it, those of the directories visited after
// the error (with parallel listers, which those are varies: b/extra is
// not checked then).
func TestDanglingLinkHoldsDeletes(t *testing.T) {
	source := []tree.Node{
		{Path: "a", Kind: tree.Dir, Mtime: tree.At(100, 0)},
		{Path: "a/dead", Kind: tree.Symlink, Target: "nowhere"},
		{Path: "a/f", Data: []byte("f"), Mtime: tree.At(100, 0)},
		{Path: "b", Kind: tree.Dir, Mtime: tree.At(100, 0)},
		{Path: "b/g", Data: []byte("g"), Mtime: tree.At(100, 0)},
		{Path: ".", Kind: tree.Dir, Mtime: tree.At(100, 0)},
	}
	stale := []tree.Node{
		{Path: "a", Kind: tree.Dir, Mtime: tree.At(100, 0)},
		{Path: "a/dead", Data: []byte("was a file"), Mtime: tree.At(100, 0)},
		{Path: "a/extra", Data: []byte("x"), Mtime: tree.At(100, 0)},
		{Path: "b", Kind: tree.Dir, Mtime: tree.At(100, 0)},
		{Path: "b/extra", Data: []byte("x"), Mtime: tree.At(100, 0)},
		{Path: ".", Kind: tree.Dir, Mtime: tree.At(100, 0)},
	}
	t.Run("excluded", func(t *testing.T) { // rsync does not follow what it leaves out
		compareTreesWithRsync(t, []string{"-aL", "--delete", "--exclude=dead"}, source, stale)
		dir := t.TempDir()
		build(t, filepath.Join(dir, "src"), source)
		if r := treesync(t, "-aL", "--exclude=dead", filepath.Join(dir, "src")+"/", filepath.Join(dir, "dst")); r.code != 0 {
			t.Errorf("an excluded dangling symlink: exit %d, want 0\n%s", r.code, r)
		}
	})
	for _, mode := range []string{"--delete-before", "--delete-during", "--delete"} {
		t.Run(mode, func(t *testing.T) {
			kept := []string{"a/dead", "a/extra"}
			if mode != "--delete-during" {
				compareTreesWithRsync(t, []string{"-aL", mode}, source, stale)
				kept = append(kept, "b/extra")
			}
			dir := t.TempDir()
			src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
			build(t, src, source)
			build(t, dst, stale)
			r := treesync(t, "-aL", mode, src+"/", dst+"/")
			if r.code != 23 {
				t.Errorf("exit %d, want 23\n%s", r.code, r)
			}
			if n := strings.Count(r.stderr, "no referent"); n != 1 {
				t.Errorf("the listing error is reported %d times, want once:\n%s", n, r)
			}
			for _, p := range kept {
				if _, err := os.Lstat(filepath.Join(dst, p)); err != nil {
					t.Errorf("%s deleted after a listing error", p)
				}
			}
		})
	}
}

// TestMergeFilesAndDeletesVsRsync: which per-directory merge files (-F)
// decide what --delete leaves, as in rsync. Under --delete-after those
// the transfer brought (rsync's manual: send the merge files and delete
// after, so that the receiver keeps what they exclude; treesync used the
// ones there before and deleted those files), also with
// --remove-source-files (the source the transfer empties is not listed
// again); under the other modes and --delay-updates those that were
// there (treesync, taking --delay-updates for --delete-after, used the
// new ones); and inside a directory deleted whole, its own (treesync read
// none there, deleting what they protect).
func TestMergeFilesAndDeletesVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	f := func(p, data string) tree.Node { return tree.Node{Path: p, Data: []byte(data), Mtime: at} }
	dir := func(p string) tree.Node { return tree.Node{Path: p, Kind: tree.Dir, Mtime: at} }
	source := []tree.Node{
		f(".rsync-filter", "- *.keep\nprotect *.prot\n"), dir("a"), f("a/f", "f"), f("a/.rsync-filter", "- /gone*\n"),
		dir("."),
	}
	stale := []tree.Node{
		f(".rsync-filter", "- *.old\n"), dir("a"), f("a/x.keep", "k"), f("a/y.prot", "p"), f("a/z.old", "o"), f("a/extra", "e"),
		dir("a/gone"), f("a/gone/.rsync-filter", "P inner*\n"), f("a/gone/inner1", "i"), f("a/gone/other", "o"),
		dir("a/sub"), f("a/sub/.rsync-filter", "P kept*\n"), f("a/sub/kept1", "k"), f("a/sub/plain", "p"),
		dir("."),
	}
	for _, opts := range [][]string{{"-aF", "--delete-after"}, {"-aF", "--delete-after", "--remove-source-files"},
		{"-aF", "--delete"}, {"-aF", "--delete-before"}, {"-aF", "--delete", "--delay-updates"},
		{"-aF", "--delete-excluded"}, {"-aF", "--delete-after", "-n"}, {"-aFF", "--delete-after"},
		{"-aF", "--delete-after", "--delay-updates"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareTreesWithRsync(t, opts, source, stale) })
	}
}

// TestMergeFileBrokenByTransfer: under -F --delete-after the receiver's
// merge files are read again after the transfer; one the transfer left
// unreadable (here --append joined the source's to the old one: "ace" is
// no rule) is an error, and nothing is deleted, as after any error. rsync
// 3.5 stops there with exit 1 (random seed 25661); treesync deleted in
// that directory by the rules it could read, without a word.
func TestMergeFileBrokenByTransfer(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "d", Kind: tree.Dir, Mtime: at}, {Path: "d/f", Data: []byte("f"), Mtime: at},
		{Path: "d/.rsync-filter", Data: []byte("exclude *space\n"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: "d", Kind: tree.Dir, Mtime: at}, {Path: "d/junk", Data: []byte("j"), Mtime: at},
		{Path: "d/.rsync-filter", Data: []byte("+ */\n- n7*\n"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	src, dst, _ := twinTrees(t, source, stale)
	r := execIn(t, src, binary, "-rlt", "-F", "--delete-after", "--append", src+"/", dst+"/")
	if r.code != 23 || !strings.Contains(r.stderr, `unknown filter rule: \"ace\"`) {
		t.Errorf("want exit 23 and the merge file's error\n%s", r)
	}
	if _, err := os.Lstat(filepath.Join(dst, "d/junk")); err != nil {
		t.Errorf("d/junk deleted by rules that could not be read: %v", err)
	}
}

// TestPruneExistingVsRsync: under -m with --existing, a source directory
// that holds only an empty directory (not made: --existing) is pruned as
// rsync prunes it, so --delete-excluded deletes it at the destination;
// treesync kept it for the directory it did not make (random seed 16264).
func TestPruneExistingVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "d", Kind: tree.Dir, Mtime: at}, {Path: "d/x", Data: []byte("x"), Mtime: at},
		{Path: "d/e", Kind: tree.Dir, Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: "d", Kind: tree.Dir, Mtime: at}, {Path: "d/x", Data: []byte("x"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, args := range [][]string{{"-r", "-m", "--delete-excluded", "--exclude=x", "--existing", "."},
		{"-rn", "-m", "--delete-excluded", "--exclude=x", "--existing", "."}, {"-r", "-m", "--delete-before", "--existing", "."}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) { compareInSource(t, args, source, stale) })
	}
}

// TestPruneKeptInTheWayVsRsync: under -m a source directory whose
// destination name holds a file --ignore-existing keeps is pruned (and
// the file deleted as one the source lacks, under --delete) only where
// its subtree holds no files the rules leave in, as rsync's file list
// then lacks it; with files in it the file stays, and its contents fail
// (exit 23). treesync deleted the file under --delete-before and
// --delete-during (random seed 36365).
func TestPruneKeptInTheWayVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "d", Kind: tree.Dir, Mtime: at}, {Path: "d/sub", Kind: tree.Dir, Mtime: at},
		{Path: "d/sub/f", Data: []byte("f"), Mtime: at}, {Path: "d/g", Data: []byte("g"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: "d", Kind: tree.Dir, Mtime: at}, {Path: "d/sub", Data: []byte("kept"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, del := range []string{"--delete-before", "--delete-during", "--delete-after"} {
		for _, more := range [][]string{nil, {"--exclude=f"}} {
			opts := append([]string{"-rt", "-m", "--ignore-existing", del}, more...)
			t.Run(strings.Join(opts, " "), func(t *testing.T) { compareTreesWithRsync(t, opts, source, stale) })
		}
	}
}

// TestPrunedInTheWayBeforeVsRsync: under -m --delete-before a file in
// the way of a source directory with no files is deleted by the pass
// before the transfer, as rsync's file list lacks the directory: the
// transfer then finds the parent's time changed and itemizes it (seed
// 113180: treesync deleted the file during the transfer and put the
// time back, with no line for the parent).
func TestPrunedInTheWayBeforeVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "d", Kind: tree.Dir, Mtime: at}, {Path: "d/empty", Kind: tree.Dir, Mtime: at},
		{Path: "d/f", Data: []byte("f"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: "d", Kind: tree.Dir, Mtime: at}, {Path: "d/empty", Data: []byte("in the way"), Mtime: at},
		{Path: "d/f", Data: []byte("f"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, more := range [][]string{nil, {"-n"}, {"--filter=P empty"}, {"--max-delete=0"}} {
		opts := append([]string{"-rt", "-m", "--delete-before"}, more...)
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareTreesWithRsync(t, opts, source, stale) })
	}
}

// TestPruneKeepsReceiverExcludedVsRsync: -m keeps an empty source
// directory the run's receiver-side rules exclude (P, -r), and the
// directories leading to it, as rsync's receiver prunes its file list
// with those rules (treesync pruned them; a hide rule, H, or an include,
// R, does not keep one).
func TestPruneKeepsReceiverExcludedVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "d", Kind: tree.Dir, Mtime: at}, {Path: "d/empty", Kind: tree.Dir, Mtime: at},
		{Path: "d/sub", Kind: tree.Dir, Mtime: at}, {Path: "d/sub/deeper", Kind: tree.Dir, Mtime: at},
		{Path: "d/f", Data: []byte("f"), Mtime: at}, {Path: "e", Kind: tree.Dir, Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: "e", Kind: tree.Dir, Mtime: at}, {Path: "e/old", Kind: tree.Dir, Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, more := range [][]string{{"--filter=P empty"}, {"--filter=-r deeper"}, {"--filter=H empty"}, {"--filter=R empty"},
		{"--filter=P deeper", "--delete-before"}, {"--filter=P e", "--delete-during"}, {"--filter=P *", "--delete"},
		{"--filter=P deeper", "-n"}, {"--filter=P /d/sub/deeper"}} {
		opts := append([]string{"-rt", "-m"}, more...)
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareTreesWithRsync(t, opts, source, stale) })
	}
}

// TestItemizeAllKeptInTheWayVsRsync: under -ii a source directory whose
// destination name holds a file --ignore-existing keeps has no line, as
// in rsync (treesync itemized it as an unchanged directory: seed 99581).
func TestItemizeAllKeptInTheWayVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "d", Kind: tree.Dir, Mtime: at}, {Path: "d/f", Data: []byte("f"), Mtime: at},
		{Path: "e", Kind: tree.Dir, Mtime: at}, {Path: "g", Kind: tree.Dir, Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: "d", Data: []byte("kept"), Mtime: at}, {Path: "e", Kind: tree.Symlink, Target: "d", Mtime: at},
		{Path: "g", Kind: tree.Dir, Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: tree.At(50, 0)}}
	for _, more := range [][]string{nil, {"-n"}, {"-m"}, {"-m", "--delete-before"}, {"-n", "--delete-before"}} {
		args := append([]string{"-a", "-ii", "--ignore-existing"}, more...)
		args = append(args, "./")
		t.Run(strings.Join(args, " "), func(t *testing.T) { compareInSource(t, args, source, stale) })
	}
}

// TestComparedInKeptInTheWayVsRsync: in a source directory whose
// destination name holds a file --ignore-existing keeps, a new file a
// --compare-dest reference matches exactly is up to date, as rsync
// checks each file there: --remove-source-files removes it from the
// source (treesync failed the whole directory and kept them all: seed
// 111197); the others fail.
func TestComparedInKeptInTheWayVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	ref := []tree.Node{{Path: "d", Kind: tree.Dir, Mtime: at}, {Path: "d/same", Data: []byte("s"), Mtime: at},
		{Path: "d/older", Data: []byte("o"), Mtime: tree.At(50, 0)}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	source := append(slices.Clone(ref[:2]), tree.Node{Path: "d/older", Data: []byte("o"), Mtime: at},
		tree.Node{Path: "d/new", Data: []byte("n"), Mtime: at}, tree.Node{Path: ".", Kind: tree.Dir, Mtime: at})
	stale := []tree.Node{{Path: "d", Data: []byte("kept"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, more := range [][]string{nil, {"-m"}, {"-ii"}} {
		opts := slices.Concat([]string{"-rt", "--ignore-existing", "--remove-source-files", "--compare-dest=../alt"}, more)
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareWithRsyncRef(t, opts, source, stale, ref) })
	}
}

// TestMaxDeletePassOrderVsRsync: deferred deletions (--delete-before,
// --delete-after, --delete-delay) go directory by directory in rsync's
// file-list order, a directory before those below it and those before
// the next name ("a b" before "a/": rsync sorts a directory as if
// slashed), so --max-delete stops where rsync's does (treesync took the
// directories last planned first: seed 114591).
func TestMaxDeletePassOrderVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "a", Kind: tree.Dir, Mtime: at}, {Path: "a/b", Kind: tree.Dir, Mtime: at},
		{Path: "a b", Kind: tree.Dir, Mtime: at}, {Path: "a/c", Kind: tree.Dir, Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := slices.Concat(source[:4], []tree.Node{{Path: "a/x", Data: []byte("x"), Mtime: at}, {Path: "a/b/y", Data: []byte("y"), Mtime: at},
		{Path: "a b/w", Data: []byte("w"), Mtime: at}, {Path: "a/c/z", Kind: tree.Dir, Mtime: at}, {Path: "a/c/z/in", Data: []byte("z"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at}})
	for _, limit := range []string{"--max-delete=1", "--max-delete=2", "--max-delete=3"} {
		for _, del := range [][]string{{"--delete-before"}, {"--delete-after"}, {"--delete-delay"}, {"-n", "--delete-after"}} {
			args := slices.Concat([]string{"-rt"}, del, []string{limit})
			t.Run(strings.Join(args, " "), func(t *testing.T) { compareDeletions(t, args, source, stale) })
		}
	}
}

// TestMaxDeleteKeptInsideVsRsync: a directory inside one being deleted
// that keeps protected entries counts as a skipped deletion once the
// --max-delete limit is reached, as rsync tries to delete it all the same
// (seed 97594: rsync exits 25, treesync exited 0), and is no deletion
// below the limit; a dry run, which removes nothing, lists it as deleted
// (seed 110083). So does one left only for the backups -b just made in
// it (seed 110336), and a directory's contents go in reverse name order,
// which decides where the limit stops (treesync took them as listed).
// The skipped counts and rsync's "cannot delete" lines must match too.
func TestMaxDeleteKeptInsideVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "a.dot", Data: []byte("a"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: "x", Kind: tree.Dir, Mtime: at}, {Path: "x/f", Data: []byte("f"), Mtime: at},
		{Path: "x/sub", Kind: tree.Dir, Mtime: at}, {Path: "x/sub/g", Data: []byte("g"), Mtime: at},
		{Path: "x/sub/deeper", Kind: tree.Dir, Mtime: at}, {Path: "x/sub/deeper/h", Data: []byte("h"), Mtime: at},
		{Path: "y", Kind: tree.Dir, Mtime: at}, {Path: "y/h", Data: []byte("h"), Mtime: at},
		{Path: "zz", Kind: tree.Dir, Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, limit := range []string{"--max-delete=0", "--max-delete=1", "--max-delete=2", "--max-delete=9"} {
		for _, del := range [][]string{{"--delete-before"}, {"--delete-during"}, {"--delete-after"}, {"-n", "--delete-during"}, {"-n", "--delete-after"}} {
			args := slices.Concat([]string{"-rt"}, del, []string{"--include=*/", "--include=*.dot", "--exclude=*", limit})
			t.Run(strings.Join(args, " "), func(t *testing.T) { compareDeletions(t, args, source, stale) })
		}
	}
	backedUp := []tree.Node{{Path: "a", Kind: tree.Dir, Mtime: at}, {Path: "a/f", Data: []byte("f"), Mtime: at},
		{Path: "b", Kind: tree.Dir, Mtime: at}, {Path: "b/h", Data: []byte("h"), Mtime: at},
		{Path: "b/sub", Kind: tree.Dir, Mtime: at}, {Path: "b/sub/g", Data: []byte("g"), Mtime: at},
		{Path: "zz", Kind: tree.Dir, Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, limit := range []string{"--max-delete=0", "--max-delete=2", "--max-delete=3", "--max-delete=9"} {
		for _, more := range [][]string{{"-b"}, {"--backup-dir=bk"}, {"--delete-after"}, {"-n", "-b"}} {
			args := slices.Concat([]string{"-rt", "--delete"}, more, []string{limit})
			t.Run(strings.Join(args, " "), func(t *testing.T) { compareDeletions(t, args, source, backedUp) })
		}
	}
}

// skippedDeletes is the count in rsync's line for deletions --max-delete
// held back.
var skippedDeletes = regexp.MustCompile(`\(\d+ skipped\)`)

// compareDeletions is compareInSource onto the destination root, which
// also compares the deletions --max-delete skipped and rsync's "cannot
// delete" lines.
func compareDeletions(t *testing.T, args []string, source, stale []tree.Node) {
	t.Helper()
	r, rr := compareInSource(t, append(slices.Clone(args), "./"), source, stale)
	cannot := func(out string) []string {
		lines := slices.DeleteFunc(strings.Split(out, "\n"), func(l string) bool { return !strings.HasPrefix(l, "cannot delete") })
		slices.Sort(lines)
		return lines
	}
	if skippedDeletes.FindString(r.stderr) != skippedDeletes.FindString(rr.stderr) || !slices.Equal(cannot(r.stdout), cannot(rr.stdout)) {
		t.Errorf("skipped or kept deletions differ:\n%s\n%s", r, rr)
	}
}

// TestDeleteBeforeHeldBySourceOnlyErrorVsRsync: under --delete-before a
// listing error in a directory only the source has (a symlink -L cannot
// follow) holds every deletion, as rsync's, which lists the whole source
// before it deletes ("IO error encountered -- skipping file deletion").
// treesync's pass did not look into such directories and deleted
// (seed 118356).
func TestDeleteBeforeHeldBySourceOnlyErrorVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "new", Kind: tree.Dir, Mtime: at}, {Path: "new/deep", Kind: tree.Dir, Mtime: at},
		{Path: "new/deep/l", Kind: tree.Symlink, Target: "nowhere", Mtime: at},
		{Path: "new/deep/u", Kind: tree.Symlink, Target: "/nonexistent-treesync", Mtime: at}, {Path: "f", Data: []byte("f"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: "old", Data: []byte("o"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, opts := range [][]string{{"-rLt", "--delete-before"}, {"-rLt", "-n", "--delete-before"}, {"-rt", "--copy-unsafe-links", "--delete-before"}, {"-rLt", "--delete-after"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareTreesWithRsync(t, opts, source, stale) })
	}
}
