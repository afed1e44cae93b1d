package planner

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// acl encodes ACL entries as (tag, perm, id) triples.
func acl(entries ...[3]uint32) []byte {
	v := binary.LittleEndian.AppendUint32(nil, 2)
	for _, e := range entries {
		v = binary.LittleEndian.AppendUint16(v, uint16(e[0]))
		v = binary.LittleEndian.AppendUint16(v, uint16(e[1]))
		v = binary.LittleEndian.AppendUint32(v, e[2])
	}
	return v
}

func TestTransformACL(t *testing.T) {
	const none = 0xffffffff
	in := acl([3]uint32{1, 6, none}, [3]uint32{aclUser, 7, 65534}, [3]uint32{4, 4, none},
		[3]uint32{aclGroup, 4, 3}, [3]uint32{0x10, 7, none}, [3]uint32{0x20, 4, none})
	plus := func(n uint32) func(uint32) uint32 { return func(id uint32) uint32 { return id + n } }
	for _, c := range []struct {
		name     string
		t        *Transform
		uid, gid uint32
	}{
		{"nil", nil, 65534, 3},
		{"none", &Transform{UID: -1, GID: -1}, 65534, 3},
		{"chown", &Transform{UID: 7, GID: 8}, 7, 8},
		{"maps", &Transform{UID: -1, GID: -1, MapUID: plus(1), MapGID: plus(2)}, 65535, 5},
		{"chown then map", &Transform{UID: 7, GID: -1, MapUID: plus(1)}, 8, 3},
	} {
		want := acl([3]uint32{1, 6, none}, [3]uint32{aclUser, 7, c.uid}, [3]uint32{4, 4, none},
			[3]uint32{aclGroup, 4, c.gid}, [3]uint32{0x10, 7, none}, [3]uint32{0x20, 4, none})
		orig := bytes.Clone(in)
		if got := c.t.ACL(in); !bytes.Equal(got, want) {
			t.Errorf("%s: got %x, want %x", c.name, got, want)
		}
		if !bytes.Equal(in, orig) {
			t.Fatalf("%s: the value given was changed", c.name)
		}
	}
}
