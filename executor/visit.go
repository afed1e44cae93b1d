package executor

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/walker"
)

// visit plans one directory pair (or one window of a wide directory's
// names, see window.go) and starts its work: stale temporaries and
// deletes are handled here, files go to the copy workers, and the
// subdirectories to walk next are created and returned.
func (e *Executor) visit(ctx context.Context, p *walker.Pair) []*walker.Dir {
	d := p.Dir
	if p.Last {
		defer e.releaseStage(d) // its files are all submitted
	}
	pol := e.pol
	if p.First {
		e.unlockVisited(d)
	}
	if e.deletesAfter {
		pol.Delete = false // left to deleteAfterPass
	}
	if d.Top() {
		pol.Delete = false // the directory above a source named without a slash
	} else if d.Parent == nil && p.First {
		e.visitRoot(d)
	}
	if p.First {
		e.reportBlind(d, pol)
		e.inheritEarly(d)
	}
	rules, err := e.rulesFor(d, p)
	if err != nil {
		if p.First {
			e.fail(itemPath(d, "", planner.KindDir), err)
		}
		p.Src.Err = err // a broken filter file: plan no deletes here
	}
	pol.Filter = rules
	start := time.Now()
	plan := planner.PlanDir(d.Path, &p.Src, &p.Dst, pol)
	e.stats.ListNanos.Add(int64(time.Since(start)))
	e.reportDangling(d, plan.Dangling)
	if d.DstFd < 0 && p.Src.Err == nil && e.needsDest(d, &plan) {
		if firstNeed(d, p) {
			e.fail(d.Path, unavailable(d))
		}
		if keptInTheWay(d) {
			e.comparedAway(d, plan.Items)
		}
		return nil
	}
	if plan.HasFiles || p.Src.Err != nil || d.SrcFd < 0 {
		d.Used.Store(true) // -m keeps it, as rsync keeps what its file list has (or what could not be listed)
	}
	e.countSources(d, &p.Src, plan.Left, rules)
	e.del.dstSeen.Add(int64(len(p.Dst.Entries)))
	t, whole := decided(d, p, &plan)
	whole = whole && ctx.Err() == nil // a stopping run deletes nothing more
	if whole {
		e.guardEmptySource(d, t)
		e.warnHeld(d, t.held)
	}
	e.skipped(d, &plan)
	e.ignoredLinks(d, &plan)
	e.notes(d, &plan)
	e.cleanup(d, plan.Cleanup)
	if whole && e.opts.DeleteMode != DeleteBefore && !e.prunedSource(d, rules) {
		e.planDeletes(d, t.deletes)
	}
	e.submitAll(ctx, d, plan.Items)
	e.removeCurrent(d, plan.Current)
	e.printUnchanged(d, plan.Current, plan.Items...)
	return e.afterWindow(d, p, e.subdirs(d, plan.Subdirs, pol.Filter))
}

// visitRoot counts and prints the source directory itself, where it is
// part of the transfer: not where a list does not name it ("./"), nor
// where an earlier source's brought it (several sources).
func (e *Executor) visitRoot(d *walker.Dir) {
	if e.overlay != nil {
		setMerged(d, e.overlay.rootPart(e.list.index))
	}
	if e.list.List != nil && !e.list.List.NamesRoot() {
		return
	}
	e.stats.Files.add(planner.KindDir) // (each source's, as rsync counts them)
	if mergedPart(d) == mergedLater {
		return
	}
	if d.Action.Op == planner.OpMkdir {
		e.stats.Created.add(planner.KindDir) // (the destination itself, made for it)
	}
	e.printDir(d, d.Action)
}

// warnHeld warns, once in the run as rsync does, that d's deletions are
// held by a listing error.
func (e *Executor) warnHeld(d *walker.Dir, held bool) {
	if held && !e.del.warned.Swap(true) {
		e.opts.Log.Warn().Str("path", itemPath(d, "", planner.KindDir)).
			Msg("IO error encountered -- skipping file deletion")
	}
}

