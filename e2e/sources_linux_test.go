//go:build linux

package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/treesync/treesync/e2e/tree"
)

// overlaidTrees are sources for TestSeveralSourcesVsRsync: two
// directories (a, b) whose contents share names — a file in both, a
// directory in both (of other modes and times, each with its own
// files), a file in one where the other has a directory — and a file
// beside them; the destination has entries none of them brings.
func overlaidTrees() (source, stale []tree.Node) {
	at, old := tree.At(100, 0), tree.At(50, 0)
	source = []tree.Node{
		{Path: "a", Kind: tree.Dir, Mtime: at}, {Path: "a/f", Data: []byte("from a"), Mtime: at},
		{Path: "a/x", Kind: tree.Dir, Mode: 0o700, Mtime: old}, {Path: "a/x/1", Data: []byte("1"), Mtime: at},
		{Path: "a/fd", Data: []byte("file in a"), Mtime: at}, {Path: "a/df", Kind: tree.Dir, Mtime: at},
		{Path: "a/df/in", Data: []byte("in"), Mtime: at},
		{Path: "b", Kind: tree.Dir, Mode: 0o750, Mtime: old}, {Path: "b/f", Data: []byte("from b, longer"), Mtime: old},
		{Path: "b/x", Kind: tree.Dir, Mtime: at}, {Path: "b/x/2", Data: []byte("2"), Mtime: at},
		{Path: "b/fd", Kind: tree.Dir, Mtime: at}, {Path: "b/fd/in", Data: []byte("in"), Mtime: at},
		{Path: "b/df", Data: []byte("file in b"), Mtime: at},
		{Path: "top", Data: []byte("top"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at},
	}
	stale = []tree.Node{
		{Path: "junk", Data: []byte("j"), Mtime: at}, {Path: "x", Kind: tree.Dir, Mtime: at},
		{Path: "x/junk", Data: []byte("j"), Mtime: at}, {Path: "top", Data: []byte("old top"), Mtime: old},
		{Path: ".", Kind: tree.Dir, Mtime: old},
	}
	return source, stale
}

// TestSeveralSourcesVsRsync merges several sources into one destination
// as rsync merges them into one file list: of two entries of one name the
// first source's is taken, but a directory over a non-directory;
// directories of one name are merged, with the first one's attributes;
// --delete (in every mode) deletes only what no source brings; a file
// named as a source beside a directory's contents is kept (treesync
// deleted it, and what an earlier source had brought, when the next
// source's walk met it).
func TestSeveralSourcesVsRsync(t *testing.T) {
	source, stale := overlaidTrees()
	for _, args := range [][]string{{"-a", "a/", "b/"}, {"-a", "b/", "a/"}, {"-a", "--delete", "a/", "b/"},
		{"-a", "--delete-before", "b/", "a/"}, {"-a", "--delete-after", "a/", "b/"}, {"-a", "--delete-delay", "a/", "b/"},
		{"-an", "--delete", "a/", "b/"}, {"-a", "--delete", "top", "a/"}, {"-a", "--delete", "a/", "top"},
		{"-a", "--delete", "a/x", "b/"}, {"-aR", "--delete", "a/./x", "b/./x", "./top"}, {"-rl", "--delete", "a/", "b/"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) { compareInSource(t, args, source, stale) })
	}
}

// TestOverlappingSourcesRemovedVsRsync: -R sources that overlap (the same
// source directory reached from two starting points) with
// --remove-source-files: a directory the second walk meets after the
// first removed files in it gets the time it had before (rsync lists
// every source first); treesync gave it the time the removals left.
func TestOverlappingSourcesRemovedVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "a", Kind: tree.Dir, Mtime: at}, {Path: "a/b", Kind: tree.Dir, Mtime: at},
		{Path: "a/b/f", Data: []byte("f"), Mtime: at}, {Path: "a/b/g", Data: []byte("g"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: ".", Kind: tree.Dir, Mtime: at}}
	dir := t.TempDir()
	start := time.Now().Add(-time.Second)
	var results []result
	for _, tool := range []string{binary, "rsync"} {
		src, dst := filepath.Join(dir, "src-"+filepath.Base(tool)), filepath.Join(dir, filepath.Base(tool))
		build(t, src, source)
		build(t, dst, stale)
		args := []string{"-ai", "-R", "--remove-source-files", src + "/./a/b/f", src + "/a/./b/g", dst + "/"}
		results = append(results, execIn(t, dir, append([]string{tool}, args...)...))
	}
	if r, rr := results[0], results[1]; r.code != rr.code || itemLines(r.stdout, nil) != itemLines(rr.stdout, nil) {
		t.Errorf("exit codes or itemized lines differ:\n%s\n%s", r, rr)
	}
	noDiff(t, "rsync vs treesync", filepath.Join(dir, "rsync"), filepath.Join(dir, filepath.Base(binary)), tree.Options{TouchedSince: start})
	noDiff(t, "sources left, rsync vs treesync", filepath.Join(dir, "src-rsync"), filepath.Join(dir, "src-"+filepath.Base(binary)), tree.Options{IgnoreDirMtime: true})
}

