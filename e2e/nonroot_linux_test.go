//go:build linux

package e2e

import (
	"cmp"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/treesync/treesync/e2e/tree"
)

// TestOrdinaryUserVsRsync runs treesync and rsync -ai as uid 65534 (a
// member of group 100): -g gives the groups the user belongs to and
// leaves (and does not itemize) any other; -o changes nothing; a device
// cannot be made, so it is skipped with rsync's line, not failed.
func TestOrdinaryUserVsRsync(t *testing.T) {
	requireRoot(t)
	requireTool(t, "rsync")
	at := tree.At(100, 0)
	mine := func(n tree.Node) tree.Node { n.Owner, n.UID, n.GID = true, 65534, 65534; return n }
	grouped := func(n tree.Node, gid int) tree.Node { n.Owner, n.UID, n.GID = true, 0, gid; return n }
	source := []tree.Node{grouped(tree.Node{Path: "f", Data: []byte("f"), Mtime: at}, 100),
		grouped(tree.Node{Path: "g", Data: []byte("g"), Mtime: at}, 0),
		grouped(tree.Node{Path: "new", Data: []byte("n"), Mtime: at}, 100),
		grouped(tree.Node{Path: "dir", Kind: tree.Dir, Mtime: at}, 100), {Path: "p", Kind: tree.Fifo, Mtime: at},
		{Path: "c", Kind: tree.CharDev, Rdev: unix.Mkdev(1, 3), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{mine(tree.Node{Path: "f", Data: []byte("f"), Mtime: at}), mine(tree.Node{Path: "g", Data: []byte("g"), Mtime: at}),
		mine(tree.Node{Path: "dir", Kind: tree.Dir, Mtime: at}), mine(tree.Node{Path: ".", Kind: tree.Dir, Mtime: at})}
	r, rr, dst, ref := userTwins(t, source, stale, nil, "-ai")
	if r.code != 0 || rr.code != 0 {
		t.Fatalf("want both to succeed:\n%s\n%s", r, rr)
	}
	if got, want := itemLines(r.stdout, nil), itemLines(rr.stdout, nil); got != want || !strings.Contains(got, ".f.....g... f") {
		t.Errorf("itemized lines differ (or no group change of f)\ntreesync:\n%s\nrsync:\n%s", got, want)
	}
	for _, out := range []string{r.stdout, rr.stdout} {
		if !strings.Contains(out, `skipping non-regular file "c"`) {
			t.Errorf("the device is not reported skipped:\n%s", out)
		}
	}
	noDiff(t, "rsync vs treesync", ref, dst, tree.Options{IgnoreDirMtime: true})
}

// userTwins builds source and stale twice (as twinTrees, in a directory
// uid 65534 can reach; alt, when not nil, as ../alt of the destinations),
// runs treesync and rsync with args on them as that user (runAsUser),
// and returns both results and destinations.
func userTwins(t *testing.T, source, stale, alt []tree.Node, args ...string) (r, rr result, dst, ref string) {
	t.Helper()
	return userTwinsApart(t, source, stale, alt, args, args)
}

// userTwinsAgree runs userTwins with -i and opts and wants both tools
// to succeed with the same itemized lines and trees.
func userTwinsAgree(t *testing.T, source, stale, alt []tree.Node, opts ...string) {
	t.Helper()
	r, rr, dst, ref := userTwins(t, source, stale, alt, append([]string{"-i"}, opts...)...)
	if r.code != 0 || rr.code != 0 {
		t.Fatalf("want both to succeed:\n%s\n%s", r, rr)
	}
	if got, want := itemLines(r.stdout, nil), itemLines(rr.stdout, nil); got != want {
		t.Errorf("itemized lines differ\ntreesync:\n%s\nrsync:\n%s", got, want)
	}
	noDiff(t, "rsync vs treesync", ref, dst, tree.Options{IgnoreDirMtime: true})
}

// userTwinsApart is userTwins with rsync given rargs, not args.
func userTwinsApart(t *testing.T, source, stale, alt []tree.Node, args, rargs []string) (r, rr result, dst, ref string) {
	t.Helper()
	base, src, dst, ref := reachableTwins(t, source, stale)
	if alt != nil {
		build(t, filepath.Join(base, "alt"), alt)
	}
	bin := userRuns{}.binary(t, base)
	r = runAsUser(t, append(append([]string{bin}, args...), src+"/", dst+"/")...)
	rr = runAsUser(t, append(append([]string{"rsync"}, rargs...), src+"/", ref+"/")...)
	return r, rr, dst, ref
}

// TestReadOnlyDirsAsOrdinaryUserVsRsync: an ordinary user updates a tree
// whose directories it may not write in (0555, as a Go module cache):
// each is made writable while files in it are replaced, added, backed up
// and deleted (whole read-only subtrees too), in every delete mode and
// under --delay-updates, then given its mode back, as rsync does; a
// read-only file is written in place (--inplace, --append), and a
// read-only file's or directory's extended attributes set, the same way.
func TestReadOnlyDirsAsOrdinaryUserVsRsync(t *testing.T) {
	requireRoot(t)
	requireTool(t, "rsync")
	at, old := tree.At(100, 0), tree.At(50, 0)
	mine := func(n tree.Node) tree.Node { n.Owner, n.UID, n.GID = true, 65534, 65534; return n }
	source := []tree.Node{{Path: "m", Kind: tree.Dir, Mode: 0o555, Mtime: at, Xattrs: map[string]string{"user.k": "new"}},
		{Path: "m/f", Data: []byte("new"), Mtime: at}, {Path: "m/same", Data: []byte("same"), Mode: 0o444, Mtime: at, Xattrs: map[string]string{"user.k": "new"}},
		{Path: "m/g", Data: []byte("g"), Mtime: at}, {Path: "m/sub", Kind: tree.Dir, Mode: 0o555, Mtime: at},
		{Path: "m/sub/h", Data: []byte("h"), Mtime: at}, {Path: "m/ro", Data: []byte("read-only, longer"), Mode: 0o444, Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{mine(tree.Node{Path: "m", Kind: tree.Dir, Mode: 0o555, Mtime: at, Xattrs: map[string]string{"user.k": "old"}}),
		mine(tree.Node{Path: "m/same", Data: []byte("same"), Mode: 0o444, Mtime: at, Xattrs: map[string]string{"user.k": "old"}}),
		mine(tree.Node{Path: "m/f", Data: []byte("old"), Mtime: old}), mine(tree.Node{Path: "m/gone", Data: []byte("x"), Mtime: at}),
		mine(tree.Node{Path: "m/sub", Kind: tree.Dir, Mode: 0o555, Mtime: at}), mine(tree.Node{Path: "m/x", Kind: tree.Dir, Mode: 0o555, Mtime: at}),
		mine(tree.Node{Path: "m/x/y", Kind: tree.Dir, Mode: 0o555, Mtime: at}), mine(tree.Node{Path: "m/x/y/z", Data: []byte("z"), Mtime: at}),
		mine(tree.Node{Path: "m/ro", Data: []byte("read-only"), Mode: 0o444, Mtime: old}),
		mine(tree.Node{Path: ".", Kind: tree.Dir, Mtime: at})}
	for _, opts := range [][]string{{"-a"}, {"-a", "--delete"}, {"-a", "--delete-during"}, {"-a", "--delete-after"},
		{"-a", "--delete", "--delay-updates"}, {"-a", "--delete", "-b"}, {"-rlt", "--delete"}, {"-a", "--delete", "--inplace"},
		{"-rlt", "--inplace"}, {"-a", "--append"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) {
			r, rr, dst, ref := userTwins(t, source, stale, nil, append([]string{"-i"}, opts...)...)
			if r.code != 0 || rr.code != 0 {
				t.Fatalf("want both to succeed:\n%s\n%s", r, rr)
			}
			if got, want := itemLines(r.stdout, nil), itemLines(rr.stdout, nil); got != want {
				t.Errorf("itemized lines differ\ntreesync:\n%s\nrsync:\n%s", got, want)
			}
			opt := tree.Options{}
			if slices.Contains(opts, "-b") {
				// Backups keep m/x/y, so m/x: rsync leaves the two writable
				// (0755) as it made them to delete in; treesync gives them
				// their mode back. Backups move directory times (as in
				// compareWithRsyncRef).
				opt = tree.Options{IgnoreDirMtime: true, Skip: func(p string) bool { return p == "m/x" || p == "m/x/y" }}
			}
			noDiff(t, "rsync vs treesync", ref, dst, opt)
		})
	}
	// rsync 3.5 fails here itself (mkstemp in m: permission denied): it
	// gives m its xattrs, and so its mode, before it writes the files
	// in it. treesync is compared with the source.
	t.Run("-aX", func(t *testing.T) {
		r, _, dst, _ := userTwins(t, source, stale, nil, "-aX")
		if r.code != 0 {
			t.Fatalf("want success:\n%s", r)
		}
		extra := func(p string) bool { return p == "m/gone" || p == "m/x" }
		noDiff(t, "source vs treesync", filepath.Join(filepath.Dir(dst), "src"), dst, tree.Options{IgnoreOwner: true, Skip: extra})
	})
}

// reachableTwins is twinTrees in a directory (base) every user can
// reach, which t.TempDir's are not.
func reachableTwins(t *testing.T, source, stale []tree.Node) (base, src, dst, ref string) {
	t.Helper()
	base = userRuns{}.dir(t)
	src, dst, ref = filepath.Join(base, "src"), filepath.Join(base, "treesync"), filepath.Join(base, "rsync")
	build(t, src, source)
	build(t, dst, stale)
	build(t, ref, stale)
	return base, src, dst, ref
}

// TestRandomOptionsAsUserVsRsync is TestRandomOptionsVsRsync run by an
// ordinary user (uid 65534, userRuns): the same seeds, both tools as
// that user on destinations of its own.
func TestRandomOptionsAsUserVsRsync(t *testing.T) {
	requireRoot(t)
	randomOptionsVsRsync(t, userRuns{})
}

// userRuns runs both tools as uid 65534 (runAsUser) in a directory that
// user can reach, on sources it may read and destinations of its own
// whose directories it may list and search (those it may not are
// TestUnlistedDirsAsOrdinaryUserVsRsync's).
type userRuns struct{}

func (userRuns) dir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "treesync-user-")
	must(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	must(t, os.Chmod(dir, 0o755))
	return dir
}

func (userRuns) prepare(t *testing.T, srcs, dsts []string) {
	t.Helper()
	for _, root := range srcs {
		must(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			return cmp.Or(err, chmodAdd(p, d, 0o444, 0o555))
		}))
	}
	for _, root := range dsts {
		must(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			return cmp.Or(err, userOwns(p), chmodAdd(p, d, 0, 0o500))
		}))
	}
}

