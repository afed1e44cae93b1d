package executor

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// Reference directories for entries other than regular files, graded as
// rsync grades them: an entry of the same class (symlink, device,
// fifo or socket, directory) is a basis, one with the same value too
// (target, device number; directories and specials have none) a match in
// content, one with the same attributes too an exact match.

// nodeFromAlt looks for a new symlink, device, fifo or socket in the
// reference trees — only where the destination has nothing by its name:
// rsync replaces an entry of another type in the way without looking
// (unlike a regular file's). handled reports it needs nothing more: an exact match
// is left out (--compare-dest) or hard-linked (--link-dest), as rsync
// does, without a line. Otherwise change is how to itemize the entry
// made from the source (against the reference it matched, or as new),
// and quiet that nothing is printed (an exact match copied:
// --copy-dest, --clone-dest).
func (e *Executor) nodeFromAlt(d *walker.Dir, a planner.Action) (handled bool, change planner.Change, quiet bool, err error) {
	if e.opts.AltMode == AltNone || a.Dst != nil {
		return false, a.Change, false, nil
	}
	fd, ref, level, err := e.bestAltNode(d, a.Src)
	switch {
	case err != nil:
		return true, 0, false, err
	case level == altNone:
		return false, a.Change, false, nil
	case level < altExact:
		return false, e.changeFromRef(a.Src, ref), false, nil
	case e.opts.AltMode == AltCopy || e.opts.AltMode == AltClone:
		return false, 0, true, nil
	}
	want, err := e.makeWay(d, a)
	op := e.settledOp(true)
	switch {
	case err != nil || e.opts.DryRun:
	case e.opts.AltMode == AltCompare && want != nil:
		err = e.removeEntry(d, a.Name, want, false, false)
	case e.opts.AltMode == AltLink:
		var refused bool
		if refused, err = e.linkRef(d, a, fd, want); refused {
			op, err = planner.OpLocal, e.newNode(d, a, want)
		}
	}
	if err == nil {
		e.printSettled(d, a, op)
	}
	return true, 0, true, err
}

// changeFromRef is what an entry made from the source s differs in from
// the reference ref it is itemized against: its attributes, and, but for
// a directory, its value (rsync marks it for any such entry) and its
// time where it is not kept (no -t, -J, and for a directory -O), as for
// an entry remade (planner's planRecreate).
func (e *Executor) changeFromRef(s, ref *planner.Entry) planner.Change {
	c := e.refChange(s, ref)
	if s.Kind == planner.KindDir {
		if !e.pol.Times || e.pol.OmitDirTimes {
			c |= planner.ChangeTime
		}
		return c
	}
	c |= planner.ChangeContent
	if !e.pol.Times || (e.pol.OmitLinkTimes && s.Kind == planner.KindSymlink) {
		c |= planner.ChangeTime
	}
	return c
}

// bestAltNode returns the best reference for the entry s: the first exact
// match, else the first match in value, else the first of its class.
func (e *Executor) bestAltNode(d *walker.Dir, s *planner.Entry) (int, *planner.Entry, altMatch, error) {
	name := s.Name
	if name == "" {
		name = "." // a transfer root
	}
	bestFd, level := -1, altNone
	var best *planner.Entry
	for _, fd := range e.altFds(d) {
		if fd < 0 {
			continue
		}
		st, err := platform.Lstatat(fd, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return -1, nil, altNone, fmt.Errorf("reference: %w", err)
		}
		ref := e.refEntry(fd, name, st)
		ref.Name = s.Name
		if l := e.nodeLevel(s, &ref, fd, name); l > level {
			bestFd, best, level = fd, &ref, l
		}
		if level == altExact {
			break
		}
	}
	return bestFd, best, level, nil
}

// nodeLevel grades the reference ref (name in the open directory fd) for
// the source entry s.
func (e *Executor) nodeLevel(s, ref *planner.Entry, fd int, name string) altMatch {
	switch {
	case !sameClass(s.Kind, ref.Kind):
		return altNone
	case s.Kind == planner.KindSymlink:
		target, err := ref.Target(), error(nil) // (a symlink --fake-super keeps as a file has it)
		if target == "" {
			target, err = platform.Readlinkat(fd, name)
		}
		if err != nil || target != s.Target() {
			return altBasis
		}
		ref.SetTarget(s.Target())
	case s.Kind.IsDevice() && ref.Rdev() != s.Rdev():
		return altBasis
	}
	if e.refChange(s, ref) != 0 {
		return altContent
	}
	return altExact
}

// refChange is what the reference ref differs in from s, for grading
// and itemizing it (MetaChange), with, under -E without -p, whether
// either is executable: rsync weighs that against a reference for any
// entry but a symlink (at the destination, for a regular file only).
func (e *Executor) refChange(s, ref *planner.Entry) planner.Change {
	c := e.pol.MetaChange(s, ref)
	if !e.pol.Perms && e.pol.Executability && s.Kind != planner.KindSymlink && (s.Mode&0o111 == 0) != (ref.Mode&0o111 == 0) {
		c |= planner.ChangePerms
	}
	return c
}

// sameClass reports entries rsync takes for one another in a reference
// directory: symlinks, devices (character or block), specials (fifo or
// socket), directories.
func sameClass(a, b planner.Kind) bool {
	switch {
	case a.IsDevice():
		return b.IsDevice()
	case a.IsSpecial():
		return b.IsSpecial()
	}
	return a == b
}

// altDirChange is how a new directory is itemized with reference trees:
// against the first directory of its name there, or, where one has the
// same attributes, not at all (show false; rsync makes it silently).
func (e *Executor) altDirChange(d *walker.Dir, a planner.Action) (change planner.Change, show bool) {
	if e.opts.AltMode == AltNone || a.Op != planner.OpMkdir || a.Src == nil {
		return a.Change, true
	}
	_, ref, level, err := e.bestAltNode(d, a.Src)
	switch {
	case err != nil || level == altNone:
		return a.Change, true
	case level == altExact:
		return 0, false
	}
	return e.changeFromRef(a.Src, ref), true
}