// countSources adds the source entries taking part to the file counts:
// all but those the plan left out (left, ascending indexes), where rsync
// counts what each source brings, another's entry taken instead or not.
func (e *Executor) countSources(d *walker.Dir, src *planner.Listing, left []int32, rules planner.Filter) {
	for i := range src.Entries {
		s := &src.Entries[i]
		if len(left) > 0 && left[0] == int32(i) {
			left = left[1:]
			if !overlaidOnly(rules, planner.Join(d.Path, s.Name), s) {
				continue
			}
		}
		e.stats.countSource(s)
	}
}

// ignoredLinks prints rsync's -v line for each symlink --safe-links
// leaves out: ignoring unsafe symlink "NAME" -> "TARGET".
func (e *Executor) ignoredLinks(d *walker.Dir, plan *planner.DirPlan) {
	if e.opts.Verbose == 0 || e.deletingPass {
		return
	}
	for _, s := range plan.Unsafe {
		e.say("ignoring unsafe symlink \"%s\" -> \"%s\"", e.escape(planner.Join(d.Path, s.Name)), e.escape(s.Target()))
	}
}

// notes prints rsync's -vv lines for the non-directories a plan leaves as
// they are ("NAME is uptodate", "NAME is newer", ...).
func (e *Executor) notes(d *walker.Dir, plan *planner.DirPlan) {
	for _, n := range plan.Notes {
		name := e.escape(planner.Join(d.Path, n.Name))
		if n.Before {
			e.say("%s \"%s\"", n.Why, name)
		} else {
			e.say("%s %s", name, n.Why)
		}
	}
}

// skipped prints rsync's lines for the entries a plan leaves out by
// type (on stdout, unless -q), as rsync prints them without -v too.
func (e *Executor) skipped(d *walker.Dir, plan *planner.DirPlan) {
	for _, s := range plan.Skipped {
		if !e.opts.HideNonreg || s.Reason == "skipping directory" {
			e.say("%s \"%s\"", s.Reason, e.escape(planner.Join(d.Path, s.Name)))
		}
	}
}

// keptInTheWay reports a source directory whose destination name holds
// a non-directory that --ignore-existing keeps: nothing in it can be
// transferred, as rsync fails on each of its entries.
func keptInTheWay(d *walker.Dir) bool {
	a := d.Action
	return a.Op == planner.OpDir && a.Dst != nil && a.Dst.Kind != planner.KindDir
}

// comparedAway settles the new files of d, a source directory whose
// destination name is a non-directory --ignore-existing keeps, that a
// --compare-dest reference matches exactly: nothing is to be written for
// them, so they are up to date (--remove-source-files removes them)
// where the rest of d fails, as rsync checks each (seed 111197).
func (e *Executor) comparedAway(d *walker.Dir, items []planner.Action) {
	if e.opts.AltMode != AltCompare {
		return
	}
	for _, a := range items {
		if a.Src.Kind != planner.KindFile || a.Dst != nil {
			continue
		}
		if _, _, level, err := e.bestAltOpening(d, a); err == nil && level == altExact {
			e.printSettled(d, a, planner.OpMeta)
			e.removeSource(d, a.Src)
		}
	}
}

// needsDest reports whether d's plan needs its destination directory,
// which is missing: to write into (in a dry run only where a file is kept
// in its way), or, when deletions are found directory by directory
// during the walk, to list for deletion where a file is kept in its way
// (rsync fails on that too, dry run or not; its --delete-before and
// --delete-after passes skip such a directory).
func (e *Executor) needsDest(d *walker.Dir, plan *planner.DirPlan) bool {
	if d.Action.Op == planner.OpDir && d.Action.Dst == nil {
		return false // walked, not made (--existing): nothing goes in it
	}
	kept := keptInTheWay(d)
	if e.opts.DryRun && !kept {
		return false
	}
	listed := e.opts.DeleteMode == DeleteDelay || e.opts.DeleteMode == DeleteDuring
	return len(plan.Items)+len(plan.Subdirs) > 0 || (kept && e.pol.Delete && listed)
}

// unavailable is the error for a destination directory that cannot be
// written into.
func unavailable(d *walker.Dir) error {
	path := itemPath(d, "", planner.KindDir)
	if keptInTheWay(d) {
		return fmt.Errorf("destination %s is not a directory (kept by --ignore-existing): its contents are not transferred", strings.TrimSuffix(path, "/"))
	}
	return fmt.Errorf("destination directory %s is not available", path)
}