// TestStatsCountsVsRsync compares the counts --stats prints with rsync's,
// into a new destination and onto a stale one, for real and dry runs, of
// one source and of two: the destination directory made for the run and
// a dry run's directories, symlinks and specials count as created
// (treesync left them out), a symlink made again to point elsewhere does
// not (treesync counted it); excluded entries, and a source directory -R
// does not name, are not counted (treesync counted them).
func TestStatsCountsVsRsync(t *testing.T) {
	source, stale := overlaidTrees()
	at := tree.At(100, 0)
	source = append(source, tree.Node{Path: "a/link", Kind: tree.Symlink, Target: "f", Mtime: at},
		tree.Node{Path: "a/fifo", Kind: tree.Fifo, Mode: 0o644, Mtime: at})
	stale = append(stale, tree.Node{Path: "link", Kind: tree.Symlink, Target: "elsewhere", Mtime: at},
		tree.Node{Path: "fifo", Data: []byte("a file"), Mtime: at})
	lines := []string{"Number of files:", "Number of created files:", "Number of deleted files:",
		"Number of regular files transferred:", "Total file size:", "Total transferred file size:"}
	for _, args := range [][]string{{"-a", "--stats", "a/"}, {"-an", "--stats", "a/"}, {"-a", "--stats", "--delete", "a/", "b/"},
		{"-an", "--stats", "a/", "b/", "top"}, {"-a", "--stats", "a/x", "top"}, {"-a", "--stats", "--exclude=x", "--exclude=f*", "a/"},
		{"-aR", "--stats", "a/x/1"}} {
		for _, fresh := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s fresh=%v", strings.Join(args, " "), fresh), func(t *testing.T) {
				src, dst, ref := twinTrees(t, source, stale)
				if fresh {
					dst, ref = dst+"-new", ref+"-new"
				}
				r := execIn(t, src, append(append([]string{binary}, args...), dst+"/")...)
				rr := execIn(t, src, append(append([]string{"rsync"}, args...), ref+"/")...)
				for _, l := range lines {
					if got, want := statLine(r.stdout, l), statLine(rr.stdout, l); got != want {
						t.Errorf("%q, rsync %q", got, want)
					}
				}
			})
		}
	}
}

// TestStatsLinkedCreatedVsRsync: under -H a name linked to its group's
// copy counts as created where its line says "+++" (in the place of a
// directory, as rsync counts it), not in the place of another file
// (nor, itemized by what differs, a symlink or fifo: rsync links other
// members then, and its lines and counts follow).
func TestStatsLinkedCreatedVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "a", Data: []byte("x"), Mtime: at}, {Path: "b", Kind: tree.Hardlink, Target: "a"},
		{Path: "c", Kind: tree.Hardlink, Target: "a"}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	for i, b := range []tree.Node{{Path: "b", Kind: tree.Dir, Mtime: at}, {Path: "b", Kind: tree.Symlink, Target: "zz", Mtime: at},
		{Path: "b", Kind: tree.Fifo, Mtime: at}, {Path: "b", Data: []byte("other"), Mtime: at}} {
		t.Run([]string{"dir", "symlink", "fifo", "file"}[i], func(t *testing.T) {
			src, dst, ref := twinTrees(t, source, []tree.Node{b, {Path: ".", Kind: tree.Dir, Mtime: at}})
			r, rr := treesync(t, "-aHi", "--stats", src+"/", dst+"/"), rsync(t, "-aHi", "--stats", src+"/", ref+"/")
			got, want := statLine(r.stdout, "Number of created files:"), statLine(rr.stdout, "Number of created files:")
			if (b.Kind == tree.Dir || b.Kind == tree.File) && got != want {
				t.Errorf("%q, rsync %q", got, want)
			}
			if plus := strings.Count(r.stdout, "+++++++++ "); !strings.HasPrefix(got, fmt.Sprintf("Number of created files: %d", plus)) {
				t.Errorf("%q, %d lines of pluses:\n%s", got, plus, r)
			}
		})
	}
}