func (userRuns) run(t *testing.T, argv ...string) result { return runAsUser(t, argv...) }

func (userRuns) binary(t *testing.T, dir string) string {
	bin := filepath.Join(dir, "treesync-bin")
	copyBinary(t, bin)
	return bin
}

// ownSource: treesync's reading of a file the user does not own moves
// its access time (the kernel refuses such a user O_NOATIME), which -U
// has rsync compare.
func (userRuns) ownSource(opts []string) bool { return slices.Contains(opts, "-U") }

// normalize undoes what one tool alone does as an ordinary user (both
// in the README). rsync 3.5 makes a read-only file writable before
// deleting it, so a backup made in its place (-b) keeps u+w; under
// --fake-super it itemizes the owner it fails to keep on a device, fifo
// or socket that stays real (it holds no user xattrs), where treesync
// reports the failure alone (a dry run of either itemizes it). Under -U
// without -H, treesync lists one name of a file another user owns after
// it read the file through another name (the kernel refuses that user
// O_NOATIME), and copies the access time the read gave it, where rsync
// listed every name first. Under -H, a name rsync fails to link to
// another user's file (fs.protected_hardlinks) it leaves as it was, where
// treesync copies it (its group's first name failed): treesync's entry
// becomes rsync's.
// rsync itemizes a file it then fails to create (mkstemp in another
// user's directory) or rename into place (over another user's file in a
// sticky directory), treesync reports the failure alone: the line goes.
// rsync itemizes an owner or mode it then fails to set on a file too,
// where treesync reports the failure alone (README).
// withoutNewIn returns out without the lines of new entries under the
// directory dir: the symlinks made directly in it, and the directories
// it holds that rsync takes for missing, with all they hold (seed 41922).
func withoutNewIn(out, dir string) string {
	lines := strings.SplitAfter(out, "\n")
	return strings.Join(slices.DeleteFunc(lines, func(l string) bool {
		return len(l) > 12 && l[2:11] == "+++++++++" && strings.HasPrefix(l[12:], dir+"/")
	}), "")
}

// unstattable matches rsync's report of a destination name it may not
// stat (its directory cannot be searched).
var unstattable = regexp.MustCompile(`failed to stat "([^"]*)": Permission denied`)

