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

// unlistedModes are destination directories their owner may not list
// (no u+r) or search (no u+x), by path: r, x and the root keep u+w, n
// and s do not (a tree made so by hand, or by an earlier --chmod).
var unlistedModes = map[string]uint32{"r": 0o311, "x": 0o644, "x/sub": 0o644, "n": 0o040, "s": 0o100, ".": 0o311}

// unlistedTrees are a source and a stale destination (the user's)
// whose directories have unlistedModes at the destination: in each a
// file is replaced and one deleted, and x holds a subdirectory so.
func unlistedTrees() (source, stale []tree.Node) {
	at, old := tree.At(100, 0), tree.At(50, 0)
	mine := func(n tree.Node) tree.Node { n.Owner, n.UID, n.GID = true, 65534, 65534; return n }
	for _, d := range []string{"r", "x", "x/sub", "n", "s", "."} {
		source = append(source, tree.Node{Path: d, Kind: tree.Dir, Mtime: at})
		stale = append(stale, mine(tree.Node{Path: d, Kind: tree.Dir, Mode: unlistedModes[d], Mtime: at}))
		if d == "." {
			continue
		}
		source = append(source, tree.Node{Path: d + "/f", Data: []byte("new, longer"), Mtime: at},
			tree.Node{Path: d + "/added", Data: []byte("a"), Mtime: at})
		stale = append(stale, mine(tree.Node{Path: d + "/f", Data: []byte("old"), Mtime: old}),
			mine(tree.Node{Path: d + "/gone", Data: []byte("g"), Mtime: at}))
	}
	return source, stale
}

// TestUnlistedDirsAsOrdinaryUserVsRsync: an ordinary user updates a tree
// whose directories it may not list or search (the destination root
// too). Each is opened to its owner (u+rwx) while the run works in it,
// in every delete mode and under --delay-updates, -H and -b, and given
// its mode back at the end (or the source's, under -p), as rsync does;
// before, treesync failed every file inside (exit 23) where rsync
// succeeds. Without -p rsync leaves u+rwx on those that keep u+w (0311
// becomes 0711, 0644 0744); treesync gives them the mode they had.
func TestUnlistedDirsAsOrdinaryUserVsRsync(t *testing.T) {
	requireRoot(t)
	requireTool(t, "rsync")
	for _, opts := range [][]string{{"-a", "--delete"}, {"-rt", "--delete"}, {"-rt", "--delete-before"},
		{"-rt", "--delete-during"}, {"-rt", "--delete-after"}, {"-rt", "--delete", "--delay-updates"},
		{"-aH", "--delete-delay"}, {"-rt", "--delete", "-b"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) {
			args, rargs := append([]string{"-i"}, opts...), append([]string{"-i"}, opts...)
			before := slices.Index(opts, "--delete-before")
			if before >= 0 {
				// rsync's pass of deletes lists the directories before it
				// opens them (exit 23): its --delete-during gives the tree
				// and lines (sorted) treesync's --delete-before must, but
				// for the directories' times the deletes before changed.
				rargs[before+1] = "--delete-during"
			}
			source, stale := unlistedTrees()
			r, rr, dst, ref := userTwinsApart(t, source, stale, nil, args, rargs)
			if r.code != rr.code || (r.code != 0 && r.code != 25) {
				t.Fatalf("want both to succeed alike:\n%s\n%s", r, rr)
			}
			got, want := itemLines(r.stdout, nil), itemLines(rr.stdout, nil)
			if before >= 0 {
				got = strings.Join(slices.DeleteFunc(strings.Split(got, "\n"), func(l string) bool {
					return strings.HasPrefix(l, ".d..t...... ")
				}), "\n")
			}
			if got != want {
				t.Errorf("itemized lines differ\ntreesync:\n%s\nrsync:\n%s", got, want)
			}
			if !slices.Contains(opts, "-a") && !slices.Contains(opts, "-aH") {
				for d, mode := range unlistedModes { // (see above: rsync's u+rwx left on)
					must(t, os.Chmod(filepath.Join(ref, d), os.FileMode(mode)))
				}
			}
			noDiff(t, "rsync vs treesync", ref, dst, tree.Options{IgnoreDirMtime: true})
		})
	}
}

