package planner

import "slices"

// PlanDir merges the sorted source and destination listings of the
// directory dir (root-relative, "" for the root) and returns what to do.
func PlanDir(dir string, src, dst *Listing, pol Policy) DirPlan {
	var p DirPlan
	canDelete := pol.Delete && ((src.Err == nil && dst.Err == nil) || pol.IgnoreErrors)
	p.DeletesHeld = pol.Delete && !canDelete
	i, j := 0, 0
	for i < len(src.Entries) || j < len(dst.Entries) {
		var s, d *Entry
		switch {
		case j == len(dst.Entries) || (i < len(src.Entries) && src.Entries[i].Name < dst.Entries[j].Name):
			s = &src.Entries[i]
			i++
		case i == len(src.Entries) || dst.Entries[j].Name < src.Entries[i].Name:
			d = &dst.Entries[j]
			j++
		default:
			s, d = &src.Entries[i], &dst.Entries[j]
			i, j = i+1, j+1
		}
		if d == nil && dst.failed(s.Name) {
			// What is there could not be read: left alone, as rsync leaves
			// a name it fails to stat (the failure is reported).
			p.HasFiles = p.HasFiles || s.Kind != KindDir
			continue
		}
		if !p.add(dir, s, d, pol, canDelete) {
			p.Left = append(p.Left, int32(i-1))
		}
	}
	return p
}

// failed reports whether name is among the entries l could not read.
func (l *Listing) failed(name string) bool {
	_, found := slices.BinarySearch(l.Failed, name)
	return found
}

// add plans one name present on one side or both, and reports false
// for a source entry it leaves out (excluded, or a dangling link to
// follow). A destination symlink -K (or --no-implied-dirs) followed to a
// directory is the symlink it is where the source has no directory of its
// name: deleted, replaced or kept up to date as a link, never what it
// points to (as rsync).
func (p *DirPlan) add(dir string, s, d *Entry, pol Policy, canDelete bool) bool {
	if d != nil && d.Link() != nil && (s == nil || s.Kind != KindDir) {
		d = d.Link()
	}
	taken := true
	if s != nil && pol.excluded(Join(dir, s.Name), s) {
		s, taken = nil, false
		if d == nil {
			return false
		}
	}
	if s != nil && s.Dangling {
		p.Dangling = append(p.Dangling, s)
		return false
	}
	p.HasFiles = p.HasFiles || (s != nil && s.Kind != KindDir)
	if s != nil && s.Unsafe {
		p.Unsafe = append(p.Unsafe, s) // ignored; d stays as it is
		return true
	}
	switch {
	case s == nil:
		p.planExtraneous(dir, d, pol, canDelete)
	case s.Kind == KindDir:
		p.planDir(s, d, pol)
	default:
		p.planItem(s, d, pol)
	}
	return taken
}

// excluded reports a source entry the filter rules leave out. A symlink
// that could not be followed is of no known type: left out when a rule
// for files or one for directories leaves it out, as rsync does before it
// reports the link.
func (pol Policy) excluded(path string, s *Entry) bool {
	if pol.Filter == nil {
		return false
	}
	if s.Dangling {
		return pol.Filter.Excluded(path, false) || pol.Filter.Excluded(path, true)
	}
	return pol.Filter.Excluded(path, s.Kind == KindDir)
}

// planExtraneous handles a destination entry the source lacks.
func (p *DirPlan) planExtraneous(dir string, d *Entry, pol Policy, canDelete bool) {
	if IsTempName(d.Name) {
		p.Cleanup = append(p.Cleanup, d)
		return
	}
	if !canDelete || pol.protected(Join(dir, d.Name), d.Name) {
		return
	}
	if f := pol.Filter; f != nil && f.Protected(Join(dir, d.Name), d.Kind == KindDir) {
		return // excluded (and not --delete-excluded) or protected at the destination
	}
	p.Deletes = append(p.Deletes, Action{Op: OpDelete, Name: d.Name, Dst: d})
}