func (userRuns) normalize(t *testing.T, opts []string, r, rr *result, ref, dst string) {
	t.Helper()
	staleSkipGroup(t, opts, r, rr, ref, dst)
	for _, m := range refusedTemp.FindAllStringSubmatch(rr.stderr, -1) {
		if rel, err := filepath.Rel(ref, m[1]); err == nil {
			rr.stdout = withoutLine(rr.stdout, ">f", filepath.Join(rel, m[2]))
			r.stdout = touchedAsRsync(t, r.stdout, ref, dst, filepath.Join(rel, m[2]))
		}
	}
	for _, m := range refusedRename.FindAllStringSubmatch(rr.stderr, -1) {
		if rel, err := filepath.Rel(ref, m[1]); err == nil {
			rr.stdout = withoutLine(rr.stdout, ">f", filepath.Join(rel, m[2])) // (seed 11408)
		}
	}
	for _, m := range refusedOpen.FindAllStringSubmatch(rr.stderr, -1) {
		if rel, err := filepath.Rel(ref, m[1]); err == nil {
			rr.stdout = withoutLine(rr.stdout, ">f", rel) // (--inplace; seed 3523)
		}
	}
	for _, m := range refusedMkdir.FindAllStringSubmatch(rr.stderr, -1) {
		if rel, err := filepath.Rel(ref, m[1]); err == nil {
			rr.stdout = withoutLine(rr.stdout, "cd", rel+"/") // (in another user's directory: seed 86743)
		}
	}
	for _, m := range refusedAttr.FindAllStringSubmatch(rr.stderr, -1) {
		if rel, err := filepath.Rel(ref, cmp.Or(m[1], m[2], m[3])); err == nil {
			rr.stdout = withoutLine(rr.stdout, ".f", rel) // (seed 30180)
		}
	}
	for _, m := range refusedLink.FindAllStringSubmatch(rr.stderr, -1) {
		if rel, err := filepath.Rel(ref, unescaped(m[1])); err == nil {
			sameAsRsync(t, ref, dst, linkedName(rel))
		}
	}
	if slices.Contains(opts, "--fake-super") && !slices.Contains(opts, "-n") {
		rr.stdout = specialOwnerLine.ReplaceAllString(rr.stdout, "")
	}
	if slices.Contains(opts, "-n") {
		// A dry run lists the new symlinks and directories (and all in
		// them) in another user's directory it cannot stat the names
		// of, and would fail to make them; treesync
		// leaves that directory's names alone (README).
		for _, m := range unstattable.FindAllStringSubmatch(rr.stderr, -1) {
			if rel, err := filepath.Rel(ref, filepath.Dir(m[1])); err == nil {
				rr.stdout = withoutNewIn(rr.stdout, rel)
			}
		}
	}
	keptGroups(t, ref, dst)
	if src := filepath.Join(filepath.Dir(ref), "src"); slices.Contains(opts, "-U") && linkedNames(t, src, opts) == nil {
		linked := linkedNames(t, src, []string{"-H"}) // (every name of a file of several)
		r.stdout, rr.stdout = withoutAtimeOf(r.stdout, linked), withoutAtimeOf(rr.stdout, linked)
	}
	if !backups(opts) {
		return
	}
	suffix := backupSuffix(opts)
	must(t, filepath.WalkDir(ref, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(ref, p)
		backup := strings.HasPrefix(rel, "bk/") || (suffix != "" && strings.HasSuffix(rel, suffix))
		if err != nil || !backup || !d.Type().IsRegular() {
			return err
		}
		mine, err := os.Lstat(filepath.Join(dst, rel))
		theirs, err2 := d.Info()
		if err != nil || err2 != nil || mine.Mode()&0o200 != 0 || theirs.Mode() != mine.Mode()|0o200 {
			return nil
		}
		return os.Chmod(p, mine.Mode())
	}))
}

// keptGroups gives rsync's copy of a file treesync kept (touched: ".f..t"
// where rsync sends it again, in this run or a first one cut short)
// treesync's group, where that is one the user could not have given
// (neither 65534 nor 100) and rsync's is the user's: treesync's file
// keeps the group it had, rsync's new copy gets the user's (README: a
// touched file is not re-sent; seed 69206, a file of group sys). The
// trees compared afterwards show whether the contents are the same.
func keptGroups(t *testing.T, ref, dst string) {
	t.Helper()
	must(t, filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, _ := filepath.Rel(dst, p)
		mine, err := os.Lstat(p)
		theirs, err2 := os.Lstat(filepath.Join(ref, rel))
		if err != nil || err2 != nil || !theirs.Mode().IsRegular() {
			return nil
		}
		kept, given := mine.Sys().(*syscall.Stat_t).Gid, theirs.Sys().(*syscall.Stat_t).Gid
		if kept != given && given == 65534 && kept != 100 {
			return os.Lchown(filepath.Join(ref, rel), -1, int(kept))
		}
		return nil
	}))
}

// withoutAtimeOf drops the access time change from the itemized lines of
// out for the names in names, and the lines left with no change.
func withoutAtimeOf(out string, names map[string]bool) string {
	lines := strings.SplitAfter(out, "\n")
	for i, l := range lines {
		trimmed := strings.TrimSuffix(l, "\n")
		name, _, _ := strings.Cut(trimmed[min(12, len(trimmed)):], " => ")
		if !itemLine.MatchString(l) || !names[name] || l[8] != 'u' {
			continue
		}
		lines[i] = l[:8] + "." + l[9:]
		if strings.HasPrefix(lines[i], ".f.........") {
			lines[i] = ""
		}
	}
	return strings.Join(lines, "")
}

// staleSkipGroup undoes a fault of rsync 3.5 under -H as an ordinary
// user (README): a hard-linked name not first of its group takes the
// first's group but keeps the mark of the entry before it that says
// whether the user may give that group, and so do the names sent after
// it with that group. (--fake-super keeps every group, in an xattr:
// rsync marks none.)
func staleSkipGroup(t *testing.T, opts []string, r, rr *result, ref, dst string) {
	t.Helper()
	if !strings.Contains(opts[0], "H") || slices.ContainsFunc(opts, func(o string) bool {
		return strings.HasPrefix(o, "--groupmap") || strings.HasPrefix(o, "--chown") || o == "--no-g" || o == "--fake-super"
	}) {
		return
	}
	dir := filepath.Dir(ref)
	if filepath.Base(ref) == "src" { // (a named source: ref is rsync/src)
		dir = filepath.Dir(dir)
	}
	staleUnmarked(t, opts, rr, filepath.Join(dir, "src"), ref, dst)
	staleMarked(r, rr, filepath.Join(dir, "src"), ref, dst)
}

// staleUnmarked: where the mark is missing, rsync itemizes a group change
// ("g") it then fails (EPERM, exit 23) and, in a run that is not dry,
// leaves the entry's mode and times unset (seed 9736). Where the
// source's group is none of the user's (65534, 100), rsync's "g", its
// failure and the mode and times it left are made treesync's.
func staleUnmarked(t *testing.T, opts []string, rr *result, src, ref, dst string) {
	t.Helper()
	stale := notGivable(src, itemizedGroups(rr.stdout), refusedGroups(rr.stderr, ref))
	lines := strings.SplitAfter(rr.stdout, "\n")
	for i, l := range lines {
		if itemLine.MatchString(l) && l[7] == 'g' && stale[itemName(l)] {
			lines[i] = l[:7] + "." + l[8:]
			if l[2:11] == ".....g..." && !slices.Contains(opts, "-ii") {
				lines[i] = ""
			}
		}
	}
	rr.stdout = strings.Join(lines, "")
	lines = strings.SplitAfter(rr.stderr, "\n")
	rr.stderr = strings.Join(slices.DeleteFunc(lines, func(l string) bool {
		m := refusedGroup.FindStringSubmatch(l)
		rel, err := "", error(nil)
		if m != nil {
			rel, err = filepath.Rel(ref, unescaped(m[1]))
		}
		return m != nil && err == nil && stale[rel]
	}), "")
	for name := range stale {
		if !slices.Contains(opts, "-n") {
			sameModeAndTimes(t, filepath.Join(dst, name), filepath.Join(ref, name))
		}
	}
	if len(stale) > 0 && rr.code == 23 && !strings.Contains(strings.ReplaceAll(rr.stderr, "rsync error: some files/attrs were not transferred", ""), "rsync") {
		rr.code = 0
	}
}