// A copy worker takes one item at a time where new files are created
// without a name (the directory is locked only to link each in), and a
// directory's items in batches where they are created and renamed by
// name: then the directory's lock makes its creates serial anyway, and
// one handoff per item cost a goroutine and an OS thread wake each
// (futex: 17% of the CPU), or, in batches of 64, workers spinning on the
// directory's lock (15%). A batch ends past batchBytes of file data, so
// a directory of big files still spreads over the workers. hyperfine,
// 10 runs, mirror of the Go tree: XFS (named) per item 404 ms, batches
// of 64 398, per directory 371, cp -a 346; btrfs (unnamed) per item 457,
// batches of 8 528, per directory 524. 200,000 small files onto XFS:
// per item 5.16 s, per directory 3.83 s, cp -a 3.88 s.
const batchBytes = 4 << 20

// A small file whose contents are to be compared (-c, or the same size
// under another mtime) is compared by the lister that planned it, right
// after that lister stat-ed both sides: their names and inodes are still
// in its core's cache, where a copy worker on the other core would fetch
// them again. Go tree, -c no-op, alternating runs, medians: ext4 image
// 76.4 -> 72.6 ms (alt -r 30), host disk 79.7 -> 77.5 (-r 20); CPU on
// the host (perf stat -r 15 -e task-clock) 162 -> 150-152 ms. With the
// caches dropped before each run, no change (1126 vs 1129 ms, -r 6): the
// disk's reads dominate. Up to 1 MiB (where comparing through mappings
// starts) was no better than up to 64 KiB: 79.0 ms.
const inlineCompareMax = 64 << 10

// submitAll hands a directory's items to the copy workers, but does the
// small comparisons itself (everything in a dry run).
func (e *Executor) submitAll(ctx context.Context, d *walker.Dir, items []planner.Action) {
	if e.opts.DryRun {
		e.doHere(d, items)
		return
	}
	here, items := splitCompares(items)
	e.doHere(d, here)
	maxItems := len(items)
	if e.writesUnnamed(d) {
		maxItems = 1
	}
	for len(items) > 0 {
		n := batchLen(items, maxItems)
		e.submit(ctx, task{d: d, items: items[:n]})
		items = items[n:]
	}
}

// doHere carries out items on the calling goroutine.
func (e *Executor) doHere(d *walker.Dir, items []planner.Action) {
	if len(items) == 0 {
		return
	}
	d.Hold()
	for _, a := range items {
		if e.ctx.Err() == nil {
			e.do(d, a)
		}
	}
	d.Release()
}

// splitCompares separates the items to compare on the lister (see
// inlineCompareMax) from the rest, each in their order. Hard links stay
// with the workers, which copy a group's first member before linking.
func splitCompares(items []planner.Action) (here, rest []planner.Action) {
	n := 0
	for i := range items {
		if comparedHere(&items[i]) {
			n++
		}
	}
	switch n {
	case 0:
		return nil, items // no copy of a mirror's or a no-op's items
	case len(items):
		return items, nil
	}
	here, rest = make([]planner.Action, 0, n), make([]planner.Action, 0, len(items)-n)
	for _, a := range items {
		if comparedHere(&a) {
			here = append(here, a)
		} else {
			rest = append(rest, a)
		}
	}
	return here, rest
}

func comparedHere(a *planner.Action) bool {
	return a.Op == planner.OpCopy && a.Verify && !a.HardLink && a.Src != nil && a.Src.Size <= inlineCompareMax
}

// writesUnnamed reports whether new files in d are written unnamed
// (writeTemp's choice); in a staged directory they are created by name.
func (e *Executor) writesUnnamed(d *walker.Dir) bool {
	return stageOf(d) == nil && e.unnamedAllowed() && d.DstFd >= 0 && e.copier.WritesUnnamed(d.DstDev, d.DstFd)
}

// batchLen returns how many of items the next batch takes: at most
// maxItems, fewer once batchBytes of file data are in.
func batchLen(items []planner.Action, maxItems int) int {
	var bytes int64
	for i, a := range items {
		if i == maxItems || (i > 0 && bytes >= batchBytes) {
			return i
		}
		if a.Src != nil {
			bytes += a.Src.Size
		}
	}
	return len(items)
}

