package executor

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/treesync/treesync/filter"
	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// dirRules returns the filter rules in effect in d: its parent's, entered
// for d so that a per-directory merge file (.rsync-filter with -F) found
// in d's source directory applies to d and below.
func (e *Executor) dirRules(d *walker.Dir) (planner.Filter, error) {
	rules, err := e.enterRules(d)
	own := rules
	if e.list.List != nil {
		own = listFilter{rules: rules, list: e.list, follow: e.opts.Links == walker.LinksFollow, missing: e.opts.MissingArgs == MissingDelete}
	}
	if e.overlay != nil {
		return e.overlay.filter(e.list.index, d.Path, own, rules), err
	}
	return own, err
}

// reportUnlisted reports the --files-from paths (and -R sources) the
// walk did not meet and the source lacks: errors, as rsync reports them
// (exit 23, and deletes after the transfer are skipped). One the filter
// rules left out is no error.
func (e *Executor) reportUnlisted() {
	l := e.list.List
	if l == nil {
		return
	}
	stat := platform.Lstatat
	if e.opts.Links == walker.LinksFollow {
		stat = platform.Statat // (-L: a dangling symlink is missing, as rsync's stat finds it)
	}
	for _, p := range l.Unmet() {
		_, err := stat(platform.CurrentDir, filepath.Join(e.list.base, p))
		switch {
		case err == nil:
		case e.opts.MissingArgs == MissingDelete && errors.Is(err, fs.ErrNotExist):
			e.deleteMissingListed(p)
		case e.opts.MissingArgs == MissingIgnore && errors.Is(err, fs.ErrNotExist):
		default:
			e.fail(p, fmt.Errorf("source %s: %w", p, err))
		}
	}
}

// deleteMissingListed deletes, under --delete-missing-args, the
// destination name of the listed path p the source lacks. Where the
// directory leading to it is missing too, that is rsync's "file has
// vanished" (exit 24), and the name is deleted only where rsync's
// receiver has its whole file list before it starts (wholeList).
func (e *Executor) deleteMissingListed(p string) {
	l := e.list.List
	if dir := path.Dir(p); dir != "." && !isDir(filepath.Join(e.list.base, dir)) {
		e.fail(dir, srcErr(fmt.Errorf("source %s: %w", dir, fs.ErrNotExist)))
		if e.wholeList() {
			e.deleteMissing(e.rootFd, p, false, l.NamesRoot()) // (its directory keeps the deletion's time, as rsync's)
		}
		return
	}
	// (the run gave its directory its time; the root's only when named)
	e.deleteMissing(e.rootFd, p, strings.Contains(p, "/") || l.NamesRoot(), l.NamesRoot())
}

// wholeList reports a run in which rsync's receiver gets the whole file
// list before it starts, with no incremental recursion: without -r, or
// under --delete-before, --delete-after, --delay-updates or -m. It then
// deletes a missing argument whose directory the list lacks ("parent dir
// is absent in the file list"), which it otherwise never meets (seed
// 113478).
func (e *Executor) wholeList() bool {
	o := e.opts
	return !e.list.List.Recursive() || o.DelayUpdates || o.PruneEmptyDirs ||
		(e.pol.Delete && (o.DeleteMode == DeleteBefore || o.DeleteMode == DeleteAfter))
}

// impliedOnly reports, under --no-implied-dirs, a directory (by path)
// that only leads to listed paths.
func (e *Executor) impliedOnly(path string) bool {
	return e.opts.NoImpliedDirs && e.list.List != nil && path != "" && e.list.List.ImpliedOnly(path)
}

// followDst is the walker's FollowDst: under --no-implied-dirs, a
// destination symlink where a directory only leads to listed paths is
// followed, as rsync leaves such a link.
func (e *Executor) followDst() func(string) bool {
	if !e.opts.NoImpliedDirs {
		return nil
	}
	return e.impliedOnly
}

// dirFilters are a directory's rules: the sender's, entered with the
// merge files of the source directory, and the receiver's, entered with
// those of the destination directory, as rsync reads them on each side.
type dirFilters struct {
	split filter.Split
}

// dirExt is the executor's state for one directory (walker.Dir.Ext).
type dirExt struct {
	filters *dirFilters // nil until its rules are entered
	stage   *stage      // set while a new directory is filled under a temporary name
	window  *windowed   // set while a directory is visited in windows (window.go)
	relock  uint32      // the mode to put back when locked (readonly.go)
	locked  bool
	merged  uint8 // its part where several sources are merged (overlay.go)
}

// extOf returns d's state, nil when it has none.
func extOf(d *walker.Dir) *dirExt {
	x, _ := d.Ext.(*dirExt)
	return x
}

// filtersOf returns d's entered rules, nil when none were entered.
func filtersOf(d *walker.Dir) *dirFilters {
	if x := extOf(d); x != nil {
		return x.filters
	}
	return nil
}

// splitAt returns the filter rules entered for d, else the run's own.
func (e *Executor) splitAt(d *walker.Dir) filter.Split {
	if f := filtersOf(d); f != nil {
		return f.split
	}
	return filter.Split{Sender: e.opts.Filter, Receiver: e.opts.Filter}
}

// rulesAt is splitAt as the planner takes rules (nil: none at all).
func (e *Executor) rulesAt(d *walker.Dir) planner.Filter {
	if e.opts.Filter == nil {
		return nil
	}
	return e.splitAt(d)
}

