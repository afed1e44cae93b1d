//go:build linux

package platform

import "encoding/binary"

// The tags of the POSIX ACL entries that stand for the permission bits,
// as the kernel encodes them in system.posix_acl_* values.
const (
	aclUserObj  = 0x01
	aclGroupObj = 0x04
	aclMask     = 0x10
	aclOther    = 0x20
)

// DefaultACLPerms returns the permission bits the default ACL of the
// directory dirfd lets an entry created in it keep, and whether it has
// one. The kernel gives a new entry that ACL, its owner, group (or mask)
// and other permissions limited by the mode it was created with, instead
// of applying the umask. A filesystem without ACLs has none.
func DefaultACLPerms(dirfd int) (uint32, bool) {
	v, err := GetXattr(dirfd, "", "system.posix_acl_default")
	if err != nil || len(v) < 4 {
		return 0, false
	}
	var user, group, mask, other uint32
	hasMask := false
	for e := v[4:]; len(e) >= 8; e = e[8:] { // (tag, perm: 16 bits each; id: 32)
		perm := uint32(binary.LittleEndian.Uint16(e[2:])) & 7
		switch binary.LittleEndian.Uint16(e) {
		case aclUserObj:
			user = perm
		case aclGroupObj:
			group = perm
		case aclMask:
			mask, hasMask = perm, true
		case aclOther:
			other = perm
		}
	}
	if hasMask {
		group = mask
	}
	return user<<6 | group<<3 | other, true
}
