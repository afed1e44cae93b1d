package executor

import (
	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// The permissions of new entries. Where a destination directory has a
// default ACL, the kernel gives an entry made in it that ACL and limits
// the entry's permissions by it instead of by the umask; rsync masks a
// new entry's source permissions (without -p) by the ACL's too, and
// under -p sets the source's whatever the creation left.

// Flags of walker.Dir.NewPerms above its permission bits.
const (
	permsKnown = 1 << 31 // looked up
	permsACL   = 1 << 30 // the directory has a default ACL
)

// defaultACL returns the permission bits the default ACL of d's
// destination directory leaves new entries, and whether it has one;
// looked up once per directory (its ACLs change only when it is done).
func (e *Executor) defaultACL(d *walker.Dir) (uint32, bool) {
	v := d.NewPerms.Load()
	if v == 0 {
		v = permsKnown
		if d.DstFd >= 0 {
			if perms, ok := defaultACLPerms(d.DstFd); ok {
				v |= permsACL | perms
			}
		}
		d.NewPerms.Store(v)
	}
	return v & 0o777, v&permsACL != 0
}

// newPerms returns the permission bits a new entry of d keeps of its
// source's without -p: those of d's default ACL, else the umask's.
func (e *Executor) newPerms(d *walker.Dir) uint32 {
	if perms, acl := e.defaultACL(d); acl {
		return perms
	}
	return 0o777 &^ e.opts.Umask
}

// permsIn returns newPerms(d) for modeFor, which asks for it only when a
// new entry's mode needs it: a run that makes nothing looks up no ACL.
func (e *Executor) permsIn(d *walker.Dir) func() uint32 {
	return func() uint32 { return e.newPerms(d) }
}

// permsAbove is permsIn for the directory d itself (parentPerms).
func (e *Executor) permsAbove(d *walker.Dir) func() uint32 {
	return func() uint32 { return e.parentPerms(d) }
}

// parentPerms is newPerms for the directory d itself: its parent's,
// and for the destination root that of the directory above it.
func (e *Executor) parentPerms(d *walker.Dir) uint32 {
	if d.Parent != nil {
		return e.newPerms(d.Parent)
	}
	if d.DstFd < 0 {
		return 0o777 &^ e.opts.Umask
	}
	fd, err := platform.OpenDirAt(d.DstFd, "..")
	if err != nil {
		return 0o777 &^ e.opts.Umask
	}
	defer platform.Close(fd)
	if perms, ok := defaultACLPerms(fd); ok {
		return perms
	}
	return 0o777 &^ e.opts.Umask
}

// createdPerms returns the permission bits a file made in d with perm
// has: perm limited by d's default ACL, or by the process umask.
func (e *Executor) createdPerms(d *walker.Dir, perm uint32) uint32 {
	if perms, acl := e.defaultACL(d); acl {
		return perm & perms
	}
	return perm &^ e.umask
}

// defaultACLPerms returns the permission bits the default ACL of the
// directory fd leaves new entries, and whether it has one (none where
// the filesystem or system has no ACLs).
func defaultACLPerms(fd int) (uint32, bool) {
	v, err := platform.GetXattr(fd, "", planner.ACLDefault)
	if err != nil || v == nil {
		return 0, false
	}
	return planner.ACLPerms(v)
}