// staleMarked: where the mark is wrongly set, rsync leaves alone a group
// the user could give, without a word, where the entry is another
// user's and giving it fails (seed 10306: treesync's "chown: operation
// not permitted", exit 23, as rsync's own is for any other entry). Such
// a failure of treesync's, for an entry whose source group is the user's
// and whose destination group differs, is taken out where rsync reports
// none.
func staleMarked(r, rr *result, src, ref, dst string) {
	refused := refusedGroups(rr.stderr, ref)
	lines := strings.SplitAfter(r.stderr, "\n")
	r.stderr = strings.Join(slices.DeleteFunc(lines, func(l string) bool {
		m := attrFailure.FindStringSubmatch(l)
		if m == nil || !strings.Contains(l, `error="chown: operation not permitted"`) {
			return false
		}
		name, err := strconv.Unquote(m[1])
		if err != nil {
			name = m[1]
		}
		name = strings.TrimSuffix(name, "/")
		return !slices.Contains(refused, name) && givableElsewhere(filepath.Join(src, name), filepath.Join(dst, name))
	}), "")
	if r.code == 23 && rr.code == 0 && !strings.Contains(r.stderr, "ERR ") {
		r.code, r.stderr = 0, ""
	}
}

// givableElsewhere reports a source entry (src) of a group the user may
// give (65534, 100) whose destination (dst) is another user's, of
// another group.
func givableElsewhere(src, dst string) bool {
	var s, d unix.Stat_t
	if unix.Lstat(src, &s) != nil || unix.Lstat(dst, &d) != nil {
		return false
	}
	return (s.Gid == 65534 || s.Gid == 100) && d.Uid != 65534 && d.Gid != s.Gid
}

// refusedGroup is rsync's line for a group it could not give.
var refusedGroup = regexp.MustCompile(`chgrp "([^"]+)" failed: Operation not permitted`)

// refusedGroups returns the names (relative to ref) of the entries rsync
// says (its messages: out) it could not give a group.
func refusedGroups(out, ref string) []string {
	var names []string
	for _, m := range refusedGroup.FindAllStringSubmatch(out, -1) {
		if rel, err := filepath.Rel(ref, unescaped(m[1])); err == nil {
			names = append(names, rel)
		}
	}
	return names
}

// itemizedGroups returns the names of out's itemized lines that show a
// group change ("g").
func itemizedGroups(out string) []string {
	var names []string
	for _, l := range strings.SplitAfter(out, "\n") {
		if itemLine.MatchString(l) && l[7] == 'g' {
			names = append(names, itemName(l))
		}
	}
	return names
}

// itemName is the name of an itemized line l, unescaped, without a
// symlink's target or a directory's slash.
func itemName(l string) string {
	name, _, _ := strings.Cut(strings.TrimSuffix(l[12:], "\n"), " -> ")
	return strings.TrimSuffix(unescaped(name), "/")
}

// notGivable returns those of the names whose group in the source (src)
// is none an ordinary user may give (65534, 100).
func notGivable(src string, names ...[]string) map[string]bool {
	set := map[string]bool{}
	for _, name := range slices.Concat(names...) {
		var st unix.Stat_t
		if unix.Lstat(filepath.Join(src, name), &st) == nil && st.Gid != 65534 && st.Gid != 100 {
			set[name] = true
		}
	}
	return set
}

// sameModeAndTimes gives the entry ref the mode (unless a symlink) and
// times of the entry dst.
func sameModeAndTimes(t *testing.T, dst, ref string) {
	t.Helper()
	var st unix.Stat_t
	if unix.Lstat(dst, &st) != nil {
		return
	}
	if st.Mode&unix.S_IFMT != unix.S_IFLNK {
		must(t, unix.Chmod(ref, st.Mode&0o7777))
	}
	sameTimes(t, dst, ref)
}

// sameTimes gives the entry ref the times of the entry dst.
func sameTimes(t *testing.T, dst, ref string) {
	t.Helper()
	var st unix.Stat_t
	must(t, unix.Lstat(dst, &st))
	must(t, unix.UtimesNanoAt(unix.AT_FDCWD, ref, []unix.Timespec{st.Atim, st.Mtim}, unix.AT_SYMLINK_NOFOLLOW))
}

// refusedTemp is rsync's line for a temporary file it could not create.
var refusedTemp = regexp.MustCompile(`mkstemp "([^"]+)/\.([^"/]+)\.[A-Za-z0-9]{6}" failed: Permission denied`)

// refusedRename is rsync's line for a file it could not rename into
// place: another user's file in a sticky directory (treesync reports the
// failure alone).
var refusedRename = regexp.MustCompile(`\[receiver\] rename "([^"]+)/\.([^"/]+)\.[A-Za-z0-9]{6}" -> "[^"]*": Operation not permitted`)

// refusedOpen is rsync's line for a destination file it could not open
// to update in place (a new one, in another user's directory, under -b:
// "No such file or directory", seed 10705).
var refusedOpen = regexp.MustCompile(`\[receiver\] open "([^"]+)" failed: (?:Permission denied|No such file or directory)`)

// refusedMkdir is rsync's line for a directory it itemized as new and
// then could not make.
var refusedMkdir = regexp.MustCompile(`mkdir "([^"]+)" failed: Permission denied`)

// refusedAttr is rsync's line for an owner or mode it could not set, or
// (--fake-super) could not read from another user's file it may not
// read, whose owner and mode it then itemizes and cannot keep either
// (seed 4473; treesync reports both failures, README).
var refusedAttr = regexp.MustCompile(`ch(?:own|grp) "([^"]+)" failed: Operation not permitted|failed to set permissions on "([^"]+)": Operation not permitted|failed to read xattr user\.rsync\.%stat for "([^"]+)": Permission denied`)

