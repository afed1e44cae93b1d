package planner

import "encoding/binary"

// The xattrs that hold POSIX ACLs on Linux.
const (
	ACLAccess  = "system.posix_acl_access"
	ACLDefault = "system.posix_acl_default"
)

// The tags of POSIX ACL entries in those values: a version (2) in 32
// bits, then entries of a tag and permissions in 16 bits each and an id
// in 32, little endian.
const (
	aclUserObj  = 0x01
	aclUser     = 0x02
	aclGroupObj = 0x04
	aclGroup    = 0x08
	aclMask     = 0x10
	aclOther    = 0x20
)

// aclEntries calls f with each entry of the ACL value v.
func aclEntries(v []byte, f func(e []byte, tag uint16)) {
	if len(v) < 4 {
		return
	}
	for e := v[4:]; len(e) >= 8; e = e[8:] {
		f(e[:8], binary.LittleEndian.Uint16(e))
	}
}

// ACLPerms returns the permission bits an ACL value stands for: its
// owner's, mask's (the owning group's without one) and others' entries.
// For a default ACL, the bits a new entry of its directory keeps.
func ACLPerms(v []byte) (uint32, bool) {
	var user, group, mask, other uint32
	masked, ok := false, false
	aclEntries(v, func(e []byte, tag uint16) {
		perm := uint32(binary.LittleEndian.Uint16(e[2:])) & 7
		switch tag {
		case aclUserObj:
			user, ok = perm, true
		case aclGroupObj:
			group = perm
		case aclMask:
			mask, masked = perm, true
		case aclOther:
			other = perm
		}
	})
	if masked {
		group = mask
	}
	return user<<6 | group<<3 | other, ok
}

// ACLBeyondMode returns the part of an access ACL that the permission
// bits do not hold, which is what -A compares, as rsync does: the named
// users' and groups' entries, and the owning group's where a mask stands
// for it in the mode. The owner's and others' entries, and the mask, are
// the mode's bits; a difference there is a permission change. None when
// the ACL says no more than the mode.
func ACLBeyondMode(v []byte) []byte {
	var out, group []byte
	masked := false
	aclEntries(v, func(e []byte, tag uint16) {
		switch tag {
		case aclUser, aclGroup:
			out = append(out, e...)
		case aclGroupObj:
			group = e
		case aclMask:
			masked = true
		}
	})
	if masked {
		out = append(out, group...)
	}
	return out
}
