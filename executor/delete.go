package executor

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/treesync/treesync/filter"
	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// DeleteMode says when extraneous destination entries are deleted.
type DeleteMode uint8

// The delete modes, as rsync's --delete-delay/-during/-before/-after.
// The default differs from rsync's (during): deletions found during the
// transfer are carried out after it, and only when nothing failed, so a
// full disk or an unreadable file never costs the mirror a file.
const (
	DeleteDelay  DeleteMode = iota // found during the transfer, done after it
	DeleteDuring                   // in each directory, before its transfers
	DeleteBefore                   // a deleting pass before any transfer
	DeleteAfter                    // after all transfers
)

// DeleteLimit caps deletions (--max-delete): Count entries, or Percent of
// the destination's entries (which defers deletes to the end, when that
// number is known). Negative Count means no limit.
type DeleteLimit struct {
	Count   int64
	Percent float64
}

// errDeleteLimit stops a deletion once the --max-delete budget is spent.
var errDeleteLimit = errors.New("--max-delete limit reached")

// deleter holds the state of deletions in one run.
type deleter struct {
	budget  atomic.Int64 // deletions still allowed; < 0 means unlimited
	skipped atomic.Int64
	refused atomic.Bool // the empty-source guard stopped every deletion
	dstSeen atomic.Int64
	// listFailed records a listing error (not a vanished entry): deletes
	// still to come are held, unless --ignore-errors.
	listFailed atomic.Bool
	warned     atomic.Bool // the "skipping file deletion" warning is out

	mu      sync.Mutex
	delayed []delayedDelete
	dry     map[string]bool // paths a dry run has noted as deleted
}

// firstDryDelete records path as deleted in a dry run and reports
// whether it was not already.
func (dl *deleter) firstDryDelete(path string) bool {
	dl.mu.Lock()
	defer dl.mu.Unlock()
	if dl.dry[path] {
		return false
	}
	if dl.dry == nil {
		dl.dry = make(map[string]bool)
	}
	dl.dry[path] = true
	return true
}

type delayedDelete struct {
	dir     string
	a       planner.Action
	filters *dirFilters // the directory's rules, for protected entries inside
}

// spent reports, counting it as skipped, that the limit is reached,
// without reserving a deletion.
func (dl *deleter) spent() bool {
	if dl.budget.Load() != 0 {
		return false
	}
	dl.skipped.Add(1)
	return true
}

// take reserves one deletion, or reports that the limit is reached.
func (dl *deleter) take() bool {
	for {
		b := dl.budget.Load()
		if b < 0 {
			return true
		}
		if b == 0 {
			dl.skipped.Add(1)
			return false
		}
		if dl.budget.CompareAndSwap(b, b-1) {
			return true
		}
	}
}

// deferDeletes reports whether deletes wait for the end of the transfer
// (or of the --delete-before pass, which so deletes nothing once any
// listing failed: rsync lists everything before it deletes).
func (e *Executor) deferDeletes() bool {
	m := e.opts.DeleteMode
	return m == DeleteAfter || m == DeleteDelay || e.opts.MaxDelete.Percent > 0 || e.deletingPass
}

// holdDeletes reports, and warns once, that deletes are held because an
// error happened: a listing error, or under deferred deletes any error.
func (e *Executor) holdDeletes(anyError bool) bool {
	if e.opts.IgnoreErrors || !(e.del.listFailed.Load() || (anyError && e.hadErrors())) {
		return false
	}
	if !e.del.warned.Swap(true) {
		e.opts.Log.Warn().Msg("IO error encountered -- skipping file deletion")
	}
	return true
}

// planDeletes handles the deletes planned for one directory: now, or
// remembered for the end of the run.
func (e *Executor) planDeletes(d *walker.Dir, dels []planner.Action) {
	if len(dels) == 0 || e.del.refused.Load() {
		return
	}
	if e.deferDeletes() {
		e.del.mu.Lock()
		for _, a := range dels {
			e.del.delayed = append(e.del.delayed, delayedDelete{dir: d.Path, a: detached(a), filters: filtersOf(d)})
		}
		e.del.mu.Unlock()
		return
	}
	if e.holdDeletes(false) {
		return // --delete-during after a listing error elsewhere
	}
	for i := len(dels) - 1; i >= 0; i-- { // rsync deletes in reverse name order
		e.remove(d, dels[i])
	}
}