// withoutLine returns out without the itemized line of name that starts
// with prefix (">f": a file sent); the name may be escaped as rsync
// escapes it in its messages.
func withoutLine(out, prefix, name string) string {
	lines := strings.SplitAfter(out, "\n")
	name = unescaped(name)
	return strings.Join(slices.DeleteFunc(lines, func(l string) bool {
		return strings.HasPrefix(l, prefix) && len(l) > 12 && l[11] == ' ' && unescaped(strings.TrimSuffix(l[12:], "\n")) == name
	}), "")
}

// rsyncEscape is a byte as rsync escapes it in names: \#ooo.
var rsyncEscape = regexp.MustCompile(`\\#[0-7]{3}`)

// unescaped returns s with rsync's \#ooo escapes made the bytes they
// stand for.
func unescaped(s string) string {
	return rsyncEscape.ReplaceAllStringFunc(s, func(e string) string {
		n, _ := strconv.ParseUint(e[2:], 8, 8)
		return string([]byte{byte(n)})
	})
}

// touchedAsRsync drops treesync's line for a file it touched in place
// (".f..t": only its time differed) where rsync, which sends such a file
// again, could not create its copy in the directory (another user's):
// the owner may set a file's times without writing its directory
// (README: a touched file is not re-sent; seed 2003). rsync's file is
// given treesync's times, and mode.
func touchedAsRsync(t *testing.T, out, ref, dst, rel string) string {
	t.Helper()
	kept := withoutLine(out, ".f..t", rel)
	if kept == out {
		kept = withoutLine(out, ".f..T", rel)
	}
	if kept == out {
		return out
	}
	sameModeAndTimes(t, filepath.Join(dst, unescaped(rel)), filepath.Join(ref, unescaped(rel))) // (".f..tp": seed 10173)
	return kept
}

// linkedName is the name a hard link rsync made under a temporary name
// (".NAME.12345", to rename over an entry) stands for.
func linkedName(rel string) string {
	if m := linkTemp.FindStringSubmatch(filepath.Base(rel)); m != nil {
		return filepath.Join(filepath.Dir(rel), m[1])
	}
	return rel
}

// linkTemp is the name of rsync's temporary hard link.
var linkTemp = regexp.MustCompile(`(?s)^\.(.+)\.[0-9]+$`) // (a name may hold a newline: seed 7988)

// sameAsRsync makes treesync's non-directory entry rel what rsync left
// there, where a hard link the kernel refused rsync (another user's file
// under fs.protected_hardlinks) made treesync copy the file instead
// (README): rsync's old entry, or none.
func sameAsRsync(t *testing.T, ref, dst, rel string) {
	t.Helper()
	mine, theirs := filepath.Join(dst, rel), filepath.Join(ref, rel)
	fi, err := os.Lstat(mine)
	parent, err2 := os.Stat(filepath.Dir(mine))
	if err != nil || err2 != nil || fi.IsDir() {
		return
	}
	defer func() { must(t, os.Chtimes(filepath.Dir(mine), time.Time{}, parent.ModTime())) }() // (as the run left it)
	must(t, os.Remove(mine))
	if _, err := os.Lstat(theirs); err == nil {
		if out, err := exec.Command("cp", "-a", theirs, mine).CombinedOutput(); err != nil {
			t.Fatalf("cp -a %s %s: %v\n%s", theirs, mine, err, out)
		}
	}
}

// refusedLink is rsync's line for a hard link the kernel refused.
var refusedLink = regexp.MustCompile(`link "([^"]+)" => .* failed: Operation not permitted`)

// specialOwnerLine is an itemized owner and group change of a device,
// fifo or socket (with its time, mode and, -U, access time or not: seed
// 11897).
var specialOwnerLine = regexp.MustCompile(`(?m)^\.[DS]\.\.[.t][.p]og[.u]\.\. .*\n`)

// userOwns gives uid 65534 what root owns at p; what the seed gave
// another owner (seededTrees) stays that owner's.
func userOwns(p string) error {
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil || st.Uid != 0 {
		return err
	}
	return os.Lchown(p, 65534, 65534)
}

// chmodAdd adds file's bits to a regular file and dir's to a directory.
func chmodAdd(p string, d fs.DirEntry, file, dir fs.FileMode) error {
	add := map[bool]fs.FileMode{true: dir, false: file}[d.IsDir()]
	if add == 0 || !(d.IsDir() || d.Type().IsRegular()) {
		return nil
	}
	st, err := os.Lstat(p)
	if err != nil {
		return err
	}
	return os.Chmod(p, st.Mode()&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)|add)
}

// runAsUser runs argv as uid and gid 65534 with group 100 besides.
func runAsUser(t *testing.T, argv ...string) result {
	t.Helper()
	return execWith(t, func(c *exec.Cmd) {
		c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534, Groups: []uint32{100}}}
	}, argv...)
}

// TestSuperVsRsync: --no-super makes root act as another user would (no
// owners, devices skipped, user.* xattrs only, its own groups), --super
// undoes it; the last of the two counts.
func TestSuperVsRsync(t *testing.T) {
	requireRoot(t)
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "f", Data: []byte("f"), Mode: 0o4755, Mtime: at, Owner: true, UID: 1, GID: 2,
		Xattrs: map[string]string{"user.a": "1", "trusted.b": "2"}},
		{Path: "d", Kind: tree.Dir, Mtime: at, Owner: true, UID: 3, GID: 4}, {Path: "p", Kind: tree.Fifo, Mtime: at},
		{Path: "c", Kind: tree.CharDev, Rdev: unix.Mkdev(1, 3), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, opts := range [][]string{{"-aX", "--no-super"}, {"-aX", "--no-super", "--super"}, {"-aX", "--super", "--no-super"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareTreesWithRsync(t, opts, source, stale) })
	}
}

// TestLinkDestAsOrdinaryUserVsRsync: an ordinary user's --link-dest
// snapshot against a reference of root's files, which the kernel will
// not let it link (fs.protected_hardlinks): each is copied instead, as
// rsync copies it, not failed.
func TestLinkDestAsOrdinaryUserVsRsync(t *testing.T) {
	requireRoot(t)
	requireTool(t, "rsync")
	if b, err := os.ReadFile("/proc/sys/fs/protected_hardlinks"); err != nil || strings.TrimSpace(string(b)) != "1" {
		t.Fatalf("this test needs fs.protected_hardlinks=1 (%q, %v)", b, err)
	}
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "f", Data: []byte("same"), Mtime: at}, {Path: "p", Kind: tree.Fifo, Mtime: at},
		{Path: "l", Kind: tree.Symlink, Target: "f", Mtime: at}, {Path: "new", Data: []byte("new"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: ".", Kind: tree.Dir, Mtime: at, Owner: true, UID: 65534, GID: 65534}}
	alt := slices.Clone(source[:3])
	for _, opts := range [][]string{{"-a", "--link-dest=../alt"}, {"-rlt", "--link-dest=../alt"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { userTwinsAgree(t, source, stale, alt, opts...) })
	}
}

