//go:build linux

package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/treesync/treesync/e2e/tree"
)

// relativeTrees are a source and a stale destination for the -R and
// --files-from comparisons: the destination root has its own mode and
// time, which neither tool may change (the source directory itself is
// not named), a directory on the way with another time, and an entry
// for --delete to find.
func relativeTrees() (source, stale []tree.Node) {
	at, old := tree.At(100, 0), tree.At(50, 0)
	source = []tree.Node{
		{Path: "a", Kind: tree.Dir, Mtime: at}, {Path: "a/b", Kind: tree.Dir, Mode: 0o750, Mtime: at},
		{Path: "a/b/c", Kind: tree.Dir, Mtime: at}, {Path: "a/b/c/f", Data: []byte("f"), Mtime: at},
		{Path: "a/b/c/f.o", Data: []byte("o"), Mtime: at}, {Path: "a/x", Kind: tree.Dir, Mtime: at},
		{Path: "a/x/g", Data: []byte("g"), Mtime: at}, {Path: "a/y", Data: []byte("y"), Mtime: at},
		{Path: "a/x/dangling", Kind: tree.Symlink, Target: "nowhere", Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at},
	}
	stale = []tree.Node{
		{Path: "a", Kind: tree.Dir, Mtime: old}, {Path: "a/b", Kind: tree.Dir, Mtime: at},
		{Path: "a/b/c", Kind: tree.Dir, Mtime: at}, {Path: "a/b/c/junk", Data: []byte("j"), Mtime: at},
		{Path: "a/other", Data: []byte("not named"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mode: 0o700, Mtime: old},
	}
	return source, stale
}

// TestRelativeVsRsync runs -R from inside the source as rsync does: the
// paths named are kept at the destination with the directories leading
// to them (given the source's attributes), a path is kept from after a
// "/./", an absolute one whole (itemized with its leading slash), one
// given as "./..." brings the source directory's own attributes, a
// missing one is an error (exit 23); sources may keep their paths from
// different directories. The filter rules apply to the paths named, not
// to the directories leading to them, which come only with a path the
// source has and the rules take (treesync left out what an excluded
// directory led to, and made the directories leading to an excluded or
// missing path); under -L a dangling symlink named is missing; "DIR/./"
// names the directory itself (treesync refused it), and so does "." or
// "./" alone (refused too).
func TestRelativeVsRsync(t *testing.T) {
	source, stale := relativeTrees()
	for _, args := range [][]string{{"-aR", "a/b/c", "a/x/g"}, {"-aR", "--delete", "a/b/c", "a/y"},
		{"-aRn", "--delete", "a/b"}, {"-aR", "./a/./b/c"}, {"-aR", "--exclude=*.o", "a/b"},
		{"-aR", "missing/x", "a/x/g"}, {"-aR", "ABS/a/./x", "ABS/a/./y"}, {"-aRi", "ABS/a/x"},
		{"-aR", "./a/x/g"}, {"-aR", "ABS/a/./x", "ABS/a/y", "./a/./b/c"}, {"-aR", "--delete", "ABS/./a/b", "a/x", "ABS/a/y"},
		{"-aR", "--exclude=b", "a/b/c/f"}, {"-aR", "--exclude=f", "a/b/c/f"}, {"-aR", "--exclude=c/", "a/b/c", "a/b/c/f"}, {"-aR", "--exclude=c", "a/b/c", "a/b/c/f.o"},
		{"-aR", "a/b/c/missing"}, {"-aRn", "--exclude=x", "a/x/g", "a/b/c/nope"}, {"-aRL", "a/x/dangling", "a/y"},
		{"-aR", "--delete", "ABS/./"}, {"-aR", "ABS/./.", "a/x"},
		{"-aR", "--delete", "."}, {"-aR", "./", "a/x"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			compareInSource(t, args, source, stale)
		})
	}
}