func (p *DirPlan) planDir(s, d *Entry, pol Policy) {
	switch {
	case !pol.Recursive && !pol.Dirs:
		p.Skipped = append(p.Skipped, Skip{Name: s.Name, Reason: "skipping directory"})
	case d == nil && pol.Existing:
		// Not made, but walked: rsync lists the whole source, so what
		// cannot be read there (a directory, a dangling symlink under -L)
		// is an error, which also holds back deletions.
		p.Subdirs = append(p.Subdirs, Action{Op: OpDir, Name: s.Name, Src: s})
	case d == nil:
		p.Subdirs = append(p.Subdirs, Action{Op: OpMkdir, Name: s.Name, Src: s, Change: ChangeNew})
	case d.Kind != KindDir && pol.IgnoreExisting:
		// rsync keeps the non-directory and still goes through the source
		// directory, failing on each entry in it (not a directory): the
		// walk descends with the destination entry kept.
		p.Subdirs = append(p.Subdirs, Action{Op: OpDir, Name: s.Name, Src: s, Dst: d})
	case d.Kind != KindDir:
		p.Subdirs = append(p.Subdirs, Action{Op: OpMkdir, Name: s.Name, Src: s, Dst: d, Change: ChangeNew})
	default:
		p.Subdirs = append(p.Subdirs, Action{Op: OpDir, Name: s.Name, Src: s, Dst: d, Change: pol.MetaChange(s, d)})
	}
}

func (p *DirPlan) planItem(s, d *Entry, pol Policy) {
	if reason := pol.skipReason(s); reason != "" {
		p.Skipped = append(p.Skipped, Skip{Name: s.Name, Reason: reason})
		return
	}
	if d != nil && pol.IgnoreExisting {
		p.note(pol, s, "exists")
		return // whatever its type, as rsync
	}
	if s.Kind == KindFile && !pol.sizeWanted(s.Size) {
		p.note(pol, s, pol.sizeNote(s.Size))
		return
	}
	if d == nil || (d.Kind != s.Kind && !pol.WritesInto(s, d)) {
		if d == nil && pol.Existing {
			if pol.Notes {
				p.Notes = append(p.Notes, Note{Name: s.Name, Why: "not creating new " + kindWord(s.Kind), Before: true})
			}
			return
		}
		p.Items = append(p.Items, Action{Op: opFor(s.Kind), Name: s.Name, Src: s, Dst: d, Change: ChangeNew,
			HardLink: pol.HardLinks && s.Kind == KindFile && s.Nlink > 1})
		return
	}
	var a Action
	switch s.Kind {
	case KindFile:
		a = pol.planFile(s, d)
		if pol.HardLinks && s.Nlink > 1 && !pol.keptAsIs(s, d) && !pol.WritesInto(s, d) {
			if a.Op == 0 {
				a = Action{Op: OpMeta, Name: s.Name, Src: s, Dst: d}
			}
			a.HardLink = true
		}
	case KindSymlink:
		a = pol.planRecreate(s, d, s.Target() != d.Target())
	default:
		a = pol.planRecreate(s, d, s.Rdev() != d.Rdev())
	}
	if s.Kind == KindFile && d.Kind == KindFile && pol.altExact(s, d, a) {
		if a.Op == 0 {
			p.Items = append(p.Items, Action{Op: OpMeta, Name: s.Name, Src: s, Dst: d, AltExact: true})
		}
		a.AltExact = true
	}
	switch {
	case a.Op != 0:
		p.Items = append(p.Items, a)
	case pol.keptAsIs(s, d):
		if pol.Update && pol.newer(d.Mtime, s.Mtime) {
			p.note(pol, s, "is newer")
		}
	case d.FakeRaw:
		// up to date, but rsync gives it the real mode --fake-super leaves
		p.Items = append(p.Items, Action{Op: OpMeta, Name: s.Name, Src: s, Dst: d})
		if pol.UptodateNotes {
			p.Notes = append(p.Notes, Note{Name: s.Name, Why: "is uptodate"})
		}
	default:
		if pol.ListCurrent {
			p.Current = append(p.Current, s)
		}
		if pol.UptodateNotes {
			p.Notes = append(p.Notes, Note{Name: s.Name, Why: "is uptodate"})
		}
	}
}

// WritesInto reports a destination device d that --write-devices
// writes the regular file s into.
func (pol Policy) WritesInto(s, d *Entry) bool {
	return pol.WriteDevices && s.Kind == KindFile && d.Kind.IsDevice()
}

