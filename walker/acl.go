package walker

import "encoding/binary"

// The tags of POSIX ACL entries in a system.posix_acl_access value.
const (
	aclGroupObj = 0x04
	aclMask     = 0x10
	aclUser     = 0x02
	aclGroup    = 0x08
)

// aclBeyondMode returns the part of an access ACL (the value of
// system.posix_acl_access) that the permission bits do not hold, which
// is what -A compares, as rsync does: the named users' and groups'
// entries, and the owning group's where a mask stands for it in the
// mode. The owner's and others' entries, and the mask, are the mode's
// bits; a difference there is a permission change. None when the ACL
// says no more than the mode.
func aclBeyondMode(v []byte) []byte {
	if len(v) < 4 {
		return v
	}
	var out, group []byte
	masked := false
	for e := v[4:]; len(e) >= 8; e = e[8:] { // (tag, perm: 16 bits each; id: 32)
		switch binary.LittleEndian.Uint16(e) {
		case aclUser, aclGroup:
			out = append(out, e[:8]...)
		case aclGroupObj:
			group = e[:8]
		case aclMask:
			masked = true
		}
	}
	if masked {
		out = append(out, group...)
	}
	return out
}