func (e *Executor) submit(ctx context.Context, t task) {
	t.d.Hold()
	e.holdStage(t.d)
	e.inflight.Add(1)
	select {
	case e.tasks <- t:
	case <-ctx.Done():
		e.taskDone(t)
	}
}

// subdirs creates the new subdirectories and returns all of them to walk;
// rules are d's filter rules.
func (e *Executor) subdirs(d *walker.Dir, actions []planner.Action, rules planner.Filter) []*walker.Dir {
	kids := make([]*walker.Dir, 0, len(actions))
	for _, a := range actions {
		path := planner.Join(d.Path, a.Name)
		if e.prunedInTheWay(d, a, rules) || (e.opts.SkipMountPoints && d.Crosses(a)) {
			continue
		}
		part := partIn(rules, path)
		if part == mergedLater && (a.Op == planner.OpDir || e.opts.DryRun) {
			kid := d.Child(a) // (another source's directory: left as its walk made it, its contents merged)
			setMerged(kid, part)
			kids = append(kids, kid)
			continue
		} else if part == mergedLater {
			part = mergedNone // (the earlier source's walk did not make it: this one does, with its attributes)
		}
		s, err := e.prepareDir(d, a)
		if err != nil {
			e.fail(path, err)
			continue
		}
		kid := d.Child(a)
		if s != nil {
			staged(kid, s)
		}
		setMerged(kid, part)
		kids = append(kids, kid)
	}
	return kids
}

// prepareDir creates a new directory (replacing a non-directory in the
// way) before the walker descends into it; where nothing is in the way
// it is staged (stage.go), and its stage is returned.
func (e *Executor) prepareDir(d *walker.Dir, a planner.Action) (*stage, error) {
	e.printDir(d, a)
	if a.Op != planner.OpMkdir {
		return nil, nil
	}
	var s *stage
	if !e.opts.DryRun {
		var err error
		if s, err = e.makeDir(d, a); err != nil {
			return nil, err
		}
	}
	e.stats.Created.add(planner.KindDir) // (made, or a dry run's to make)
	return s, nil
}

// makeDir makes the directory of a, replacing what is in its way.
func (e *Executor) makeDir(d *walker.Dir, a planner.Action) (*stage, error) {
	if a.Dst != nil {
		if err := e.expect(d, a.Name, a.Dst); err != nil {
			return nil, err
		}
		if err := e.removeEntry(d, a.Name, a.Dst, false, false); err != nil {
			return nil, err
		}
	}
	var s *stage
	var err error
	mode := e.newDirMode(d, a)
	if a.Dst == nil && e.stagingAllowed() {
		s, err = e.mkdirStaged(d, a.Name, mode)
	} else {
		err = e.fs.Mkdirat(d.DstFd, a.Name, mode)
	}
	if err != nil {
		return nil, fmt.Errorf("mkdir: %w", err)
	}
	return s, nil
}

// newDirMode is the mode the new directory a in d is made with: the
// permissions dirDone gives it where they let the owner fill it, so that
// a run stopped before then leaves them right (a rerun without -p keeps
// a directory's mode); otherwise owner-only until dirDone.
func (e *Executor) newDirMode(d *walker.Dir, a planner.Action) uint32 {
	if mode := e.modeFor(a.Src, nil, e.permsIn(d)) & 0o777; mode&0o700 == 0o700 {
		return mode
	}
	return 0o700
}

func (e *Executor) printDir(d *walker.Dir, a planner.Action) {
	unchanged := a.Op == planner.OpDir && a.Change == 0
	// (-ii: not where --ignore-existing keeps a file in the way, which
	// rsync does not itemize)
	if e.opts.ItemizeAll && unchanged && a.Src != nil && a.Dst != nil && a.Dst.Kind == planner.KindDir && !e.impliedOnly(planner.Join(d.Path, a.Name)) && !(e.opts.PruneEmptyDirs && a.Name != "") {
		e.printLine(item{op: planner.OpDir, kind: planner.KindDir, path: dirLinePath(d, a), ent: a.Src})
	}
	if a.Op == 0 || unchanged || e.impliedOnly(planner.Join(d.Path, a.Name)) {
		return
	}
	if e.opts.PruneEmptyDirs && a.Name != "" {
		return // printed when it is done, unless pruned (dirDone)
	}
	e.printMadeDir(d, a, dirLinePath(d, a))
}

