package planner

import (
	"bytes"
	"testing"
)

func TestACLBeyondModeAndPerms(t *testing.T) {
	const none = 0xffffffff
	for _, c := range []struct {
		name   string
		v      []byte
		beyond []byte
		perms  uint32
	}{
		{"minimal", acl([3]uint32{aclUserObj, 6, none}, [3]uint32{aclGroupObj, 4, none}, [3]uint32{aclOther, 4, none}), nil, 0o644},
		{"named, group under the mask", acl([3]uint32{aclUserObj, 7, none}, [3]uint32{aclUser, 5, 1}, [3]uint32{aclGroupObj, 4, none},
			[3]uint32{aclMask, 6, none}, [3]uint32{aclOther, 0, none}),
			acl([3]uint32{aclUser, 5, 1}, [3]uint32{aclGroupObj, 4, none})[4:], 0o760},
		{"named group", acl([3]uint32{aclUserObj, 6, none}, [3]uint32{aclGroupObj, 6, none}, [3]uint32{aclGroup, 4, 3},
			[3]uint32{aclMask, 6, none}, [3]uint32{aclOther, 4, none}),
			acl([3]uint32{aclGroup, 4, 3}, [3]uint32{aclGroupObj, 6, none})[4:], 0o664},
	} {
		if got := ACLBeyondMode(c.v); !bytes.Equal(got, c.beyond) {
			t.Errorf("%s: beyond the mode %x, want %x", c.name, got, c.beyond)
		}
		if got, ok := ACLPerms(c.v); !ok || got != c.perms {
			t.Errorf("%s: perms %03o %v, want %03o", c.name, got, ok, c.perms)
		}
	}
	if _, ok := ACLPerms(nil); ok {
		t.Error("no ACL has perms")
	}
}
