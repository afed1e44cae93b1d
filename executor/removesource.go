package executor

import (
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// errSourceChanged keeps a source file that changed after it was listed
// (--remove-source-files): its copy may be of the old contents.
var errSourceChanged = errors.New("not removed from the source: it changed since it was copied")

// sourceRemovals holds, per directory, the source non-directories the
// destination has up to date, to be removed when the directory is done
// (--remove-source-files): every name of it has been listed by then, so
// a symlink followed (-L) or another name of a hard-linked file met
// later in the same directory still finds what it refers to, as in
// rsync, which lists a directory whole before it transfers from it.
type sourceRemovals struct {
	mu sync.Mutex
	m  map[*walker.Dir][]*planner.Entry
}

// removeSource notes s, a non-directory of d the destination now has up
// to date, for removal from the source when d is done.
func (e *Executor) removeSource(d *walker.Dir, s *planner.Entry) {
	if !e.opts.RemoveSourceFiles || e.opts.DryRun || s == nil || s.Kind == planner.KindDir || d.SrcFd < 0 {
		return
	}
	r := &e.srcRemovals
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = make(map[*walker.Dir][]*planner.Entry)
	}
	r.m[d] = append(r.m[d], s)
}

// removeCurrent notes the entries d's plan found up to date for removal.
func (e *Executor) removeCurrent(d *walker.Dir, current []*planner.Entry) {
	for _, s := range current {
		e.removeSource(d, s)
	}
}

// removeSources removes from the source the entries noted in d, now that
// d is done, as rsync's sender does once the receiver reports success;
// one that changed since it was listed (another inode, size or time)
// stays, an error. A stopped run removes nothing more.
func (e *Executor) removeSources(d *walker.Dir) {
	r := &e.srcRemovals
	r.mu.Lock()
	list := r.m[d]
	delete(r.m, d)
	r.mu.Unlock()
	if len(list) > 0 && e.overlay != nil {
		e.overlay.keepSourceTime(d)
	}
	// Links followed (-L) first: each is checked through its target,
	// which may be one of the files removed here.
	for _, followed := range []bool{true, false} {
		for _, s := range list {
			if s.Followed != followed {
				continue
			}
			if e.ctx.Err() != nil {
				return
			}
			if err := e.removeSourceEntry(d, s); err != nil {
				e.fail(planner.Join(d.Path, s.Name), fmt.Errorf("%w: %w", errRemoveSource, err))
			} else if e.opts.RemoveNotes {
				e.say("sender removed %s", e.escape(planner.Join(d.Path, s.Name))) // (rsync's -vv line)
			}
		}
	}
}

// removeSourceEntry removes s from d's source directory unless it changed.
func (e *Executor) removeSourceEntry(d *walker.Dir, s *planner.Entry) error {
	name := d.SourceName(s.Name)
	stat := platform.Lstatat
	if s.Followed { // -L: the link named is what goes, once its target is checked
		stat = platform.Statat
	}
	st, err := stat(d.SrcFd, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // gone already
	}
	if err != nil {
		return err
	}
	if now := walker.FromStat(name, st); now.Ino != s.Ino || now.Size != s.Size || now.Mtime != s.Mtime {
		return errSourceChanged
	}
	return e.fs.Unlinkat(d.SrcFd, name)
}
