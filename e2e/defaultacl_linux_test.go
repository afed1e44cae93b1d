//go:build linux

package e2e

import (
	"strings"
	"testing"

	"github.com/treesync/treesync/e2e/tree"
)

// TestDefaultACLDestinationVsRsync syncs into destination directories
// with default ACLs, which the kernel applies to what is made in them
// instead of the umask: under -p every entry must still end up with its
// source's mode, without -p new entries get the source's permissions
// limited by the ACL's, as rsync gives them; and both tools must leave
// the same inherited ACLs. (treesync skipped the chmod of a new file
// whose mode the umask would have left as created: such files lost the
// bits the default ACL took, 0644 arriving as 0640.)
func TestDefaultACLDestinationVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	deflt := func(group, mask, other uint16) map[string]string {
		return map[string]string{tree.XattrACLDefault: tree.ACL(
			tree.ACLEntry{Tag: tree.ACLUserObj, Perm: 7}, tree.ACLEntry{Tag: tree.ACLUser, Perm: 7, ID: 1},
			tree.ACLEntry{Tag: tree.ACLGroupObj, Perm: group}, tree.ACLEntry{Tag: tree.ACLMask, Perm: mask},
			tree.ACLEntry{Tag: tree.ACLOther, Perm: other})}
	}
	source := []tree.Node{
		{Path: "f644", Data: []byte("a"), Mode: 0o644, Mtime: at},
		{Path: "f755", Data: []byte("bb"), Mode: 0o755, Mtime: at},
		{Path: "suid", Data: []byte("ccc"), Mode: 0o4755, Mtime: at},
		{Path: "fifo", Kind: tree.Fifo, Mode: 0o644, Mtime: at},
		{Path: "link", Kind: tree.Symlink, Target: "f644", Mtime: at},
		{Path: "sub", Kind: tree.Dir, Mode: 0o755, Mtime: at},
		{Path: "sub/g", Data: []byte("dddd"), Mode: 0o664, Mtime: at},
		{Path: "sub/deeper", Kind: tree.Dir, Mode: 0o775, Mtime: at},
		{Path: "sub/deeper/h", Data: []byte("eeeee"), Mode: 0o666, Mtime: at},
		{Path: "old", Kind: tree.Dir, Mode: 0o755, Mtime: at},
		{Path: "old/new", Data: []byte("ffffff"), Mode: 0o644, Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	stale := []tree.Node{
		{Path: "old", Kind: tree.Dir, Mode: 0o755, Mtime: at, Xattrs: deflt(5, 5, 4)},
		{Path: ".", Kind: tree.Dir, Mtime: at, Xattrs: deflt(5, 7, 0)},
	}
	for _, opts := range [][]string{{"-a"}, {"-a", "--no-p"}, {"-rlt"}, {"-rltD"}, {"-a", "--no-p", "--chmod=F600"},
		{"-aA"}, {"-a", "--inplace"}, {"-a", "--delay-updates"}, {"-a", "-S"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareTreesWithRsync(t, opts, source, stale) })
	}
}

// TestRootXattrsACLsVsRsync changes the extended attributes and ACLs of
// the destination root (SRC/ onto DST/): itemized with x and a as rsync
// does, and made the source's. (The root's were compared without its
// attributes: set, but never itemized.)
func TestRootXattrsACLsVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	acl := map[string]string{tree.XattrACLAccess: tree.SimpleACL(0o755, 1, 5)}
	source := []tree.Node{
		{Path: "f", Data: []byte("a"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at, Xattrs: map[string]string{"user.a": "1"}},
	}
	stale := []tree.Node{
		{Path: "f", Data: []byte("a"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at, Xattrs: map[string]string{"user.a": "2", "user.b": "3"}},
	}
	aclStale := []tree.Node{stale[0], {Path: ".", Kind: tree.Dir, Mtime: at, Xattrs: acl}}
	for _, opts := range [][]string{{"-aX"}, {"-aX", "-n"}, {"-aX", "-ii"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareTreesWithRsync(t, opts, source, stale) })
	}
	for _, opts := range [][]string{{"-aA"}, {"-aA", "-n"}, {"-aAX"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareTreesWithRsync(t, opts, source, aclStale) })
	}
}
