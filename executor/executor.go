package executor

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/treesync/treesync/hashing"
	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// Executor runs one sync. Create it with New, run it once with Run.
type Executor struct {
	opts   Options
	pol    planner.Policy
	copier *platform.Copier
	fs     fsys
	cmp    *hashing.Comparer
	stats  Stats
	errs   errorLog
	tasks  chan task
	cancel context.CancelFunc
	ctx    context.Context
	outMu  sync.Mutex
	start  time.Time
	// destCreated is set when this run created the destination root.
	destCreated bool
	links       linkMap
	del         deleter
	unlisted    unlisted
	alt         altDirs
	backupRoot  backupRoot
	srcInside   []string // sources inside the destination, relative to it
	overlay     *overlay // several sources merged (nil for one)
	afterPass   bool     // deleteAfterPass is walking
	sources     []source // as given, for --out-format's %f
	srcRemovals sourceRemovals
	pruneMemo   sync.Map // *walker.Dir: prunedSource's answer, until the directory is done
	list        rootList // the root being walked: its list (--files-from, -R)
	delayedUpds delayedUpdates
	tempFd      int    // --temp-dir, open; -1 without it
	tempDev     uint64 // --temp-dir's filesystem
	// partialUse holds, by name, a *sync.Mutex each worker resuming a
	// file of that name from an absolute --partial-dir takes: one
	// directory serves the whole tree, so files of one name share it.
	// absPartial is that directory, opened at its first use.
	partialUse sync.Map
	absPartial struct {
		once sync.Once
		fd   int
		err  error
	}
	umask uint32 // the process umask, applied by the kernel to created files
	// deletingPass is set during the --delete-before pass, or the
	// --delete-after one (deleteAfterPass), which change no metadata.
	deletingPass bool
	// deletesAfter is set while the transfer walk leaves deletes to
	// deleteAfterPass; rulesAfter has deferred deletes checked against
	// the merge files as the transfer left them (rulesNow).
	deletesAfter, rulesAfter bool
	inflight                 sync.WaitGroup // submitted tasks not yet done
	workers                  sync.WaitGroup // the copy workers
	jobs                     int            // how many copy workers run
	rootFd                   int            // the destination root that walker paths are relative to
	// modesBind says the owner's permission bits can refuse this run a
	// write: not root's, not under --fake-super, which leaves every real
	// mode writable by its owner, and not a dry run, which writes nothing
	// (readonly.go, unlisted.go).
	modesBind bool
	euid      int
	egid      int64 // -1 where there is none (windows)
}

// task is a batch of one directory's items for a copy worker.
type task struct {
	d     *walker.Dir
	items []planner.Action
}

// New returns an Executor for opts.
func New(opts Options) *Executor {
	opts.fill()
	e := &Executor{opts: opts, pol: opts.Policy, cmp: hashing.New(), tempFd: -1}
	e.cmp.Progress = &e.stats.ComparedBytes
	copyOpts := opts.Copy
	copyOpts.Progress = &e.stats.CopiedBytes // live bytes for progress displays
	e.copier = platform.NewCopier(copyOpts)
	e.umask = platform.Umask() // before any goroutine: Umask sets and restores it
	e.euid = platform.Geteuid()
	e.egid = -1
	if g := platform.Groups(); len(g) > 0 {
		e.egid = int64(g[0])
	}
	e.modesBind = e.euid != 0 && !opts.Policy.FakeSuper && !opts.DryRun
	e.fs = kernelFS{copier: e.copier}
	if opts.fs != nil {
		e.fs = opts.fs
	}
	if opts.Policy.FakeSuper {
		e.fs = fakeSuperFS{e.fs}
	}
	e.del.budget.Store(opts.MaxDelete.Count)
	if opts.MaxDelete.Count < 0 {
		e.del.budget.Store(-1)
	}
	return e
}

// Stats returns the live counters (for progress displays).
func (e *Executor) Stats() *Stats { return &e.stats }

// Result is the outcome of a run.
type Result struct {
	ExitCode int
	Stats    *Stats
	Errors   []ItemError // the first errors, at most 1000
	ErrCount int         // all per-file errors, vanished files excluded
	Vanished int
	Fatal    error
	Elapsed  time.Duration
	Jobs     int // copy workers run (0 when the run stopped before starting them)
}

// Run syncs every source into dest, following rsync's trailing-slash rule,
// and returns the outcome. It stops early when ctx is cancelled.
func (e *Executor) Run(ctx context.Context, sources []string, dest string) *Result {
	e.start = time.Now()
	ctx, e.cancel = context.WithCancel(ctx)
	defer e.cancel()
	e.ctx = ctx
	e.runSources(ctx, sources, dest)
	if e.tasks != nil {
		close(e.tasks)
	}
	e.workers.Wait()
	return e.result(ctx)
}

