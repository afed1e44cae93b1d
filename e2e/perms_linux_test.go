//go:build linux

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

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

// TestACLChangesVsRsync itemizes and fixes ACL changes as rsync does: -A
// compares what an access ACL holds beyond the permission bits (named
// entries, and the owning group's where a mask stands for it in the
// mode), so a mask that differs is a permission change (p) alone; and an
// up-to-date entry whose ACL is set gets the source's permission bits
// from it, which rsync then does not report as p (a dry run, and a file
// it transfers, do). (treesync listed .f...p...a. for all of these.)
func TestACLChangesVsRsync(t *testing.T) {
	at, later := tree.At(100, 0), tree.At(200, 0)
	acl := func(user, named, group, mask, other uint16) map[string]string {
		return map[string]string{tree.XattrACLAccess: tree.ACL(
			tree.ACLEntry{Tag: tree.ACLUserObj, Perm: user}, tree.ACLEntry{Tag: tree.ACLUser, Perm: named, ID: 1},
			tree.ACLEntry{Tag: tree.ACLGroupObj, Perm: group}, tree.ACLEntry{Tag: tree.ACLMask, Perm: mask},
			tree.ACLEntry{Tag: tree.ACLOther, Perm: other})}
	}
	file := func(p string, mtime time.Time, mode uint32, x map[string]string) tree.Node {
		return tree.Node{Path: p, Data: []byte(p), Mode: mode, Mtime: mtime, Xattrs: x}
	}
	src := acl(6, 4, 4, 4, 4)
	source := []tree.Node{
		file("mask", at, 0o644, src), file("group", at, 0o644, src), file("mode", at, 0o644, src),
		file("plain", at, 0o644, nil), file("suid", at, 0o4755, acl(7, 4, 5, 5, 5)),
		file("later", at, 0o644, src), file("new", at, 0o644, src),
		{Path: "fifo", Kind: tree.Fifo, Mode: 0o644, Mtime: at, Xattrs: src},
		{Path: "dir", Kind: tree.Dir, Mode: 0o755, Mtime: at, Xattrs: acl(7, 5, 5, 5, 5)},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	stale := []tree.Node{
		file("mask", at, 0o664, acl(6, 4, 4, 6, 4)), file("group", at, 0o664, acl(6, 4, 6, 6, 4)),
		file("mode", at, 0o600, acl(6, 4, 4, 0, 0)), file("plain", at, 0o664, acl(6, 6, 4, 6, 4)),
		file("suid", at, 0o755, acl(7, 4, 7, 7, 5)), file("later", later, 0o664, acl(6, 4, 6, 6, 4)),
		{Path: "fifo", Kind: tree.Fifo, Mode: 0o664, Mtime: at, Xattrs: acl(6, 4, 6, 6, 4)},
		{Path: "dir", Kind: tree.Dir, Mode: 0o775, Mtime: at, Xattrs: acl(7, 5, 7, 7, 5)},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	for _, opts := range [][]string{{"-aA"}, {"-aA", "-n"}, {"-aA", "-ii"}, {"-aA", "-c"}, {"-aA", "--size-only"},
		{"-aA", "-I"}, {"-aAX", "--inplace"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareTreesWithRsync(t, opts, source, stale) })
	}
}

// TestStickyDirACL copies a sticky directory's ACL as it is: rsync 3.5
// loses the owning group's entry there (group::--- where the source has
// rwx; README), which is why the random comparison gives sticky
// directories no ACL.
func TestStickyDirACL(t *testing.T) {
	dir := t.TempDir()
	src, dst := dir+"/src", dir+"/dst"
	x := map[string]string{tree.XattrACLAccess: tree.SimpleACL(0o777, 1, 7)}
	build(t, src, []tree.Node{
		{Path: "tmp", Kind: tree.Dir, Mode: 0o1777, Mtime: tree.At(100, 0), Xattrs: x},
		{Path: ".", Kind: tree.Dir, Mtime: tree.At(100, 0)},
	})
	mustRun(t, treesync, "-aA", src+"/", dst+"/")
	noDiff(t, "source vs treesync", src, dst, tree.Options{})
}

// TestACLIdMapsVsRsync maps the named users and groups of ACLs as rsync
// does: --chown, --usermap and --groupmap reach them as they reach
// owners, in what is compared and in what is set. (treesync copied the
// ids as they were, and found a destination already mapped different.)
func TestACLIdMapsVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	named := func(uid, gid uint32) map[string]string {
		return map[string]string{tree.XattrACLAccess: tree.ACL(
			tree.ACLEntry{Tag: tree.ACLUserObj, Perm: 6}, tree.ACLEntry{Tag: tree.ACLUser, Perm: 7, ID: uid},
			tree.ACLEntry{Tag: tree.ACLGroupObj, Perm: 4}, tree.ACLEntry{Tag: tree.ACLGroup, Perm: 4, ID: gid},
			tree.ACLEntry{Tag: tree.ACLMask, Perm: 7}, tree.ACLEntry{Tag: tree.ACLOther, Perm: 4})}
	}
	deflt := map[string]string{tree.XattrACLDefault: named(65534, 3)[tree.XattrACLAccess]}
	source := []tree.Node{
		{Path: "new", Data: []byte("a"), Mtime: at, Xattrs: named(65534, 3)},
		{Path: "mapped", Data: []byte("b"), Mtime: at, Xattrs: named(65534, 3)},
		{Path: "unmapped", Data: []byte("c"), Mtime: at, Xattrs: named(65534, 3)},
		{Path: "dir", Kind: tree.Dir, Mtime: at, Xattrs: deflt},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	for _, c := range []struct {
		opt      string
		uid, gid uint32
	}{{"--usermap=*:1", 1, 3}, {"--usermap=65534:2", 2, 3}, {"--groupmap=*:5", 65534, 5}, {"--chown=7:8", 7, 8}} {
		stale := []tree.Node{
			{Path: "mapped", Data: []byte("b"), Mtime: at, Xattrs: named(c.uid, c.gid)},
			{Path: "unmapped", Data: []byte("c"), Mtime: at, Xattrs: named(65534, 3)},
			{Path: ".", Kind: tree.Dir, Mtime: at},
		}
		for _, opts := range [][]string{{"-aA", c.opt}, {"-aA", "-n", c.opt}} {
			t.Run(strings.Join(opts, " "), func(t *testing.T) { compareTreesWithRsync(t, opts, source, stale) })
		}
	}
}

// TestBackupDirACLsVsRsync makes the directories of --backup-dir with the
// ACLs of the destination directories they stand for, as rsync does:
// those the run gives them (the source's), else those they have, and
// none they inherit. (They were made with none.)
func TestBackupDirACLsVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	acls := func(uid uint32) map[string]string {
		return map[string]string{tree.XattrACLAccess: tree.SimpleACL(0o755, uid, 5), tree.XattrACLDefault: tree.SimpleACL(0o750, uid, 4)}
	}
	source := []tree.Node{
		{Path: "d", Kind: tree.Dir, Mode: 0o755, Mtime: at, Xattrs: acls(1)},
		{Path: "d/f", Data: []byte("new"), Mtime: at},
		{Path: "e", Kind: tree.Dir, Mode: 0o755, Mtime: at},
		{Path: "e/sub", Kind: tree.Dir, Mode: 0o755, Mtime: at, Xattrs: acls(3)},
		{Path: "e/sub/g", Data: []byte("new"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	stale := []tree.Node{
		{Path: "d", Kind: tree.Dir, Mode: 0o755, Mtime: at, Xattrs: acls(2)},
		{Path: "d/f", Data: []byte("old"), Mtime: tree.At(50, 0)},
		{Path: "d/gone", Kind: tree.Dir, Mode: 0o755, Mtime: at}, // (deleted: its backup's directory inherits none of d's default ACL)
		{Path: "d/gone/x", Data: []byte("x"), Mtime: at},
		{Path: "e", Kind: tree.Dir, Mode: 0o755, Mtime: at, Xattrs: acls(2)},
		{Path: "e/sub", Kind: tree.Dir, Mode: 0o755, Mtime: at},
		{Path: "e/sub/g", Data: []byte("old"), Mtime: tree.At(50, 0)},
		{Path: "e/gone", Data: []byte("old"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	for _, opts := range [][]string{{"-aA", "--backup-dir=bk"}, {"-aAX", "--backup-dir=bk", "--delete"}, {"-aA", "--backup-dir=bk", "--delete-before"},
		{"-aA", "--backup-dir=bk", "--delete-after", "--ignore-existing"},
		{"-aA", "--backup-dir=bk", "--usermap=2:4"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareTreesWithRsync(t, opts, source, stale) })
	}
}

// TestInPlaceBackupXattrsVsRsync: the backup copy of a file --inplace
// rewrites keeps its extended attributes under -X, and not its ACLs, as
// rsync's (seed 110245: the copy had none).
func TestInPlaceBackupXattrsVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "f", Data: []byte("new"), Mtime: at, Xattrs: map[string]string{"user.b": "1"}},
		{Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: "f", Data: []byte("old"), Mtime: tree.At(50, 0),
		Xattrs: map[string]string{"user.a": "0", tree.XattrACLAccess: tree.SimpleACL(0o644, 1, 4)}},
		{Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, opts := range [][]string{{"-aX", "--inplace", "--backup-dir=bk"}, {"-aAX", "--inplace", "-b"},
		{"-aA", "--inplace", "--backup-dir=bk"}, {"-a", "--inplace", "-b"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareTreesWithRsync(t, opts, source, stale) })
	}
}

// TestAppendVerifyRedoInPlaceVsRsync: a file --append-verify finds
// differing in the part already there is written again whole in place,
// as rsync's (--append implies --inplace): its other names (not kept by
// -H) see the new data, and its -b backup is a copy, without the ACLs,
// as rsync's. treesync replaced it by a new file and linked the old one
// as its backup, ACLs and all (seed 118227).
func TestAppendVerifyRedoInPlaceVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{{Path: "f", Data: []byte("new data, longer"), Mtime: at}, {Path: "g", Data: []byte("new data, longer"), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at}}
	stale := []tree.Node{{Path: "f", Data: []byte("old"), Mtime: tree.At(50, 0), Xattrs: map[string]string{tree.XattrACLAccess: tree.SimpleACL(0o644, 1, 4)}},
		{Path: "h", Kind: tree.Hardlink, Target: "f"}, {Path: ".", Kind: tree.Dir, Mtime: at}}
	for _, opts := range [][]string{{"-aA", "--append-verify", "--backup-dir=bk"}, {"-a", "--append-verify", "-b"}, {"-rlt", "--append-verify"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareTreesWithRsync(t, opts, source, stale) })
	}
}

// TestUmaskVsRsync runs both tools under other umasks: new entries
// whose permissions are not preserved, and the directories a run makes
// of its own (--backup-dir, --partial-dir), get what the umask leaves,
// as rsync gives them. (--backup-dir was made 0755 whatever the umask.)
func TestUmaskVsRsync(t *testing.T) {
	source, stale := compatSource(), compatStale()
	for _, mask := range []uint32{0o002, 0o077} {
		for _, opts := range [][]string{{"-rlt"}, {"-a"}, {"-rlt", "--backup-dir=bk"}, {"-a", "--backup-dir=deeper/bk"},
			{"-rlt", "-b", "--delete"}, {"-rltD", "--no-implied-dirs"}, {"-rlt", "--chmod=g+w"}} {
			t.Run(fmt.Sprintf("%03o %s", mask, strings.Join(opts, " ")), func(t *testing.T) {
				compareRuns(t, umasked{rootRuns{}, mask}, opts, source, stale, nil)
			})
		}
	}
}

// TestACLsWithoutPerms: -A turns -p on where it stands, as rsync's, so
// --no-p before it keeps the permissions (compared with rsync); after it
// (ACLs without the permissions, which rsync sets by rules of its own
// that differ between files it transfers, files it leaves and a new
// directory's contents) treesync refuses the run, exit 1, changing
// nothing. (-A implied -p whatever came after it: --no-p was ignored.)
func TestACLsWithoutPerms(t *testing.T) {
	at := tree.At(100, 0)
	x := map[string]string{tree.XattrACLAccess: tree.SimpleACL(0o754, 1, 5)}
	source := []tree.Node{
		{Path: "f", Data: []byte("a"), Mode: 0o754, Mtime: at, Xattrs: x},
		{Path: "g", Data: []byte("b"), Mode: 0o4755, Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	stale := []tree.Node{
		{Path: "f", Data: []byte("a"), Mode: 0o600, Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	for _, opts := range [][]string{{"-a", "--no-p", "-A"}, {"--no-perms", "-rtA"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) { compareTreesWithRsync(t, opts, source, stale) })
	}
	for _, opts := range [][]string{{"-aA", "--no-p"}, {"-rt", "--acls", "--no-perms"}, {"-A", "-a", "--no-p"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) {
			dir := t.TempDir()
			build(t, dir+"/src", source)
			build(t, dir+"/dst", stale)
			r := treesync(t, append(opts, dir+"/src/", dir+"/dst/")...)
			if r.code != 1 || !strings.Contains(r.stderr, "--no-perms after -A/--acls is not supported") {
				t.Fatalf("want exit 1 and the refusal, got\n%s", r)
			}
			build(t, dir+"/want", stale)
			noDiff(t, "destination before and after", dir+"/want", dir+"/dst", tree.Options{})
		})
	}
}