// printMadeDir prints the line (path) of a directory a in d made or
// changed: itemized against a reference directory where one is, and
// under -ii listed "cd" where a reference holds it with its attributes
// (rsync's lines; with -m too, printKeptDir).
func (e *Executor) printMadeDir(d *walker.Dir, a planner.Action, path string) {
	if change, show := e.altDirChange(d, a); show {
		e.print(item{op: a.Op, kind: planner.KindDir, change: change, path: path, ent: a.Src})
		return
	}
	e.printSettled(d, a, planner.OpLocal)
}

// dirLinePath is the name a directory's line shows: "./" for the root.
func dirLinePath(d *walker.Dir, a planner.Action) string {
	if d.Parent == nil && d.Path == "" && a.Name == "" {
		return "./"
	}
	return itemPath(d, a.Name, planner.KindDir)
}

// printUnchanged lists, under -ii, the entries d's plan found up to date
// (plan.Current) but those the reference trees may yet settle: their line
// comes when they are done (printSettled).
func (e *Executor) printUnchanged(d *walker.Dir, current []*planner.Entry, items ...planner.Action) {
	if !e.opts.ItemizeAll {
		return
	}
	settled := map[string]bool{}
	for _, a := range items {
		if a.AltExact && a.Op == planner.OpMeta && a.Change == 0 {
			settled[a.Name] = true
		}
	}
	for _, s := range current {
		if settled[s.Name] {
			continue
		}
		e.printLine(item{op: planner.OpMeta, kind: s.Kind, path: itemPath(d, s.Name, s.Kind), target: s.Target(), ent: s})
	}
}

// visitDeletes is the visit of the --delete-before pass: deletes only,
// descending into the directories both sides have.
func (e *Executor) visitDeletes(ctx context.Context, p *walker.Pair) []*walker.Dir {
	d := p.Dir
	if p.First {
		e.unlockVisited(d) // (its deletes are deferred, but -m's prune is not)
	}
	pol := e.pol
	pol.Delete = !d.Top()
	if p.First {
		e.reportBlind(d, pol)
	}
	rules, err := e.rulesFor(d, p)
	if err != nil {
		if p.First && e.afterPass {
			e.fail(itemPath(d, "", planner.KindDir), err) // (a merge file the transfer brought; the transfer's walk reports those before it)
		}
		p.Src.Err = err // rules that could not be read: no deletes here
	}
	pol.Filter = rules
	plan := planner.PlanDir(d.Path, &p.Src, &p.Dst, pol)
	e.reportDangling(d, plan.Dangling)
	if e.opts.PruneEmptyDirs && (plan.HasFiles || p.Src.Err != nil || d.SrcFd < 0 || e.newWithFiles(d, plan.Subdirs, pol.Filter)) {
		d.Used.Store(true) // for -m
	}
	if e.opts.PruneEmptyDirs && pol.Delete {
		plan.Deletes = e.prunedBefore(d, plan.Deletes, plan.Subdirs, pol.Filter)
	}
	if t, ok := decided(d, p, &plan); ok && ctx.Err() == nil {
		t.held = false // the transfer's walk warns
		e.guardEmptySource(d, t)
		if !e.prunedSource(d, pol.Filter) {
			e.planDeletes(d, t.deletes)
		}
	}
	var kids []*walker.Dir
	for _, a := range plan.Subdirs {
		// (a directory only the source has holds nothing to delete, but
		// before the transfer what cannot be listed there, or followed
		// (-L), is an I/O error that holds every deletion, as rsync lists
		// all before it deletes: seed 118356)
		if a.Op == planner.OpDir || (a.Op == planner.OpMkdir && !e.afterPass && !e.opts.IgnoreErrors) {
			kids = append(kids, d.Child(a))
		}
	}
	return e.afterWindow(d, p, kids)
}