// startWorkers starts the copy workers: Options.Jobs of them, else as
// many as the destination's filesystem favours for these sources, else
// DefaultJobs.
func (e *Executor) startWorkers(rs *roots) {
	n := e.opts.Jobs
	if n <= 0 && rs.destFd >= 0 {
		srcs := make([]int, 0, len(rs.list))
		for _, r := range rs.list {
			srcs = append(srcs, r.SrcFd)
		}
		n = platform.FavouredJobs(rs.destFd, srcs)
	}
	if n <= 0 {
		n = DefaultJobs
	}
	e.jobs = n
	e.tasks = make(chan task, 4*n)
	for range n {
		e.workers.Go(e.worker)
	}
}

func (e *Executor) runSources(ctx context.Context, sources []string, dest string) {
	roots, err := e.resolve(sources, dest)
	if err != nil {
		e.fatal("", err)
		return
	}
	defer roots.close()
	e.rootFd = roots.destFd
	defer e.finishUnlisted(false) // (before roots.close)
	if err := e.lock(roots.destFd, dest); err != nil {
		e.fatal("", err)
		return
	}
	if err := e.openTempDir(dest, roots.destFd); err != nil {
		e.fatal("", err)
		return
	}
	defer e.closeTempDir()
	e.srcInside = sourcesInside(sources, dest)
	defer e.closeBackupRoot()
	if err := e.setBackupDir(dest); err != nil {
		e.fatal("", err)
		return
	}
	rootSent := e.rootContentsSent()     // (rsync meets the names after the root, which it itemizes as it was)
	for _, name := range roots.missing { // (after the backup directory is known: -b keeps them)
		e.deleteMissing(roots.destFd, name, rootSent, rootSent)
	}
	e.openAltRoots(dest)
	defer e.closeAltRoots()
	defer e.closeAbsPartial()
	e.startWorkers(roots)
	if e.pol.Delete && e.opts.DeleteMode == DeleteBefore {
		e.deletePass(ctx, roots)
		for i := range roots.list {
			e.refreshRoot(&roots.list[i]) // the deletions changed its times
		}
	}
	var after []walker.Root
	if e.pol.Delete && e.opts.DeleteMode == DeleteAfter && e.opts.Filter.Merges() && !e.opts.DeletesDecidedDuring {
		if e.opts.RemoveSourceFiles {
			// (it empties the source a pass would list again: the deletes
			// planned as ever are checked against the merge files as the
			// transfer left them, removeDelayed)
			e.rulesAfter = true
		} else {
			after = reopened(roots.list) // (the transfer walk takes the roots' own descriptors)
			e.deletesAfter = true
		}
	}
	ok := e.walkRoots(ctx, roots)
	e.restampMerged()
	e.finishDelayed()
	if !ok {
		return
	}
	if after != nil {
		e.deleteAfterPass(ctx, roots, after)
	}
	e.finishDeletes()
	e.reportDeleteLimit()
}

// reopened returns the roots with their directories opened again.
func reopened(list []walker.Root) []walker.Root {
	out := slices.Clone(list)
	for i, r := range list {
		out[i].SrcFd, _ = platform.ReopenDir(r.SrcFd)
		out[i].DstFd, _ = platform.ReopenDir(r.DstFd)
	}
	return out
}

// deleteAfterPass runs --delete-after where per-directory merge files
// are in use (-F): a walk after the transfer (which planned no deletes)
// that only plans deletes, so that the merge files the transfer brought
// decide them, as in rsync, which scans for deletions in a pass of its
// own after all updates (its manual's way to have the sender's merge
// files protect the receiver's files).
func (e *Executor) deleteAfterPass(ctx context.Context, roots *roots, after []walker.Root) {
	e.deletesAfter = false
	e.deletingPass, e.afterPass = true, true
	defer func() { e.deletingPass, e.afterPass = false, false }()
	for i, r := range after {
		e.list = roots.lists[i]
		e.walk(ctx, r, e.visitDeletes)
	}
}

// walkRoots walks the sources one after the other, each to its end: the
// next source's listings must not find this one's temporaries (files
// being written, directories being filled) and take them for stale ones.
// It reports false when ctx ended the run.
func (e *Executor) walkRoots(ctx context.Context, rs *roots) bool {
	for i, r := range rs.list {
		if ctx.Err() != nil {
			return false
		}
		e.list = rs.lists[i] // (the workers are idle between roots)
		e.walk(ctx, r, e.visit)
		e.waitIdle() // every member met has claimed its group: none leads later
		e.resolveLinks(ctx)
		e.waitIdle()
		e.reportUnlisted()
	}
	return true
}