func (e *Executor) enterRules(d *walker.Dir) (planner.Filter, error) {
	if e.opts.Filter == nil {
		return nil, nil
	}
	parent := filter.Split{Sender: e.opts.Filter, Receiver: e.opts.Filter}
	if d.Parent != nil {
		parent = e.splitAt(d.Parent)
	}
	sender, err := parent.Sender.Enter(d.Path, readerAt(d.SrcFd))
	if err != nil {
		return parent, err
	}
	receiver, err := parent.Receiver.Enter(d.Path, readerAt(d.DstFd))
	if e.rulesAfter {
		// (the merge files as the transfer leaves them decide what stays,
		// at the end: rulesNow; these plan every candidate)
		receiver, err = parent.Receiver, nil
	}
	if err != nil {
		return parent, err
	}
	f := &dirFilters{split: filter.Split{Sender: sender, Receiver: receiver}}
	if x := extOf(d); x != nil {
		x.filters = f
	} else {
		d.Ext = &dirExt{filters: f}
	}
	return f.split, nil
}

// readerAt reads merge files from the directory fd (none when absent).
func readerAt(fd int) filter.ReadFunc {
	return func(name string) ([]byte, error) {
		if fd < 0 {
			return nil, fs.ErrNotExist
		}
		return platform.ReadFileAt(fd, name)
	}
}

// protectedDeleting returns the check for entries inside a directory of d
// being deleted that the receiver's rules protect, or nil.
func protectedDeleting(d *walker.Dir) func(string, bool) bool {
	if r := receiverRules(d); r != nil {
		return r.ProtectedDeleting
	}
	return nil
}

// receiverRules returns the receiver's rules entered for d (those its
// destination's merge files add), nil when none were.
func receiverRules(d *walker.Dir) *filter.Rules {
	if f := filtersOf(d); f != nil {
		return f.split.Receiver
	}
	return nil
}

// listFilter restricts a walk to a list's paths (--files-from, -R) under
// the filter rules as rsync applies them there: to each listed path and
// to what a listed directory holds (-r), not to the directories leading
// to a listed path, which come with it when the source has it and the
// rules take it (and only then).
type listFilter struct {
	rules  planner.Filter
	list   rootList
	follow bool
	// missing: under --delete-missing-args a listed path the source lacks
	// is led to as one it has, as rsync sends the directories on the way
	missing bool
}

func (f listFilter) Excluded(p string, isDir bool) bool {
	l := f.list.List
	if l.Excluded(p, isDir) {
		return true
	}
	implied := isDir && l.Implied(p)
	if implied && f.list.implied.leads(f, p) {
		return false
	}
	if implied && !l.Takes(p) {
		return true // it leads to nothing taken
	}
	if f.rules == nil {
		return false
	}
	if d := l.ListedAbove(p); !implied && !l.Listed(p) && d != "" && l.Implied(d) && f.rules.Excluded(d, true) {
		return true // in a listed directory the rules leave out, which only leads to others: not recursed into
	}
	return f.rules.Excluded(p, isDir)
}

// Protected keeps from --delete what the rules protect, what lies
// outside the listed trees and, under --delete-missing-args, a listed
// path the source lacks: deleteMissing deletes that once, as rsync's
// generator does when it meets the name in its list (not a --delete
// deletion, which under --delete-before would move its directory's time
// before the transfer, and under --delete-after come a second time:
// seed 115287).
func (f listFilter) Protected(p string, isDir bool) bool {
	return (f.rules != nil && f.rules.Protected(p, isDir)) || f.list.List.Protected(p, isDir) ||
		(f.missing && f.list.List.Listed(p))
}

// impliedDirs answers, for the directories of a list, whether they lead
// to a path it takes (each found once, with the rules of the walk where
// it is first asked: one stat where the first path below is there).
type impliedDirs struct {
	mu    sync.Mutex
	known map[string]bool
}

func (m *impliedDirs) leads(f listFilter, dir string) bool {
	m.mu.Lock()
	taken, ok := m.known[dir]
	m.mu.Unlock()
	if ok {
		return taken
	}
	taken = slices.ContainsFunc(f.list.List.Below(dir), f.takes)
	m.mu.Lock()
	if m.known == nil {
		m.known = make(map[string]bool)
	}
	m.known[dir] = taken
	m.mu.Unlock()
	return taken
}

// takes reports whether the source has the listed path p and the rules
// take it.
func (f listFilter) takes(p string) bool {
	st, err := sourceStat(filepath.Join(f.list.base, p), f.follow)
	if f.missing && errors.Is(err, fs.ErrNotExist) {
		return true // (what leads to it as far as the source has it, whatever the rules say of it)
	}
	return err == nil && (f.rules == nil || !f.rules.Excluded(p, st.IsDir()))
}

// sourceStat stats the source path name (from the current directory):
// what a symlink points to where follow (-L) says so.
func sourceStat(name string, follow bool) (platform.Stat, error) {
	st, err := platform.Lstatat(platform.CurrentDir, name)
	if err == nil && follow && st.IsSymlink() {
		st, err = platform.Statat(platform.CurrentDir, name)
	}
	return st, err
}

// isDir reports whether name (from the current directory) is a directory.
func isDir(name string) bool {
	st, err := platform.Statat(platform.CurrentDir, name)
	return err == nil && st.IsDir()
}