// TestCopyAsVsRsync: root's run with --copy-as=USER[:GROUP] reads and
// writes as that user, both sides, as rsync: what it makes is the user's,
// what the user may not change fails (the destination root's mode, 23),
// an unknown user or group is a usage error (1).
func TestCopyAsVsRsync(t *testing.T) {
	requireRoot(t)
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "f", Data: []byte("f"), Mtime: at}, {Path: "d", Kind: tree.Dir, Mtime: at},
		{Path: "d/g", Data: []byte("g"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: ".", Kind: tree.Dir, Mode: 0o777, Mtime: at}}
	for _, spec := range []string{"nobody", "65534:100", "nosuchuser", "nobody:nosuchgroup"} {
		t.Run(spec, func(t *testing.T) {
			_, src, dst, ref := reachableTwins(t, source, stale)
			r := treesync(t, "-ai", "--copy-as="+spec, src+"/", dst+"/")
			rr := rsync(t, "-ai", "--copy-as="+spec, src+"/", ref+"/")
			if usage := strings.Contains(spec, "such"); r.code != rr.code || usage != (r.code == 1) {
				t.Errorf("exit %d, rsync %d\n%s\n%s", r.code, rr.code, r, rr)
			}
			noDiff(t, "rsync vs treesync", ref, dst, tree.Options{IgnoreDirMtime: true})
			if r.code == 1 {
				return
			}
			var st unix.Stat_t
			must(t, unix.Lstat(filepath.Join(dst, "d/g"), &st))
			if st.Uid != 65534 {
				t.Errorf("d/g is owned by %d, not the --copy-as user", st.Uid)
			}
		})
	}
}