// deletePass runs --delete-before: a walk that only deletes, on the roots'
// directories reopened (the transfer walk takes ownership of the roots'
// own descriptors, and lists them from their start).
func (e *Executor) deletePass(ctx context.Context, roots *roots) {
	e.deletingPass = true
	defer func() { e.deletingPass = false }()
	for i, r := range roots.list {
		e.list = roots.lists[i]
		again := r
		again.SrcFd, _ = platform.ReopenDir(r.SrcFd)
		again.DstFd, _ = platform.ReopenDir(r.DstFd)
		e.walk(ctx, again, e.visitDeletes)
	}
	if e.opts.MaxDelete.Percent == 0 { // else at the end, when the share is known
		e.finishDeletes()
	}
	e.finishUnlisted(true) // the transfer walk lists their modes as they were
}

func (e *Executor) walk(ctx context.Context, r walker.Root, visit walker.Visit) {
	opts := walker.Options{
		Workers: e.opts.Listers, Window: e.opts.ListWindow, OnError: e.listError, OnDone: e.dirDone,
		OneFileSystem: e.opts.OneFileSystem, Exclude: e.excludeDest(r), Transform: e.opts.Transform,
		Links: e.opts.Links, SkipUnsafe: e.opts.SkipUnsafe, KeepDirlinks: e.opts.KeepDirlinks,
		CopyDirlinks: e.opts.CopyDirlinks, FollowDst: e.followDst(), OneLevel: e.oneLevel(),
		FakeSuper: e.pol.FakeSuper, CopyDevices: e.opts.CopyDevices, WriteDevices: e.pol.WriteDevices,
		Unlock: e.modesBind,
	}
	if e.pol.Xattrs || e.pol.ACLs {
		opts.Xattrs = e.pol.XattrKind
	}
	walker.Walk(ctx, r, opts, visit)
}

func (e *Executor) worker() {
	for t := range e.tasks {
		for _, a := range t.items {
			if e.ctx.Err() == nil {
				e.do(t.d, a)
			}
		}
		e.taskDone(t)
	}
}

// taskDone releases what submit held for t: its directory's stage first,
// whose rename needs the parent that the directory's release may close.
func (e *Executor) taskDone(t task) {
	e.releaseStage(t.d)
	t.d.Release()
	e.inflight.Done()
}

// waitIdle waits until every submitted task has finished, so deferred
// deletes run after all transfers.
func (e *Executor) waitIdle() { e.inflight.Wait() }

func (e *Executor) result(ctx context.Context) *Result {
	e.errs.mu.Lock()
	defer e.errs.mu.Unlock()
	r := &Result{Stats: &e.stats, Errors: e.errs.items, ErrCount: e.errs.count,
		Vanished: e.errs.vanished, Fatal: e.errs.fatal, Elapsed: time.Since(e.start), Jobs: e.jobs}
	switch {
	case e.errs.fatal != nil:
		r.ExitCode = ExitFileIO
		var ec exitCoder
		if errors.As(e.errs.fatal, &ec) {
			r.ExitCode = ec.ExitCode()
		}
	case ctx.Err() != nil:
		r.ExitCode = ExitSignal
	case e.errs.count > e.errs.removals, e.errs.count > 0 && !e.errs.delLimit:
		r.ExitCode = ExitPartial
	case e.errs.vanished > 0:
		r.ExitCode = ExitVanished
	case e.errs.delLimit:
		r.ExitCode = ExitDelLimit
	}
	return r
}

// exitCoder lets a fatal error choose its exit code.
type exitCoder interface{ ExitCode() int }

// CodedError is an error with the exit code it should end the run with.
type CodedError struct {
	Code int
	Err  error
}

func (e *CodedError) Error() string { return e.Err.Error() }
func (e *CodedError) Unwrap() error { return e.Err }

// ExitCode returns the code.
func (e *CodedError) ExitCode() int { return e.Code }

// refreshRoot plans a "SRC/" root again against the destination root as
// it is now.
func (e *Executor) refreshRoot(r *walker.Root) {
	if r.Action.Op != planner.OpDir || r.DstFd < 0 {
		return
	}
	if st, err := platform.Fstat(r.DstFd); err == nil {
		dst := e.entryOf(r.DstFd, "", st)
		dst.Mode = e.rootMode(dst.Mode)
		r.Action = planner.PlanRoot(r.Action.Src, &dst, e.pol)
	}
}