// detached returns a with copies of its entries, not pointers into a
// listing that is not kept (deletes and parked links outlive it).
func detached(a planner.Action) planner.Action {
	if a.Src != nil {
		src := *a.Src
		a.Src = &src
	}
	if a.Dst != nil {
		dst := *a.Dst
		a.Dst = &dst
	}
	return a
}

// finishDeletes carries out the deferred deletes, unless errors happened
// (rsync's "IO error encountered -- skipping file deletion").
func (e *Executor) finishDeletes() {
	e.del.mu.Lock()
	dels := e.del.delayed
	e.del.delayed = nil
	e.del.mu.Unlock()
	if len(dels) == 0 || e.ctx.Err() != nil || e.del.refused.Load() {
		return
	}
	if e.holdDeletes(true) {
		return
	}
	if e.overlay != nil {
		dels = uniqueDeletes(dels) // (each source's walk planned those of the directories they merge)
	}
	if p := e.opts.MaxDelete.Percent; p > 0 {
		e.del.budget.Store(int64(math.Floor(p / 100 * float64(e.del.dstSeen.Load()))))
	}
	// rsync's pass goes through its sorted file list: a directory before
	// those below it, whatever order the walk planned them in (which
	// decides where --max-delete stops: seed 114591).
	slices.SortStableFunc(dels, func(x, y delayedDelete) int { return comparePaths(x.dir, y.dir) })
	swept := make(map[string]bool) // directories deleted whole, kept or not
	// (a directory that could not be listed holds the rest: removeUnlisted)
	for start := 0; start < len(dels) && !e.holdDeletes(false); {
		end := start + 1
		for end < len(dels) && dels[end].dir == dels[start].dir {
			end++
		}
		if group := dels[start:end]; !under(swept, group[0].dir) {
			e.removeDelayed(group[0].dir, group)
			for _, dl := range group {
				if dl.a.Dst.Kind == planner.KindDir {
					swept[planner.Join(dl.dir, dl.a.Name)] = true
				}
			}
		}
		start = end
	}
}

// comparePaths orders directories (by path, "" the root) as rsync sorts
// them in its file list: the root first, then by path with a slash
// after each, so a directory comes before everything below it, and "a b"
// (a space sorts before the slash) before "a" and its contents.
func comparePaths(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return -1
	case b == "":
		return 1
	}
	return strings.Compare(a+"/", b+"/")
}

// uniqueDeletes returns dels with each path once, its first.
func uniqueDeletes(dels []delayedDelete) []delayedDelete {
	seen := make(map[string]bool, len(dels))
	return slices.DeleteFunc(dels, func(dl delayedDelete) bool {
		p := planner.Join(dl.dir, dl.a.Name)
		if seen[p] {
			return true
		}
		seen[p] = true
		return false
	})
}

// under reports whether dir or a directory above it is in dirs. A
// directory -m prunes is deleted whole after the deletes found inside it
// were queued: those went with it, and what it kept (protected entries)
// must not be expected gone.
func under(dirs map[string]bool, dir string) bool {
	for dir != "" {
		if dirs[dir] {
			return true
		}
		i := max(strings.LastIndexByte(dir, '/'), 0)
		dir = dir[:i]
	}
	return false
}