// TestRemoveSourceFilesAsOrdinaryUserVsRsync: source files the user may
// not remove (root's directory) fail --remove-source-files (exit 23), but
// the transfer is whole: extraneous files are deleted all the same, and
// a --max-delete limit reached gives 25, as rsync, whose sender alone
// sees these failures.
func TestRemoveSourceFilesAsOrdinaryUserVsRsync(t *testing.T) {
	requireRoot(t)
	requireTool(t, "rsync")
	at := tree.At(100, 0)
	mine := func(n tree.Node) tree.Node { n.Owner, n.UID, n.GID = true, 65534, 65534; return n }
	source := []tree.Node{{Path: "a", Data: []byte("a"), Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{mine(tree.Node{Path: "x", Data: []byte("x"), Mtime: at}), mine(tree.Node{Path: "y", Data: []byte("y"), Mtime: at}),
		mine(tree.Node{Path: ".", Kind: tree.Dir, Mtime: at})}
	for _, opts := range [][]string{{"--delete"}, {"--delete-before"}, {"--delete-after", "--max-delete=1"}, {"--delete-delay", "--max-delete=1"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) {
			r, rr, dst, ref := userTwins(t, source, stale, nil, append([]string{"-ai", "--remove-source-files"}, opts...)...)
			want := map[bool]int{false: 23, true: 25}[len(opts) > 1]
			if r.code != want || rr.code != want {
				t.Fatalf("want exit %d from both:\n%s\n%s", want, r, rr)
			}
			if got, want := strings.Count(r.stdout, "*deleting"), strings.Count(rr.stdout, "*deleting"); got != want || got == 0 {
				t.Errorf("%d deletions, rsync %d", got, want)
			}
			if len(opts) == 1 { // (which file the limit leaves is each tool's own)
				noDiff(t, "rsync vs treesync", ref, dst, tree.Options{IgnoreDirMtime: true})
			}
		})
	}
}

// TestOthersFilesAsOrdinaryUserVsRsync: in its own directory an ordinary
// user replaces, backs up and deletes files of another user it may not
// read: a backup (-b, --backup-dir) is moved, not linked (the kernel
// refuses to link such a file: fs.protected_hardlinks), and -c counts an
// unreadable file as different, as rsync.
func TestOthersFilesAsOrdinaryUserVsRsync(t *testing.T) {
	requireRoot(t)
	requireTool(t, "rsync")
	at, old := tree.At(100, 0), tree.At(50, 0)
	theirs := func(n tree.Node) tree.Node { n.Owner, n.UID, n.GID, n.Mode = true, 1, 1, 0o600; return n }
	source := []tree.Node{{Path: "f", Data: []byte("new"), Mtime: at}, {Path: "same", Data: []byte("same"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{theirs(tree.Node{Path: "f", Data: []byte("old f"), Mtime: old}),
		theirs(tree.Node{Path: "same", Data: []byte("same"), Mtime: at}), theirs(tree.Node{Path: "gone", Data: []byte("g"), Mtime: at}),
		{Path: ".", Kind: tree.Dir, Mtime: at, Owner: true, UID: 65534, GID: 65534}}
	for _, opts := range [][]string{{"-rlt", "-b"}, {"-rlt", "-b", "--delete"}, {"-rlt", "--backup-dir=bk", "--delete"}, {"-rlt", "-c"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { userTwinsAgree(t, source, stale, nil, opts...) })
	}
}

// TestUnreadableReferenceAsOrdinaryUserVsRsync: an ordinary user's
// --link-dest/--copy-dest tree holding another user's unreadable file
// (root's 0600) that matches the source: the kernel refuses the link and
// the reference cannot be copied, so the file is transferred from the
// source, the failed open reported (exit 23), as rsync does. It used to
// fail the file, leaving it missing.
func TestUnreadableReferenceAsOrdinaryUserVsRsync(t *testing.T) {
	requireRoot(t)
	at := tree.At(100, 0)
	source := []tree.Node{
		{Path: "f", Data: []byte("secret-ish"), Mtime: at},
		{Path: "g", Data: []byte("plain"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	alt := []tree.Node{{Path: "f", Data: []byte("secret-ish"), Mode: 0o600, Mtime: at}}
	stale := []tree.Node{{Path: ".", Kind: tree.Dir, Mtime: at, Owner: true, UID: 65534, GID: 65534}}
	for _, mode := range []string{"--link-dest=../alt", "--copy-dest=../alt"} {
		t.Run(mode, func(t *testing.T) {
			r, rr, dst, ref := userTwins(t, source, stale, alt, "-rlt", "-i", mode)
			if r.code != rr.code || r.code != 23 {
				t.Errorf("exit %d, rsync %d (want 23)\n%s\n%s", r.code, rr.code, r, rr)
			}
			noDiff(t, "rsync vs treesync", ref, dst, tree.Options{IgnoreDirMtime: true})
			if data, err := os.ReadFile(filepath.Join(dst, "f")); string(data) != "secret-ish" {
				t.Errorf("f not transferred from the source: %q %v\n%s\n%s", data, err, r, rr)
			}
		})
	}
}

// TestRefusedLinksItemizedAsOrdinaryUserVsRsync: under -ii, a file or
// symlink an ordinary user copies from another user's --link-dest tree
// because the kernel refuses the link is listed as the copy it is ("cf",
// "cL"), as rsync lists it, not as linked ("hf").
func TestRefusedLinksItemizedAsOrdinaryUserVsRsync(t *testing.T) {
	requireRoot(t)
	at := tree.At(100, 0)
	nodes := []tree.Node{
		{Path: "f", Data: []byte("same"), Mtime: at},
		{Path: "l", Kind: tree.Symlink, Target: "f", Mtime: at},
	}
	source := append(slices.Clone(nodes), tree.Node{Path: ".", Kind: tree.Dir, Mtime: at})
	stale := []tree.Node{{Path: ".", Kind: tree.Dir, Mtime: at, Owner: true, UID: 65534, GID: 65534}}
	r, rr, dst, ref := userTwins(t, source, stale, nodes, "-rlt", "-ii", "--link-dest=../alt")
	if r.code != 0 || rr.code != 0 {
		t.Fatalf("want both to succeed:\n%s\n%s", r, rr)
	}
	if got, want := itemLines(r.stdout, nil), itemLines(rr.stdout, nil); got != want || !strings.Contains(got, "cf          f") {
		t.Errorf("itemized lines differ\ntreesync:\n%s\nrsync:\n%s", got, want)
	}
	noDiff(t, "rsync vs treesync", ref, dst, tree.Options{IgnoreDirMtime: true})
}

// TestUnsearchableDestinationAsOrdinaryUserVsRsync: another user's
// directories at the destination that uid 65534 may read but not search
// (0644) or not open at all (0700) hold names it cannot stat; those are
// left alone with an error (exit 23), as rsync leaves them. (treesync
// took them for missing: a dry run listed them as new files, a real run
// failed to make them.)
func TestUnsearchableDestinationAsOrdinaryUserVsRsync(t *testing.T) {
	requireRoot(t)
	at := tree.At(100, 0)
	other := func(n tree.Node) tree.Node { n.Owner, n.UID, n.GID = true, 2, 2; return n }
	source := []tree.Node{
		{Path: "blind", Kind: tree.Dir, Mtime: at}, {Path: "blind/f", Data: []byte("f"), Mtime: at},
		{Path: "blind/new", Data: []byte("n"), Mtime: at},
		{Path: "shut", Kind: tree.Dir, Mtime: at}, {Path: "shut/f", Data: []byte("f"), Mtime: at},
		{Path: "shut/new", Data: []byte("n"), Mtime: at},
		{Path: "ok", Data: []byte("ok"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	stale := []tree.Node{
		other(tree.Node{Path: "blind", Kind: tree.Dir, Mode: 0o644, Mtime: at}), other(tree.Node{Path: "blind/f", Data: []byte("old"), Mtime: at}),
		other(tree.Node{Path: "shut", Kind: tree.Dir, Mode: 0o700, Mtime: at}), other(tree.Node{Path: "shut/f", Data: []byte("old"), Mtime: at}),
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	for _, opts := range [][]string{{"-rt"}, {"-rt", "-n"}, {"-rt", "--delete"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareRuns(t, userRuns{}, opts, source, stale, nil) })
	}
}

// TestUndeletableKeepsOldBackupAsOrdinaryUser: an ordinary user's
// --delete --backup-dir of its own file in a directory it may not write
// (root's) fails to delete it, and leaves the older backup of that name
// as it was; the file was linked into the backup directory first, in
// place of the older backup, and stayed there linked to the file it did
// not delete (random seed 60390 as uid 65534).
func TestUndeletableKeepsOldBackupAsOrdinaryUser(t *testing.T) {
	requireRoot(t)
	dir := userRuns{}.dir(t)
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	at := tree.At(100, 0)
	build(t, src, []tree.Node{{Path: "sub", Kind: tree.Dir, Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}})
	build(t, dst, []tree.Node{{Path: "sub", Kind: tree.Dir, Mode: 0o755, Mtime: at},
		{Path: "sub/f", Data: []byte("current"), Owner: true, UID: 65534, GID: 65534, Mtime: at},
		{Path: "bk/sub/f", Data: []byte("older backup"), Owner: true, UID: 65534, GID: 65534, Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at}})
	for _, p := range []string{dst, filepath.Join(dst, "bk"), filepath.Join(dst, "bk/sub")} {
		must(t, os.Lchown(p, 65534, 65534))
	}
	r := runAsUser(t, userRuns{}.binary(t, dir), "-r", "--delete", "--backup-dir=bk", "--exclude=/bk", src+"/", dst+"/")
	if r.code != 23 {
		t.Errorf("exit %d, want 23 (the file cannot be deleted)\n%s", r.code, r)
	}
	old, err := os.ReadFile(filepath.Join(dst, "bk/sub/f"))
	var a, b unix.Stat_t
	_ = unix.Stat(filepath.Join(dst, "bk/sub/f"), &a)
	_ = unix.Stat(filepath.Join(dst, "sub/f"), &b)
	if err != nil || string(old) != "older backup" || a.Ino == b.Ino {
		t.Errorf("older backup %q %v (same inode as the file: %v)\n%s", old, err, a.Ino == b.Ino, r)
	}
}

// TestFakeSuperReadOnlyInPlaceAsOrdinaryUserVsRsync: under --fake-super
// a read-only file the run did not make (its real mode 0444) is written
// in place as rsync writes it: made writable by its owner while opened
// (treesync took every real mode for writable under --fake-super and
// failed it: seed 2965).
func TestFakeSuperReadOnlyInPlaceAsOrdinaryUserVsRsync(t *testing.T) {
	requireRoot(t)
	requireTool(t, "rsync")
	at, old := tree.At(100, 0), tree.At(50, 0)
	mine := func(n tree.Node) tree.Node { n.Owner, n.UID, n.GID = true, 65534, 65534; return n }
	source := []tree.Node{{Path: "f", Data: []byte("old and more"), Mode: 0o644, Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{mine(tree.Node{Path: "f", Data: []byte("old"), Mode: 0o444, Mtime: old}),
		mine(tree.Node{Path: ".", Kind: tree.Dir, Mtime: at})}
	for _, opts := range [][]string{{"-a", "--fake-super", "--inplace"}, {"-a", "--fake-super", "--append"},
		{"-a", "--fake-super", "--inplace", "-I"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { userTwinsAgree(t, source, stale, nil, opts...) })
	}
}

// TestFakeSuperUnreadableFileAsOrdinaryUserVsRsync: under --fake-super a
// destination file its user may not read (0200) has attributes that may
// not be read either: the run reports it (exit 23) and goes on with the
// file as it stands, as rsync's receiver does (treesync took it as it
// stands without a word and exited 0: seeds 2269, 3371).
func TestFakeSuperUnreadableFileAsOrdinaryUserVsRsync(t *testing.T) {
	requireRoot(t)
	requireTool(t, "rsync")
	at := tree.At(100, 0)
	mine := func(n tree.Node) tree.Node { n.Owner, n.UID, n.GID = true, 65534, 65534; return n }
	source := []tree.Node{{Path: "f", Data: []byte("new"), Mode: 0o644, Mtime: at}, {Path: "g", Data: []byte("g"), Mode: 0o644, Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{mine(tree.Node{Path: "f", Data: []byte("old"), Mode: 0o200, Mtime: at}),
		mine(tree.Node{Path: "gone", Data: []byte("x"), Mode: 0o644, Mtime: at}), mine(tree.Node{Path: ".", Kind: tree.Dir, Mtime: at})}
	for _, opts := range [][]string{{"-a", "--fake-super", "-n"}, {"-a", "--fake-super", "--delete-during"}, {"-a", "--fake-super", "-c", "--delete-during"}, {"-a", "--fake-super", "--chmod=u-w"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) {
			args := append([]string{"-i"}, opts...)
			r, rr, dst, ref := userTwins(t, source, stale, nil, args...)
			if r.code != 23 || rr.code != 23 {
				t.Fatalf("want both to exit 23:\n%s\n%s", r, rr)
			}
			if !strings.Contains(r.stderr, "user.rsync.%stat") {
				t.Errorf("treesync does not say which attribute it could not read:\n%s", r)
			}
			if got, want := itemLines(r.stdout, nil), itemLines(rr.stdout, nil); got != want {
				t.Errorf("itemized lines differ\ntreesync:\n%s\nrsync:\n%s", got, want)
			}
			noDiff(t, "rsync vs treesync", ref, dst, tree.Options{IgnoreDirMtime: true})
		})
	}
}

// TestIDMapsAsOrdinaryUserVsRsync: --groupmap and --chown's group turn
// on -g for an ordinary user too, as rsync's do: the groups mapped to,
// where they are the user's, are given; a group the user cannot give an
// existing file (another user's) is an error, exit 23, and a dry run
// itemizes it (seed 4074). treesync left groups alone under either
// option, silently, also those asked for by -a.
func TestIDMapsAsOrdinaryUserVsRsync(t *testing.T) {
	requireRoot(t)
	at, now := tree.At(100, 0), tree.At(200, 0)
	own := func(p string, gid int) tree.Node {
		return tree.Node{Path: p, Data: []byte(p), Mtime: at, Owner: true, UID: 65534, GID: gid}
	}
	source := []tree.Node{own("root", 0), own("nobody", 65534), own("users", 100), own("theirs", 0),
		{Path: "d", Kind: tree.Dir, Mtime: at, Owner: true, UID: 65534, GID: 0}, own("d/f", 0),
		{Path: ".", Kind: tree.Dir, Mtime: now}}
	stale := []tree.Node{own("nobody", 65534), own("users", 65534),
		{Path: "theirs", Data: []byte("theirs"), Mtime: at, Owner: true, UID: 2, GID: 2}, {Path: ".", Kind: tree.Dir, Mtime: now}}
	for _, opts := range [][]string{{"-rt", "--groupmap=65534:100"}, {"-a", "--groupmap=0:100"}, {"-a", "--groupmap=*:100"},
		{"-rt", "--chown=:100"}, {"-a", "--chown=65534:100"}, {"-a", "--groupmap=*:0"}, {"-a", "--chown=:100", "--no-g"},
		{"-a", "--groupmap=0:65534"}, {"-a", "-n", "--groupmap=0:65534"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareRuns(t, userRuns{}, opts, source, stale, nil) })
	}
}

// TestUnlistableDeletedDirAsOrdinaryUserVsRsync: a directory to delete
// that uid 65534 may not list (another user's, 0700) is an I/O error,
// as rsync's: it is tried all the same (one that is empty goes; else
// "cannot delete non-empty directory", and a dry run itemizes it) and
// the deletions in the directories after it are skipped ("IO error
// encountered -- skipping file deletion"). treesync reported the error
// and deleted the rest (seed 4321).
func TestUnlistableDeletedDirAsOrdinaryUserVsRsync(t *testing.T) {
	requireRoot(t)
	at := tree.At(100, 0)
	other := func(n tree.Node) tree.Node { n.Owner, n.UID, n.GID = true, 2, 2; return n }
	source := []tree.Node{{Path: "keep", Data: []byte("k"), Mtime: at}, {Path: "z", Kind: tree.Dir, Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, shut := range [][]tree.Node{
		{other(tree.Node{Path: "a", Kind: tree.Dir, Mode: 0o700, Mtime: at}), other(tree.Node{Path: "a/f", Data: []byte("f"), Mtime: at})},
		{other(tree.Node{Path: "a", Kind: tree.Dir, Mode: 0o700, Mtime: at})},
	} {
		stale := append(slices.Clone(shut), tree.Node{Path: "keep", Data: []byte("k"), Mtime: at}, tree.Node{Path: "old", Data: []byte("o"), Mtime: at},
			tree.Node{Path: "z", Kind: tree.Dir, Mtime: at}, tree.Node{Path: "z/gone", Data: []byte("g"), Mtime: at},
			tree.Node{Path: ".", Kind: tree.Dir, Mtime: at})
		for _, opts := range [][]string{{"-rt", "--delete"}, {"-rt", "-n", "--delete"}, {"-rt", "--delete-during"}} {
			t.Run(fmt.Sprintf("%d %s", len(shut), strings.Join(opts, " ")), func(t *testing.T) { compareRuns(t, userRuns{}, opts, source, stale, nil) })
		}
	}
}

// TestTouchedOthersFileAsOrdinaryUserVsRsync: for an ordinary user, a
// file of the same size whose time alone differs, and which another user
// owns in a directory of its own, is sent again, as rsync sends it (a
// new file of the user's); treesync set its time in place, which only
// the owner may ("set times: operation not permitted", exit 23; seed
// 13327).
func TestTouchedOthersFileAsOrdinaryUserVsRsync(t *testing.T) {
	requireRoot(t)
	requireTool(t, "rsync")
	at := tree.At(100, 0)
	mine := func(n tree.Node) tree.Node { n.Owner, n.UID, n.GID = true, 65534, 65534; return n }
	source := []tree.Node{{Path: "f", Data: []byte("same"), Mode: 0o644, Mtime: at}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: "f", Data: []byte("same"), Mode: 0o644, Mtime: tree.At(50, 0), Owner: true, UID: 10, GID: 9},
		mine(tree.Node{Path: ".", Kind: tree.Dir, Mtime: at})}
	for _, opts := range [][]string{{"-rt"}, {"-a"}, {"-rtp"}, {"-rt", "-c"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) {
			if slices.Contains(opts, "-c") { // (the same checksum: both leave it, and fail to set its time)
				_, _, dst, ref := userTwinsApart(t, source, stale, nil, opts, opts)
				noDiff(t, "rsync vs treesync", ref, dst, tree.Options{IgnoreDirMtime: true})
				return
			}
			userTwinsAgree(t, source, stale, nil, opts...)
		})
	}
}