// TestUnlistedDirsDeletedAsOrdinaryUser: extraneous directories their
// owner may not list or search are opened to them and deleted with all
// they hold. (rsync 3.5 fails these: "opendir failed", exit 23.)
func TestUnlistedDirsDeletedAsOrdinaryUser(t *testing.T) {
	requireRoot(t)
	at := tree.At(100, 0)
	mine := func(n tree.Node) tree.Node { n.Owner, n.UID, n.GID = true, 65534, 65534; return n }
	source := []tree.Node{{Path: "keep", Data: []byte("k"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{mine(tree.Node{Path: "r", Kind: tree.Dir, Mode: 0o311, Mtime: at}),
		mine(tree.Node{Path: "r/x", Kind: tree.Dir, Mode: 0o644, Mtime: at}), mine(tree.Node{Path: "r/x/f", Data: []byte("f"), Mtime: at}),
		mine(tree.Node{Path: "r/n", Kind: tree.Dir, Mode: 0o040, Mtime: at}), mine(tree.Node{Path: "r/n/g", Data: []byte("g"), Mtime: at}),
		mine(tree.Node{Path: ".", Kind: tree.Dir, Mtime: at})}
	for _, del := range []string{"--delete", "--delete-before", "--delete-during", "--delete-after"} {
		t.Run(del, func(t *testing.T) {
			base, src, dst, _ := reachableTwins(t, source, stale)
			bin := userRuns{}.binary(t, base)
			r := runAsUser(t, bin, "-ai", del, src+"/", dst+"/")
			if r.code != 0 || !strings.Contains(r.stdout, "*deleting   r/x/f") {
				t.Fatalf("want r deleted whole:\n%s", r)
			}
			noDiff(t, "source vs treesync", src, dst, tree.Options{IgnoreOwner: true, IgnoreDirMtime: true})
		})
	}
}

// TestChmodUnlistedTwiceAsOrdinaryUser: --chmod=Da-r as an ordinary user
// gives the directories the mode asked for (0311), and the next run,
// which must open them to list them, succeeds and finds nothing to do.
// (rsync 3.5 leaves them 0711 and itemizes their mode on every run.)
func TestChmodUnlistedTwiceAsOrdinaryUser(t *testing.T) {
	requireRoot(t)
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "d", Kind: tree.Dir, Mtime: at}, {Path: "d/e", Kind: tree.Dir, Mtime: at},
		{Path: "d/e/f", Data: []byte("f"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: ".", Kind: tree.Dir, Mtime: at, Owner: true, UID: 65534, GID: 65534}}
	base, src, dst, _ := reachableTwins(t, source, stale)
	bin := userRuns{}.binary(t, base)
	args := []string{bin, "-ai", "--delete", "--chmod=Da-r", src + "/", dst + "/"}
	if r := runAsUser(t, args...); r.code != 0 || !strings.Contains(r.stdout, ">f+++++++++ d/e/f") {
		t.Fatalf("first run:\n%s", r)
	}
	if r := runAsUser(t, args...); r.code != 0 || itemLines(r.stdout, nil) != "" {
		t.Fatalf("second run: want success and nothing itemized:\n%s", r)
	}
	for _, d := range []string{"", "d", "d/e"} {
		if st, err := os.Stat(filepath.Join(dst, d)); err != nil || st.Mode().Perm() != 0o311 {
			t.Errorf("%q: mode %v, want 0311 (%v)", d, st.Mode().Perm(), err)
		}
	}
}

// TestDropBoxAsOrdinaryUserVsRsync: an ordinary user syncs into someone
// else's directory it may search and write in but not read (a drop box,
// 1733): each source name is looked up in it, as rsync does, instead of
// the run stopping at "open directory: permission denied" (exit 11).
// What cannot be done there fails as in rsync (the root's attributes,
// exit 23; deletes, which need a listing: "IO error encountered"; the
// directory's time the run's own files moved is left, where the second
// run fails to set it); a second run finds the files up to date.
func TestDropBoxAsOrdinaryUserVsRsync(t *testing.T) {
	requireRoot(t)
	requireTool(t, "rsync")
	at := tree.At(100, 0)
	mine := func(n tree.Node) tree.Node { n.Owner, n.UID, n.GID = true, 65534, 65534; return n }
	source := []tree.Node{{Path: "f", Data: []byte("f"), Mtime: at}, {Path: "new", Data: []byte("new"), Mtime: at},
		{Path: "d", Kind: tree.Dir, Mtime: at}, {Path: "d/g", Data: []byte("g"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{mine(tree.Node{Path: "f", Data: []byte("old f"), Mtime: tree.At(50, 0)}),
		mine(tree.Node{Path: "other", Data: []byte("x"), Mtime: at}), {Path: ".", Kind: tree.Dir, Mode: 0o1733, Mtime: at}}
	for _, opts := range [][]string{{"-rl"}, {"-rlt"}, {"-rl", "--delete"}, {"-a"}, {"-rl", "-n"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) {
			args := append([]string{"-i"}, opts...)
			start := time.Now().Add(-time.Second)
			r, rr, dst, ref := userTwins(t, source, stale, nil, args...)
			if r.code != rr.code {
				t.Fatalf("exit %d, rsync %d:\n%s\n%s", r.code, rr.code, r, rr)
			}
			if got, want := itemLines(r.stdout, nil), itemLines(rr.stdout, nil); got != want {
				t.Errorf("itemized lines differ\ntreesync:\n%s\nrsync:\n%s", got, want)
			}
			noDiff(t, "rsync vs treesync", ref, dst, tree.Options{IgnoreDirMtime: true, TouchedSince: start})
			if slices.Contains(opts, "-n") {
				return
			}
			src := filepath.Join(filepath.Dir(dst), "src") + "/"
			again := runAsUser(t, append(append([]string{filepath.Join(filepath.Dir(dst), "treesync-bin")}, args...), src, dst+"/")...)
			rAgain := runAsUser(t, append(append([]string{"rsync"}, args...), src, ref+"/")...)
			if again.code != rAgain.code || strings.Contains(again.stdout, ">f") || itemLines(again.stdout, nil) != itemLines(rAgain.stdout, nil) {
				t.Errorf("a second run differs from rsync's, or copied again:\n%s\n%s", again, rAgain)
			}
		})
	}
	t.Run("one file", func(t *testing.T) {
		base, src, dst, _ := reachableTwins(t, source, stale)
		bin := userRuns{}.binary(t, base)
		for i, want := range []string{">f+++++++++ new", ""} {
			if r := runAsUser(t, bin, "-ai", filepath.Join(src, "new"), dst+"/"); r.code != 0 || itemLines(r.stdout, nil) != want {
				t.Errorf("run %d: want exit 0 and %q:\n%s", i+1, want, r)
			}
		}
	})
}