// TestFilesFromVsRsync runs --files-from lists as rsync does: listed
// files and directories (with their contents only under an explicit
// -r), the directories leading to them, a listed path the source lacks
// as an error, and --delete inside listed directories only; a listed
// path kept from after a "/./" in it (as -R's), "/./x" naming the
// source directory as "./x" does; the source directory named without a
// trailing slash (treesync copied nothing); two sources (a usage error);
// a directory listed with a trailing slash, or ".", with its entries (as
// rsync's -d takes "dir/"; treesync took the directory alone).
func TestFilesFromVsRsync(t *testing.T) {
	source, stale := relativeTrees()
	list, missing := filepath.Join(t.TempDir(), "list"), filepath.Join(t.TempDir(), "missing")
	dotted, slashed, dot := filepath.Join(t.TempDir(), "dotted"), filepath.Join(t.TempDir(), "slashed"), filepath.Join(t.TempDir(), "dot")
	slashed2 := filepath.Join(t.TempDir(), "slashed2")
	for name, data := range map[string]string{dotted: "a/./b/c\na/x/./g\n/./a/y\na/./x\n", slashed: "a/\na/x\n", dot: ".\n", slashed2: "a/b/c/f\na/b/"} {
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(list, []byte("a/b/c\n# a comment\n./a/x/g\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(missing, []byte("a/y\nmissing/file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"-a", "--files-from=" + list, "."}, {"-ar", "--files-from=" + list, "."},
		{"-ar", "--delete", "--files-from=" + list, "."}, {"-an", "--files-from=" + list, "."},
		{"-a", "--files-from=" + missing, "."}, {"-a", "--files-from=" + dotted, "."},
		{"-ar", "--delete", "--files-from=" + dotted, "."}, {"-a", "--files-from=" + list, "ABS"},
		{"-a", "--files-from=" + list, ".", "a"}, {"-ar", "--exclude=b", "--exclude=g", "--files-from=" + list, "."},
		{"-a", "--delete", "--files-from=" + slashed, "."}, {"-a", "--delete", "--files-from=" + dot, "."}, {"-adR", "--delete", "a/"}, {"-ar", "--delete", "--files-from=" + dot, "."},
		{"-a", "--delete", "--exclude=f", "--files-from=" + slashed2, "."}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			compareInSource(t, args, source, stale)
		})
	}
}

// compareInSource runs treesync and rsync with args from inside the
// source directory (ABS in an argument stands for its absolute path)
// onto copies of the stale tree, compares the exit codes, the itemized
// lines and the trees, and returns both results.
func compareInSource(t *testing.T, args []string, source, stale []tree.Node) (r, rr result) {
	t.Helper()
	src, dst, ref := twinTrees(t, source, stale)
	var argv []string
	for _, a := range args {
		argv = append(argv, strings.ReplaceAll(a, "ABS", src))
	}
	argv = append([]string{"-i"}, argv...)
	start := time.Now().Add(-time.Second)
	r = execIn(t, src, append(append([]string{binary}, argv...), dst+"/")...)
	rr = execIn(t, src, append(append([]string{"rsync"}, argv...), ref+"/")...)
	if r.code != rr.code || itemLines(r.stdout, nil) != itemLines(rr.stdout, nil) {
		t.Errorf("exit codes or itemized lines differ:\n%s\n%s", r, rr)
	}
	noDiff(t, "rsync vs treesync", ref, dst, tree.Options{TouchedSince: start})
	return r, rr
}