// altExact reports that the existing file d is looked for in the
// reference trees before its own check, as rsync looks: not one -u keeps
// (rsync's update check comes first), nor a --fake-super raw mode being
// fixed. (A hard-link member is looked for where it leads its group.)
func (pol Policy) altExact(s, d *Entry, a Action) bool {
	return pol.AltExact && !(pol.Update && pol.newer(d.Mtime, s.Mtime)) && !d.FakeRaw
}

// note records why s is left as it is, under Policy.Notes.
func (p *DirPlan) note(pol Policy, s *Entry, why string) {
	if pol.Notes {
		p.Notes = append(p.Notes, Note{Name: s.Name, Why: why})
	}
}

// kindWord names a kind as rsync's "not creating new" line does.
func kindWord(k Kind) string {
	switch k {
	case KindFile:
		return "file"
	case KindSymlink:
		return "symlink"
	}
	return "special file"
}

// sizeNote is rsync's reason for a file --max-size or --min-size leaves.
func (pol Policy) sizeNote(size int64) string {
	if pol.MaxSize > 0 && size > pol.MaxSize {
		return "is over max-size"
	}
	return "is under min-size"
}

// planFile applies rsync's quick check (or the chosen compare mode) to a
// regular file present on both sides.
func (pol Policy) planFile(s, d *Entry) Action {
	if pol.IgnoreExisting || (pol.Update && pol.newer(d.Mtime, s.Mtime)) {
		return Action{}
	}
	meta := pol.MetaChange(s, d)
	if !pol.SameTime(s.Mtime, d.Mtime) || !pol.Times {
		meta |= ChangeTime // shown as T without -t: the copy gets the transfer time
	}
	copyIt := Action{Op: OpCopy, Name: s.Name, Src: s, Dst: d, Change: meta}
	switch {
	case pol.Append && d.Size >= s.Size:
		return pol.planNotShorter(s, d, copyIt)
	case s.Size != d.Size:
		copyIt.Change |= ChangeSize
		if pol.Checksum {
			copyIt.Change |= ChangeContent // rsync -c shows 'c' here too
		}
		return copyIt
	case pol.Checksum: // before --size-only and -I, as in rsync's quick check
		copyIt.Verify = true
		return copyIt
	case pol.SizeOnly:
		return pol.metaOnly(s, d)
	case pol.IgnoreTimes:
		return copyIt
	case !pol.SameTime(s.Mtime, d.Mtime):
		// Same size, other time: compare contents first, so that a touched
		// file gets its new time in place instead of a rewrite (a new inode).
		copyIt.Verify = true
		return copyIt
	}
	return pol.metaOnly(s, d)
}

// keptAsIs reports a file -u (newer at the destination) or --append (not
// shorter, not up to date) leaves as it is: it is not up to date
// (current), nor a hard-link group's member.
func (pol Policy) keptAsIs(s, d *Entry) bool {
	return s.Kind == KindFile && ((pol.Update && pol.newer(d.Mtime, s.Mtime)) || pol.appendKeeps(s, d))
}

// planNotShorter handles a destination file --append finds not shorter
// than the source: one rsync's quick check finds up to date gets its
// attributes (under -c, once its contents are compared); any other is
// left as it is, attributes too (as rsync).
func (pol Policy) planNotShorter(s, d *Entry, copyIt Action) Action {
	switch {
	case pol.appendKeeps(s, d):
		return Action{}
	case pol.Checksum:
		copyIt.Verify, copyIt.KeepIfDiffers = true, true
		return copyIt
	}
	return pol.metaOnly(s, d)
}

// appendKeeps reports a file --append leaves as it is: the destination
// not shorter, and not up to date by rsync's quick check (the same size;
// under -c the contents decide, even with -I; else the time, unless
// --size-only, never under -I).
func (pol Policy) appendKeeps(s, d *Entry) bool {
	if !pol.Append || s.Kind != KindFile || (d.Kind != KindFile && !pol.WritesInto(s, d)) || d.Size < s.Size {
		return false
	}
	quick := s.Size == d.Size && (pol.Checksum || (!pol.IgnoreTimes && (pol.SizeOnly || pol.SameTime(s.Mtime, d.Mtime))))
	return !quick
}

