package executor

import (
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// prunedInTheWay reports, under -m, a source directory that would
// replace a non-directory at the destination but holds no files in its
// subtree: rsync prunes it from its file list, so the entry in the way is
// left alone — or, as one the source lacks, deleted under --delete. The
// subtree is read before anything is replaced, with d's filter rules
// (rules a merge file deeper down adds are not seen: a file they exclude
// still counts, and the directory then replaces the entry and is kept;
// see pruned).
func (e *Executor) prunedInTheWay(d *walker.Dir, a planner.Action, rules planner.Filter) bool {
	if !e.opts.PruneEmptyDirs || a.Op != planner.OpMkdir || a.Dst == nil || d.SrcFd < 0 {
		return false
	}
	if e.sourceHasFiles(d, a, rules) {
		return false
	}
	if e.pol.Delete && e.listTakes(planner.Join(d.Path, a.Name)) && !e.prunedSource(d, rules) {
		e.deleteUnlessProtected(d, a.Name, a.Dst)
	}
	return true
}

// holdsMissingArg reports, under --delete-missing-args, a listed path
// below the directory path that the source lacks: rsync's file list holds
// it (an entry without a mode), so -m keeps the directories leading to
// it (seed 128553).
func (e *Executor) holdsMissingArg(path string) bool {
	l := e.list.List
	if l == nil || e.opts.MissingArgs != MissingDelete {
		return false
	}
	for _, q := range l.Below(path) {
		if _, err := platform.Lstatat(platform.CurrentDir, filepath.Join(e.list.base, q)); errors.Is(err, fs.ErrNotExist) {
			return true
		}
	}
	return false
}

// prunedSource reports, under -m, a directory d below the transfer root
// whose source holds no files rules leave in: rsync's file list lacks
// it, so nothing is deleted in it (the directory itself goes where its
// parent's listing takes it: pruned). The source is read once per
// directory, when its visit decides its deletes (before
// --remove-source-files removes anything below it): each pruned child
// asks again (deletedPruned), and an empty tree would be read once per
// child.
func (e *Executor) prunedSource(d *walker.Dir, rules planner.Filter) bool {
	if !e.opts.PruneEmptyDirs || e.oneLevel() || d.Used.Load() || d.Parent == nil || d.Top() || d.SrcFd < 0 ||
		e.keptByReceiver(d.Path) || e.holdsMissingArg(d.Path) {
		return false
	}
	if v, ok := e.pruneMemo.Load(d); ok {
		return v.(bool)
	}
	fd, err := platform.OpenDirAt(d.SrcFd, ".")
	pruned := err == nil && !hasFiles(fd, d.Path, rules, e.keptByReceiver, 0)
	e.pruneMemo.Store(d, pruned)
	return pruned
}

// deletedPruned reports whether a directory d -m prunes is deleted under
// --delete, as one its parent's listing lacks: where that listing is
// transferred (listTakes) and the parent is not pruned too.
func (e *Executor) deletedPruned(d *walker.Dir) bool {
	return e.listTakes(d.Path) && !e.prunedSource(d.Parent, e.rulesAt(d.Parent))
}

// listTakes reports whether the transfer takes the entry at path as one
// of its parent's listing: always but under -R or --files-from, where a
// directory that only leads to listed paths lists nothing
// (PathList.InListing). rsync deletes a directory -m prunes as one its
// parent's listing lacks: in such a directory it deletes nothing.
func (e *Executor) listTakes(path string) bool {
	l := e.list.List
	return l == nil || l.InListing(path)
}

// keptByReceiver reports, under -m, a source directory (by path) that
// the run's receiver-side rules exclude (protect): rsync's receiver
// keeps it, and the directories leading to it, when it prunes its file
// list, before it has read any merge file.
func (e *Executor) keptByReceiver(path string) bool {
	return e.opts.Filter != nil && e.opts.Filter.Protected(path, true)
}

// hasFiles reports whether the open directory fd (closed on return), at
// path, holds a non-directory that rules leave in anywhere below it, or a
// directory kept says to keep, or could not be read through.
func hasFiles(fd int, path string, rules planner.Filter, kept func(string) bool, depth int) bool {
	defer platform.Close(fd)
	names, err := platform.ReadDirNames(fd, make([]byte, 8<<10))
	if err != nil || depth > 64 {
		return true
	}
	for _, name := range names {
		st, err := platform.Lstatat(fd, name)
		if err != nil {
			return true
		}
		p := planner.Join(path, name)
		if rules != nil && rules.Excluded(p, st.IsDir()) {
			continue
		}
		if !st.IsDir() || kept(p) {
			return true
		}
		sub, err := platform.OpenDirAt(fd, name)
		if err != nil || hasFiles(sub, p, rules, kept, depth+1) {
			return true
		}
	}
	return false
}

// deleteUnlessProtected deletes name (expected to be old) from d as one
// the source lacks, unless the filter rules protect it.
func (e *Executor) deleteUnlessProtected(d *walker.Dir, name string, old *planner.Entry) {
	if !protectedIn(d, name, old) {
		e.planDeletes(d, []planner.Action{{Op: planner.OpDelete, Name: name, Dst: old}})
	}
}

// protectedIn reports whether d's receiver rules protect its entry name
// (old) from deletion.
func protectedIn(d *walker.Dir, name string, old *planner.Entry) bool {
	protected := protectedDeleting(d)
	return protected != nil && protected(planner.Join(d.Path, name), old.Kind == planner.KindDir)
}

// prunedBefore adds to dels, in the --delete-before pass, what is in
// the way of the source directories -m prunes (prunedInTheWay): rsync's
// file list lacks them, so its pass deletes those entries before the
// transfer, whose walk then finds d's time changed (seed 113180).
func (e *Executor) prunedBefore(d *walker.Dir, dels, subdirs []planner.Action, rules planner.Filter) []planner.Action {
	n := len(dels)
	for _, a := range subdirs {
		if a.Op == planner.OpMkdir && a.Dst != nil && d.SrcFd >= 0 && !e.sourceHasFiles(d, a, rules) && !protectedIn(d, a.Name, a.Dst) &&
			e.listTakes(planner.Join(d.Path, a.Name)) && !e.prunedSource(d, rules) {
			dels = append(dels, planner.Action{Op: planner.OpDelete, Name: a.Name, Dst: a.Dst})
		}
	}
	if len(dels) > n {
		slices.SortFunc(dels, func(x, y planner.Action) int { return strings.Compare(x.Name, y.Name) })
	}
	return dels
}

// newWithFiles reports, for the --delete-before pass (which walks the
// directories the destination has), whether a subdirectory the source
// alone has holds files: then -m keeps d.
func (e *Executor) newWithFiles(d *walker.Dir, subdirs []planner.Action, rules planner.Filter) bool {
	for _, a := range subdirs {
		if a.Op == planner.OpMkdir && e.sourceHasFiles(d, a, rules) {
			return true
		}
	}
	return false
}

// oneLevel reports -d without -r: subdirectories are made, not entered.
func (e *Executor) oneLevel() bool { return e.pol.Dirs && !e.pol.Recursive }

// sourceHasFiles reports whether the source directory of a, a
// subdirectory of d, holds files that rules leave in (or could not be
// read through: the walk meets and reports that).
func (e *Executor) sourceHasFiles(d *walker.Dir, a planner.Action, rules planner.Filter) bool {
	path := planner.Join(d.Path, a.Name)
	if e.keptByReceiver(path) {
		return true
	}
	if e.oneLevel() {
		return false // -d: nothing below a subdirectory is transferred
	}
	open := platform.OpenDirAt
	if a.Src != nil && a.Src.Followed {
		open = platform.OpenDirFollowAt
	}
	fd, err := open(d.SrcFd, d.SourceName(a.Name))
	return err != nil || hasFiles(fd, path, rules, e.keptByReceiver, 0)
}
