//go:build linux

package tree

import "encoding/binary"

// The xattrs that hold POSIX ACLs.
const (
	XattrACLAccess  = "system.posix_acl_access"
	XattrACLDefault = "system.posix_acl_default"
)

// The tags of POSIX ACL entries, as the kernel encodes them.
const (
	ACLUserObj  = 0x01
	ACLUser     = 0x02
	ACLGroupObj = 0x04
	ACLGroup    = 0x08
	ACLMask     = 0x10
	ACLOther    = 0x20
)

// ACLEntry is one entry of a POSIX ACL; ID is used by ACLUser and
// ACLGroup only. Perm is rwx as 4|2|1.
type ACLEntry struct {
	Tag  uint16
	Perm uint16
	ID   uint32
}

// ACL encodes entries as the value of a system.posix_acl_* xattr
// (version 2, little endian). Give the entries in the kernel's order:
// by tag, then by id.
func ACL(entries ...ACLEntry) string {
	buf := binary.LittleEndian.AppendUint32(nil, 2)
	for _, e := range entries {
		id := e.ID
		if e.Tag != ACLUser && e.Tag != ACLGroup {
			id = 0xffffffff
		}
		buf = binary.LittleEndian.AppendUint16(buf, e.Tag)
		buf = binary.LittleEndian.AppendUint16(buf, e.Perm)
		buf = binary.LittleEndian.AppendUint32(buf, id)
	}
	return string(buf)
}

// SimpleACL is an access ACL that grants perm to user uid on top of
// the owner/group/other bits of mode.
func SimpleACL(mode uint32, uid uint32, perm uint16) string {
	return ACL(
		ACLEntry{Tag: ACLUserObj, Perm: uint16(mode>>6) & 7},
		ACLEntry{Tag: ACLUser, Perm: perm, ID: uid},
		ACLEntry{Tag: ACLGroupObj, Perm: uint16(mode>>3) & 7},
		ACLEntry{Tag: ACLMask, Perm: 7},
		ACLEntry{Tag: ACLOther, Perm: uint16(mode) & 7},
	)
}