// removeDelayed deletes the deferred entries of one directory, then puts
// back the directory's modification time, which was set when its
// contents were done and which the deletions changed (not after the
// --delete-before pass: the transfer then sets it, and shows it as rsync).
func (e *Executor) removeDelayed(dir string, dels []delayedDelete) {
	fd, err := e.openDst(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return // deleted with a directory above it (-m pruned it)
	}
	if err != nil {
		e.fail(dir, fmt.Errorf("open for deletion: %w", err))
		return
	}
	defer platform.Close(fd)
	before, statErr := platform.Fstat(fd)
	if statErr == nil && e.unlock(fd, before.Mode&platform.ModePerm) {
		defer e.relock(fd, dir, before.Mode&platform.ModePerm)
	}
	filters := dels[0].filters
	if e.rulesAfter && filters != nil {
		if filters, err = e.rulesNow(dir, filters); err != nil {
			e.fail(dir, err) // (nothing deleted here: what the merge files protect is not known)
			return
		}
	}
	d := &walker.Dir{Path: dir, DstFd: fd, SrcFd: -1, Ext: &dirExt{filters: filters}}
	for i := len(dels) - 1; i >= 0; i-- {
		if a := dels[i].a; !e.rulesAfter || filters == nil || !filters.split.Receiver.Protected(planner.Join(dir, a.Name), a.Dst.Kind == planner.KindDir) {
			e.remove(d, a)
		}
	}
	if !e.pol.Times || e.pol.OmitDirTimes || statErr != nil || e.opts.DryRun || e.deletingPass {
		return
	}
	if err := e.fs.Futimes(fd, platform.OmitTime, before.Mtime); err != nil {
		e.fail(dir, fmt.Errorf("restore directory time after deletions: %w", err))
	}
}

// rulesNow returns filters with the receiver's rules for the destination
// directory dir entered anew, from the merge files there and above as
// the transfer left them (Executor.rulesAfter).
func (e *Executor) rulesNow(dir string, filters *dirFilters) (*dirFilters, error) {
	r, err := e.opts.Filter.Enter("", readerAt(e.rootFd))
	for prefix, rest := "", dir; err == nil && rest != ""; {
		name, more, _ := strings.Cut(rest, "/")
		prefix, rest = planner.Join(prefix, name), more
		var fd int
		if fd, err = e.openDst(prefix); err == nil {
			r, err = r.Enter(prefix, readerAt(fd))
			platform.Close(fd)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("read the merge files for deletion: %w", err)
	}
	return &dirFilters{split: filter.Split{Sender: filters.split.Sender, Receiver: r}}, nil
}

func (e *Executor) hadErrors() bool {
	e.errs.mu.Lock()
	defer e.errs.mu.Unlock()
	return e.errs.count > e.errs.removals || e.errs.fatal != nil // (errRemoveSource)
}

// guardEmptySource refuses every deletion of the run when the source root
// is empty or unreadable while the destination is not: the sign of an
// unmounted disk, not of a user who wants an empty mirror.
func (e *Executor) guardEmptySource(d *walker.Dir, t dirTotals) {
	if !e.guards(d) || t.dst == 0 {
		return
	}
	if !t.srcErr && t.src > 0 {
		return
	}
	e.del.refused.Store(true)
	e.opts.Log.Error().Str("path", itemPath(d, "", planner.KindDir)).
		Msg("source is empty or unreadable while the destination is not: refusing to delete anything (an unmounted disk?); use --allow-empty-source to mirror an empty source")
}

// guards reports whether the empty-source guard applies to d: a
// transfer root, under --delete without --allow-empty-source.
func (e *Executor) guards(d *walker.Dir) bool {
	root := (d.Parent == nil && !d.Top()) || (d.Parent != nil && d.Parent.Top())
	return root && e.pol.Delete && !e.opts.AllowEmptySource
}

// reportDeleteLimit prints rsync's message when --max-delete held deletes
// back and marks the run for exit code 25.
func (e *Executor) reportDeleteLimit() {
	n := e.del.skipped.Load()
	if n == 0 && !e.del.refused.Load() {
		return
	}
	if n > 0 {
		e.opts.Log.Warn().Msgf("Deletions stopped due to --max-delete limit (%d skipped)", n)
	}
	e.errs.mu.Lock()
	e.errs.delLimit = true
	e.errs.mu.Unlock()
}
