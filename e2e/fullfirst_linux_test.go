//go:build linux

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cespare/xxhash/v2"
	"golang.org/x/sys/unix"

	"github.com/treesync/treesync/e2e/tree"
	"github.com/treesync/treesync/planner"
)

// fullFirst runs the tools as how does, with both destinations on tmpfs
// mounts of their own, and treesync first on one made too small for
// what the run is to write (the seeds with seed % 89 == 53): its free
// blocks, or its free inodes, cut to tenths tenths of what the source
// needs. That run must leave no temporary file and nothing under a
// final name that is neither an old file's content nor a source file's
// (but where --inplace or --append write in place); then the mount is
// given room, and treesync's next run must leave what rsync's one run
// leaves (a full disk loses nothing).
type fullFirst struct {
	runs
	inodes bool
	tenths int
}

// seededFull is the limit of a seed's first run on a full disk
// (fullFirst), if it has one.
func seededFull(seed int) (fullFirst, bool) {
	if seed%89 != 53 {
		return fullFirst{}, false
	}
	return fullFirst{inodes: seed/89%3 == 0, tenths: seed / 89 % 5}, true
}

// roomy are the options of the mounts, and of the one made full once
// the full run is over.
const roomy = "size=512m,nr_inodes=200000"

// mount mounts the tmpfs of the destinations named by names in dir.
func (fullFirst) mount(t *testing.T, dir string, names ...string) {
	t.Helper()
	requireRoot(t)
	for _, name := range names {
		p := filepath.Join(dir, name)
		must(t, os.Mkdir(p, 0o755))
		if out, err := exec.Command("mount", "-t", "tmpfs", "-o", roomy+",mode=0755", "tmpfs", p).CombinedOutput(); err != nil {
			t.Fatalf("mount tmpfs: %v: %s", err, out)
		}
		t.Cleanup(func() { _ = exec.Command("umount", "-l", p).Run() })
	}
}

// first runs treesync (argv) on top made full, checks what it left, and
// gives top its room back.
func (f fullFirst) first(t *testing.T, how runs, argv []string, src, top string, opts []string) {
	t.Helper()
	known := contents(t, src, top)
	f.limit(t, src, top)
	r := how.run(t, argv...)
	t.Logf("full run: exit %d, %d lines; %s", r.code, strings.Count(r.stdout, "\n"), firstLine(r.stderr))
	remount(t, top, roomy)
	if n := countTemporaries(top); n != 0 {
		t.Errorf("%d temporaries left by the run on a full disk (exit %d)\n%s", n, r.code, r)
	}
	if !writesInPlace(opts) {
		for sum, p := range contents(t, top) {
			if _, ok := known[sum]; !ok {
				t.Errorf("the run on a full disk left a file under a final name that is neither old nor new: %s\n%s", p, r)
			}
		}
	}
}

// limit cuts top's free blocks or inodes to f.tenths tenths of what
// copying src needs.
func (f fullFirst) limit(t *testing.T, src, top string) {
	t.Helper()
	var st unix.Statfs_t
	must(t, unix.Statfs(top, &st))
	pages, inodes := needs(t, src)
	if f.inodes {
		remount(t, top, fmt.Sprintf("nr_inodes=%d", st.Files-st.Ffree+inodes*uint64(f.tenths)/10))
		return
	}
	used := (st.Blocks - st.Bfree) * uint64(st.Bsize) / 4096
	remount(t, top, fmt.Sprintf("size=%dk", 4*(used+pages*uint64(f.tenths)/10+1)))
}

// needs counts the pages and inodes a copy of src takes, holes kept (as
// the source's blocks are counted).
func needs(t *testing.T, src string) (pages, inodes uint64) {
	t.Helper()
	tr, err := tree.Scan(src)
	must(t, err)
	for _, e := range tr.Entries {
		if e.Type() == unix.S_IFREG {
			pages += uint64(e.Blocks+7) / 8
		}
	}
	return pages, uint64(len(tr.Entries))
}

func remount(t *testing.T, mnt, opts string) {
	t.Helper()
	if out, err := exec.Command("mount", "-o", "remount,"+opts, mnt).CombinedOutput(); err != nil {
		t.Fatalf("remount %s %s: %v: %s", mnt, opts, err, out)
	}
}

// contents gives the digests of the regular files' contents under the
// roots (as tree.Scan takes them; outside treesync's temporaries and
// partial files), each with the path of one file that has it; and of
// the symlinks' targets, which --fake-super keeps as a file's content.
func contents(t *testing.T, roots ...string) map[uint64]string {
	t.Helper()
	sums := map[uint64]string{}
	for _, root := range roots {
		tr, err := tree.Scan(root)
		must(t, err)
		for p, e := range tr.Entries {
			switch {
			case slices.ContainsFunc(strings.Split(p, "/"), func(n string) bool { return planner.IsTempName(n) || n == ".treesync-partial" }):
			case e.Type() == unix.S_IFLNK:
				sums[xxhash.Sum64String(e.Target)] = p
			case e.Type() == unix.S_IFREG:
				sums[e.Digest] = p
			}
		}
	}
	return sums
}

// firstLine is s's first line.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// keepsPartial reports whether opts write files in place (--inplace,
// --append) and keep what is at the destination by its time or
// existence (-u, --ignore-existing): what a full disk cut short stays so
// on the next run, for rsync as well.
func keepsPartial(opts []string) bool {
	return writesInPlace(opts) && (slices.Contains(opts, "-u") || slices.Contains(opts, "--ignore-existing"))
}

// writesInPlace reports whether opts write files under their own names
// (--inplace, --append, --append-verify).
func writesInPlace(opts []string) bool {
	return slices.ContainsFunc(opts, func(o string) bool { return o == "--inplace" || strings.HasPrefix(o, "--append") })
}