// planRecreate handles a symlink or special file present on both sides:
// recreated when its value differs, else its metadata fixed in place.
// One remade without its time kept (no -t, or -J for a symlink) shows
// the time as changed, as rsync itemizes it.
func (pol Policy) planRecreate(s, d *Entry, differs bool) Action {
	if differs {
		c := ChangeContent | pol.MetaChange(s, d)
		if !pol.Times || pol.omitsTime(s.Kind) {
			c |= ChangeTime
		}
		return Action{Op: opFor(s.Kind), Name: s.Name, Src: s, Dst: d, Change: c}
	}
	return pol.metaOnly(s, d)
}

// metaOnly returns an OpMeta action when attributes differ, else nothing.
func (pol Policy) metaOnly(s, d *Entry) Action {
	if c := pol.MetaChange(s, d); c != 0 {
		return Action{Op: OpMeta, Name: s.Name, Src: s, Dst: d, Change: c}
	}
	return Action{}
}

// omitsTime reports whether -O or -J leaves the times of kind k alone.
func (pol Policy) omitsTime(k Kind) bool {
	return (pol.OmitDirTimes && k == KindDir) || (pol.OmitLinkTimes && k == KindSymlink)
}

// MetaChange lists the preserved attributes that differ.
func (pol Policy) MetaChange(s, d *Entry) Change {
	var c Change
	if pol.Times && !pol.omitsTime(s.Kind) && !pol.SameTime(s.Mtime, d.Mtime) {
		c |= ChangeTime
	}
	if pol.Perms && s.Kind != KindSymlink && s.Mode != d.Mode {
		c |= ChangePerms
	}
	if !pol.Perms && pol.Executability && s.Kind == KindFile && (d.Kind == KindFile || pol.WritesInto(s, d)) && (s.Mode&0o111 == 0) != (d.Mode&0o111 == 0) {
		c |= ChangePerms
	}
	if pol.Owner && s.UID != d.UID {
		c |= ChangeOwner
	}
	if s.GID != d.GID && pol.SetsGroup(s.GID) {
		c |= ChangeGroup
	}
	if pol.Atimes && s.Kind != KindDir && s.Kind != KindSymlink && s.Atime != d.Atime {
		c |= ChangeAtime
	}
	if pol.Xattrs && s.XattrSum() != d.XattrSum() {
		c |= ChangeXattr
	}
	if pol.ACLs && s.ACLSum() != d.ACLSum() {
		c |= ChangeACL
	}
	return c
}

func (pol Policy) skipReason(s *Entry) string {
	switch {
	case s.Kind == KindSymlink && !pol.Links,
		s.Kind.IsDevice() && !pol.Devices,
		s.Kind.IsSpecial() && !pol.Specials:
		return "skipping non-regular file"
	}
	return ""
}

func (pol Policy) sizeWanted(size int64) bool {
	return (pol.MaxSize <= 0 || size <= pol.MaxSize) && size >= pol.MinSize
}

func opFor(k Kind) Op {
	switch k {
	case KindFile:
		return OpCopy
	case KindSymlink:
		return OpSymlink
	case KindDir:
		return OpMkdir
	}
	return OpSpecial
}

// Join joins a root-relative directory and a name with "/".
func Join(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// PlanRoot plans the transfer root of "SRC/" onto an existing destination
// directory d (or a non-directory to replace): the same decision as for
// any subdirectory.
func PlanRoot(s, d *Entry, pol Policy) Action {
	var p DirPlan
	pol.Recursive = true
	p.planDir(s, d, pol)
	if len(p.Subdirs) == 0 {
		return Action{} // --existing or --ignore-existing leave it alone
	}
	return p.Subdirs[0]
}

func (pol Policy) protected(path, name string) bool {
	if pol.ProtectSuffix != "" && len(name) > len(pol.ProtectSuffix) &&
		name[len(name)-len(pol.ProtectSuffix):] == pol.ProtectSuffix {
		return true
	}
	return (pol.ProtectDir != "" && path == pol.ProtectDir) || (pol.ProtectName != "" && name == pol.ProtectName)
}
