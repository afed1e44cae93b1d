package walker

import (
	"reflect"
	"testing"

	"github.com/treesync/treesync/platform"
)

// TestFakeStat reads and writes user.rsync.%stat as rsync 3.5 writes it
// ("MODE MAJOR,MINOR UID:GID", the mode in octal with its type bits, no
// trailing NUL; a NUL read is dropped), and refuses what is not that.
func TestFakeStat(t *testing.T) {
	for _, v := range []string{"104755 0,0 1:2", "20644 1,3 0:0", "120777 0,0 65534:100", "40751 0,0 3:4"} {
		s, ok := ParseFakeStat([]byte(v))
		if !ok {
			t.Errorf("ParseFakeStat(%q) refused", v)
			continue
		}
		if got := string(s.Format()); got != v {
			t.Errorf("%q read and written back is %q", v, got)
		}
	}
	if s, ok := ParseFakeStat([]byte("20644 1,3 5:6\x00")); !ok || s.Rdev != platform.Mkdev(1, 3) || s.UID != 5 || s.GID != 6 {
		t.Errorf("with a NUL: %+v, %v", s, ok)
	}
	for _, bad := range []string{"", "100644", "100644 0,0", "100644 0:0 1:2", "abc 0,0 1:2", "170644 0,0 1:2", "100644 0,0 1:x"} {
		if s, ok := ParseFakeStat([]byte(bad)); ok {
			t.Errorf("ParseFakeStat(%q) = %+v, want refused", bad, s)
		}
	}
}

// TestFakedXattrs maps the names --fake-super stores back to the ones
// they stand for, drops rsync's own, and sorts; StoredXattrName is the
// way back.
func TestFakedXattrs(t *testing.T) {
	in := []platform.Xattr{{Name: "user.a", Value: []byte("1")}, {Name: "user.rsync.%stat", Value: []byte("x")},
		{Name: "user.rsync.trusted.t", Value: []byte("2")}, {Name: "user.rsync.%aacl", Value: []byte("y")},
		{Name: "user.rsync.security.s", Value: []byte("3")}}
	want := []platform.Xattr{{Name: "security.s", Value: []byte("3")}, {Name: "trusted.t", Value: []byte("2")},
		{Name: "user.a", Value: []byte("1")}}
	if got := FakedXattrs(in); !reflect.DeepEqual(got, want) {
		t.Errorf("FakedXattrs = %+v, want %+v", got, want)
	}
	for name, stored := range map[string]string{"user.a": "user.a", "trusted.t": "user.rsync.trusted.t", "security.s": "user.rsync.security.s"} {
		if got := StoredXattrName(name); got != stored {
			t.Errorf("StoredXattrName(%q) = %q, want %q", name, got, stored)
		}
	}
}