// TestMissingArgsVsRsync: a source argument (or listed path) the source
// lacks is an error by default, nothing under --ignore-missing-args, and
// a deletion of its destination name under --delete-missing-args (a
// non-empty directory only with --force, else left with a notice). A
// missing directory on the way, or one whose contents are asked for, is
// an error all the same (-R: a vanished file, and nothing deleted, but
// from a --files-from list); a missing name the rules exclude is left.
// Under --backup-dir the name deleted is kept there (treesync deleted it
// and failed its backup: the directory was not known yet).
func TestMissingArgsVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "a", Kind: tree.Dir, Mtime: at}, {Path: "a/f", Data: []byte("f"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: "gone", Kind: tree.Dir, Mtime: at}, {Path: "gone/f", Data: []byte("g"), Mtime: at},
		{Path: "gd", Kind: tree.Dir, Mtime: at}, {Path: "gd/x", Kind: tree.Dir, Mtime: at},
		{Path: "gf", Data: []byte("g"), Mtime: at}, {Path: "a", Kind: tree.Dir, Mtime: at},
		{Path: "a/gone", Data: []byte("g"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	list, gone := filepath.Join(t.TempDir(), "list"), filepath.Join(t.TempDir(), "gone")
	if err := os.WriteFile(list, []byte("a/f\na/gone\ngf\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gone, []byte("gone/f\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"-a", "a", "nope"}, {"-a", "--ignore-missing-args", "a", "nope"},
		{"-a", "--delete-missing-args", "a", "gf", "gone", "nope"}, {"-a", "--delete-missing-args", "--force", "gone", "gd"},
		{"-an", "--delete-missing-args", "gf", "gd"}, {"-a", "--delete-missing-args", "--files-from=" + list, "."},
		{"-a", "--ignore-missing-args", "--files-from=" + list, "."}, {"-a", "--ignore-missing-args", "nope/x", "a"},
		{"-a", "--delete-missing-args", "gone/", "a"}, {"-aR", "--delete-missing-args", "gone/f", "a/f"},
		{"-a", "--delete-missing-args", "--files-from=" + gone, "."}, {"-ar", "--delete-missing-args", "--files-from=" + gone, "."}, {"-a", "--delete-missing-args", "--exclude=gf", "gf", "gd"},
		{"-aR", "--delete-missing-args", "--exclude=*", "a/gone"}, {"-aR", "--delete-missing-args", "--exclude=gone", "--chmod=D700", "a/gone"},
		{"-a", "--delete-missing-args", "--backup-dir=bk", "a", "gf"}, {"-a", "--delete-missing-args", "-b", "a", "gf"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) { compareInSource(t, args, source, stale) })
	}
}

// TestMissingArgsReceiverRulesVsRsync: a missing argument's name is
// checked against the receiver's rules, as rsync's generator checks it: a
// protect rule keeps it, a hide rule does not, and under --delete-during
// or --delete-delay the destination's merge files (-F) rsync has read by
// then keep it too: the root's where the root is in the transfer, those
// of the directories leading to it (seed 98068: treesync deleted a
// symlink the destination root's .rsync-filter protects).
func TestMissingArgsReceiverRulesVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "a", Data: []byte("a"), Mtime: at}, {Path: "sub", Kind: tree.Dir, Mtime: at},
		{Path: "sub/f", Data: []byte("f"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: "b.x", Kind: tree.Symlink, Target: "a", Mtime: at},
		{Path: ".rsync-filter", Data: []byte("- *.x*\n"), Mtime: at}, {Path: "sub", Kind: tree.Dir, Mtime: at},
		{Path: "sub/.rsync-filter", Data: []byte("- *.x*\n"), Mtime: at},
		{Path: "sub/c.x", Kind: tree.Symlink, Target: "f", Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	list := filepath.Join(t.TempDir(), "list")
	if err := os.WriteFile(list, []byte("b.x\nsub/c.x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := []string{"-rlt", "-FF", "--delete-missing-args"}
	for _, args := range [][]string{{"--delete-during", "sub/", "b.x"}, {"--delete-delay", "./", "b.x"},
		{"--delete-before", "sub/", "b.x"}, {"--delete-during", "sub", "b.x"}, {"--delete-during", "-R", "sub/c.x", "b.x"},
		{"--delete-after", "-R", "sub/c.x", "b.x"}, {"--delete-during", "--files-from=" + list, "."},
		{"--delete-during", "-R", "ABS/./", "ABS/./b.x"}, {"--filter=P b.x", "a", "b.x"}, {"--filter=H b.x", "a", "b.x"},
		{"--filter=-r b.x", "a", "b.x"}, {"--delete-after", "./", "b.x"}, {"--no-t", "./", "b.x"}} {
		args = append(append([]string{}, missing...), args...)
		t.Run(strings.Join(args, " "), func(t *testing.T) { compareInSource(t, args, source, stale) })
	}
}

// TestMissingArgBelowMissingDirVsRsync: a -R argument the source lacks,
// below a directory the source lacks too, is deleted under
// --delete-missing-args where rsync has its whole file list before it
// starts (without -r, or with --delete-before, --delete-after,
// --delay-updates or -m: seed 113478, which treesync left), and left
// where rsync recurses incrementally and so never meets it.
func TestMissingArgBelowMissingDirVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "a", Kind: tree.Dir, Mtime: at}, {Path: "a/f", Data: []byte("f"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: "a", Kind: tree.Dir, Mtime: at}, {Path: "a/gone", Kind: tree.Dir, Mtime: at},
		{Path: "a/gone/in", Data: []byte("in"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, more := range [][]string{{"-rt"}, {"-dt"}, {"-lt"}, {"-rt", "-m"}, {"-rt", "--delay-updates"},
		{"-rt", "--delete-after"}, {"-rt", "--delete-before", "-n"}, {"-rt", "--delete-delay"}, {"-rt", "--delete-during"}} {
		args := slices.Concat(more, []string{"-R", "--delete-missing-args", "a/f", "a/gone/in"})
		t.Run(strings.Join(args, " "), func(t *testing.T) { compareInSource(t, args, source, stale) })
	}
}

// TestMissingArgInListedDirVsRsync: a missing argument inside a listed
// directory that --delete deletes from is deleted once, as the missing
// argument it is: under --delete-after or --delete-delay treesync deleted
// it twice (the second failed, "destination changed since it was
// scanned", exit 23), under --delete-before the pass deleted it and the
// directory's new time was itemized (seed 115287).
func TestMissingArgInListedDirVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "a", Kind: tree.Dir, Mtime: at}, {Path: "a/f", Data: []byte("f"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: "a", Kind: tree.Dir, Mtime: at}, {Path: "a/f", Data: []byte("f"), Mtime: at},
		{Path: "a/gone", Data: []byte("gone"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	more := append(slices.Clone(stale), tree.Node{Path: "a/old", Data: []byte("old"), Mtime: at})
	for _, when := range []string{"--delete-after", "--delete-delay", "--delete-before", "--delete-during"} {
		for _, dry := range []string{"-at", "-atn"} {
			args := []string{dry, when, "-R", "--delete-missing-args", "a/", "a/gone"}
			t.Run(strings.Join(args, " "), func(t *testing.T) { compareInSource(t, args, source, stale) })
			t.Run(strings.Join(args, " ")+" more", func(t *testing.T) { compareInSource(t, args, source, more) })
		}
	}
}

// TestNoImpliedDirsVsRsync: with --no-implied-dirs the directories that
// only lead to the paths named are left as the destination has them — a
// symlink to a directory there followed, its target's attributes kept —
// and made with default attributes where missing, without lines.
func TestNoImpliedDirsVsRsync(t *testing.T) {
	source, _ := relativeTrees()
	at, old := tree.At(100, 0), tree.At(50, 0)
	linked := []tree.Node{{Path: "real", Kind: tree.Dir, Mode: 0o700, Mtime: old},
		{Path: "a", Kind: tree.Symlink, Target: "real", Mtime: old}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	empty := []tree.Node{{Path: ".", Kind: tree.Dir, Mtime: at}}
	list := filepath.Join(t.TempDir(), "list")
	if err := os.WriteFile(list, []byte("a/b/c/f\na/x/g\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args  []string
		stale []tree.Node
	}{
		{[]string{"-aR", "--no-implied-dirs", "a/x/g", "a/b/c"}, linked},
		{[]string{"-aR", "--no-implied-dirs", "--delete", "a/b"}, linked},
		{[]string{"-aR", "--no-implied-dirs", "a/x/g", "a/b/c"}, empty},
		{[]string{"-aRn", "--no-implied-dirs", "a/x/g"}, linked},
		{[]string{"-a", "--no-implied-dirs", "--files-from=" + list, "."}, linked},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) { compareInSource(t, c.args, source, c.stale) })
	}
}

// TestMissingArgsStatsVsRsync: under --delete-missing-args --stats counts
// each missing argument among the files (a file without a mode in
// rsync's list), and its deletion among the deleted files only with
// --delete or --force, as rsync 3.5 does (seed 122054: treesync counted
// neither way).
func TestMissingArgsStatsVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "a", Kind: tree.Dir, Mtime: at}, {Path: "a/f", Data: []byte("f"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: "a", Kind: tree.Dir, Mtime: at}, {Path: "a/gone", Data: []byte("g"), Mtime: at},
		{Path: "a/gd", Kind: tree.Dir, Mtime: at}, {Path: "a/gd/x", Data: []byte("x"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, more := range [][]string{{}, {"-n"}, {"--force"}, {"--delete"}, {"--max-delete=0"}} {
		for _, names := range [][]string{{"a/f", "a/gone", "a/none"}, {"a/f", "a/gone", "a/gd"}} {
			args := slices.Concat([]string{"-a", "--stats", "-R", "--delete-missing-args"}, more, names)
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				r, rr := compareInSource(t, args, source, stale)
				for _, line := range []string{"Number of files:", "Number of deleted files:"} {
					if got, want := statLine(r.stdout, line), statLine(rr.stdout, line); got != want {
						t.Errorf("%q, rsync %q", got, want)
					}
				}
			})
		}
	}
}

// TestDanglingListedArgVsRsync: under -L a source argument or listed
// path (-R) that is a symlink to nothing is a missing argument where
// --ignore-missing-args or --delete-missing-args is given, as rsync's
// stat of its arguments finds it: ignored, or its destination name
// deleted; without them, and inside a listed directory too, it is
// "symlink has no referent" (exit 23) (seed 127950).
func TestDanglingListedArgVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "a", Kind: tree.Dir, Mtime: at}, {Path: "a/f", Data: []byte("f"), Mtime: at},
		{Path: "a/l", Kind: tree.Symlink, Target: "nowhere", Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: "a", Kind: tree.Dir, Mtime: at}, {Path: "a/l", Data: []byte("old"), Mtime: at},
		{Path: "l", Data: []byte("old"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, missing := range []string{"--delete-missing-args", "--ignore-missing-args", "-v"} {
		for _, dry := range []string{"-aL", "-aLn"} {
			for _, paths := range [][]string{{"-R", "a/l", "a/f"}, {"-R", "a/", "a/l"}, {"a/l", "a/f"}} {
				args := slices.Concat([]string{dry, missing}, paths)
				t.Run(strings.Join(args, " "), func(t *testing.T) { compareInSource(t, args, source, stale) })
			}
		}
	}
}

// TestPruneImpliedDirsVsRsync: -m with --delete and listed paths (-R)
// deletes no directory that only leads to listed paths, however empty
// its source: rsync deletes a pruned directory as one its parent's
// listing lacks, and such a directory's parent lists nothing; treesync
// deleted it with all it held (an empty listed directory, or a missing
// argument below a missing directory). Under --delete-missing-args a
// missing argument keeps the directories leading to it, as rsync's file
// list holds it (seed 128553). Nor is anything deleted inside a listed
// directory -m prunes (its files all excluded), or below it.
func TestPruneImpliedDirsVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "a", Kind: tree.Dir, Mtime: at}, {Path: "a/x", Kind: tree.Dir, Mtime: at},
		{Path: "b", Kind: tree.Dir, Mtime: at}, {Path: "b/empty", Kind: tree.Dir, Mtime: at},
		{Path: "b/x", Kind: tree.Dir, Mtime: at}, {Path: "b/x/f", Data: []byte("f"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: "a", Kind: tree.Dir, Mtime: tree.At(50, 0)}, {Path: "a/gone", Kind: tree.Dir, Mtime: at},
		{Path: "a/gone/in", Data: []byte("in"), Mtime: at}, {Path: "a/y", Data: []byte("y"), Mtime: at},
		{Path: "b", Kind: tree.Dir, Mtime: at}, {Path: "b/keep", Data: []byte("k"), Mtime: at},
		{Path: "b/x", Kind: tree.Dir, Mtime: at}, {Path: "b/x/old", Data: []byte("old"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, when := range []string{"--delete", "--delete-before", "--delete-after"} {
		for _, paths := range [][]string{{"b/empty"}, {"--delete-missing-args", "a/gone/in"}, {"--ignore-missing-args", "a/gone/in", "b/empty"},
			{"--exclude=f", "b/x"}, {"--exclude=f", "b"}} {
			for _, dry := range []string{"-rtm", "-rtmn"} {
				args := slices.Concat([]string{dry, when, "-R"}, paths)
				t.Run(strings.Join(args, " "), func(t *testing.T) { compareInSource(t, args, source, stale) })
			}
		}
	}
}
