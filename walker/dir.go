package walker

import (
	"sync/atomic"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
)

// Dir is one directory pair under way.
type Dir struct {
	Parent  *Dir
	SrcName string // name inside Parent's source directory
	DstName string // name inside Parent's destination directory
	Path    string // path relative to the transfer root, "" for the root (but see Root.Prefix)
	SrcFd   int    // open source directory, -1 if it could not be opened
	DstFd   int    // open destination directory, -1 if absent
	DstDev  uint64 // device of the destination directory
	// Action is what the parent's plan said of this directory (OpMkdir or
	// OpDir, with the source entry whose metadata it must end up with).
	Action planner.Action
	// Only restricts the listing to one name (a source named without a
	// trailing slash); OnlyDst is that entry's name at the destination.
	Only, OnlyDst string
	// NoDescend marks a mount point under -x, or any subdirectory under
	// OneLevel (-d): created, not entered.
	NoDescend bool
	// DstBlind records that the destination directory could be searched
	// but not read: its listing holds the source's names found in it.
	DstBlind bool
	// Unlocked records that the destination directory was given u+rwx to
	// be listed (Options.Unlock); Action.Dst.Mode is its mode before.
	Unlocked bool
	// Ext is the executor's per-directory state (its filter rules).
	Ext any
	// Used records that something was placed in the directory (for -m).
	Used atomic.Bool
	// Emptied records that an entry of the destination directory was
	// deleted (for -m, which then leaves it the time that gave it).
	Emptied atomic.Bool
	// NewPerms caches, for the executor, the permission bits entries
	// made in the destination directory may keep (0: not looked up).
	NewPerms atomic.Uint32

	pending atomic.Int64
	w       *walk
}

// Top reports whether d is the pseudo-directory above a source named
// without a trailing slash (its attributes belong to nobody).
func (d *Dir) Top() bool { return d.Only != "" }

// SourceName maps a name in d's listing back to the source's own name.
func (d *Dir) SourceName(name string) string {
	if d.OnlyDst != "" && name == d.OnlyDst {
		return d.Only
	}
	return name
}

// Child returns a new, not yet listed subdirectory of d for action a.
func (d *Dir) Child(a planner.Action) *Dir {
	c := &Dir{Parent: d, SrcName: d.SourceName(a.Name), DstName: a.Name, Path: planner.Join(d.Path, a.Name),
		SrcFd: -1, DstFd: -1, Action: a, w: d.w}
	if d.w.opts.OneFileSystem && a.Src != nil && a.Src.Dev != d.w.rootDev {
		c.NoDescend = true
	}
	if d.w.opts.OneLevel {
		c.NoDescend = true // -d: made, not entered
	}
	c.pending.Store(1) // released after its listing is planned
	d.Hold()
	return c
}

// Crosses reports whether a, a subdirectory of d, is on another device
// than the source root (a mount point).
func (d *Dir) Crosses(a planner.Action) bool {
	return a.Src != nil && a.Src.Dev != d.w.rootDev
}

// loops reports a followed symlink that leads to one of d's ancestors.
func (d *Dir) loops() bool {
	s := d.Action.Src
	if s == nil || !s.Followed {
		return false
	}
	for p := d.Parent; p != nil; p = p.Parent {
		if a := p.Action.Src; a != nil && a.Dev == s.Dev && a.Ino == s.Ino {
			return true
		}
	}
	return false
}

// Hold records one more pending piece of work inside d.
func (d *Dir) Hold() { d.pending.Add(1) }

// Release records that a piece of work inside d finished. The last
// release completes d: OnDone runs, its descriptors close, and its
// parent is released in turn.
func (d *Dir) Release() {
	for d != nil && d.pending.Add(-1) == 0 {
		if d.w.opts.OnDone != nil {
			d.w.opts.OnDone(d)
		}
		_ = platform.Close(d.SrcFd)
		_ = platform.Close(d.DstFd)
		d.SrcFd, d.DstFd = -1, -1
		d = d.Parent
	}
}
