package planner

import (
	"strconv"
	"strings"
	"testing"
)

// The expected strings were checked against `rsync -ai` (rsync 3.5):
// new entries, a symlink retarget, -I on an identical file, a time-only
// fix under --size-only, a quick-check transfer without -t, deletes.
func TestItemize(t *testing.T) {
	times := Policy{Times: true}
	tests := []struct {
		name   string
		op     Op
		kind   Kind
		change Change
		pol    Policy
		want   string
	}{
		{name: "new file", op: OpCopy, kind: KindFile, change: ChangeNew, pol: times, want: ">f+++++++++"},
		{name: "new file hides other flags", op: OpCopy, kind: KindFile, change: ChangeNew | ChangeSize | ChangePerms, pol: times, want: ">f+++++++++"},
		{name: "new directory", op: OpMkdir, kind: KindDir, change: ChangeNew, pol: times, want: "cd+++++++++"},
		{name: "new symlink", op: OpSymlink, kind: KindSymlink, change: ChangeNew, pol: times, want: "cL+++++++++"},
		{name: "new fifo", op: OpSpecial, kind: KindFIFO, change: ChangeNew, pol: times, want: "cS+++++++++"},
		{name: "new socket", op: OpSpecial, kind: KindSocket, change: ChangeNew, pol: times, want: "cS+++++++++"},
		{name: "new char device", op: OpSpecial, kind: KindChar, change: ChangeNew, pol: times, want: "cD+++++++++"},
		{name: "new block device", op: OpSpecial, kind: KindBlock, change: ChangeNew, pol: times, want: "cD+++++++++"},
		{name: "delete file", op: OpDelete, kind: KindFile, pol: times, want: "*deleting  "},
		{name: "delete directory", op: OpDelete, kind: KindDir, change: ChangeNew, pol: times, want: "*deleting  "},
		{name: "size and time", op: OpCopy, kind: KindFile, change: ChangeSize | ChangeTime, pol: times, want: ">f.st......"},
		{name: "time without -t", op: OpCopy, kind: KindFile, change: ChangeTime, want: ">f..T......"},
		{name: "size and time without -t", op: OpCopy, kind: KindFile, change: ChangeSize | ChangeTime, want: ">f.sT......"},
		{name: "transfer with nothing different (-I)", op: OpCopy, kind: KindFile, pol: times, want: ">f........."},
		{name: "checksum differs", op: OpCopy, kind: KindFile, change: ChangeContent, pol: times, want: ">fc........"},
		{name: "file time only", op: OpMeta, kind: KindFile, change: ChangeTime, pol: times, want: ".f..t......"},
		{name: "file perms only", op: OpMeta, kind: KindFile, change: ChangePerms, pol: times, want: ".f...p....."},
		{name: "file owner and group", op: OpMeta, kind: KindFile, change: ChangeOwner | ChangeGroup, pol: times, want: ".f....og..."},
		{name: "acl and xattr", op: OpMeta, kind: KindFile, change: ChangeACL | ChangeXattr, pol: times, want: ".f.......ax"},
		{name: "directory time", op: OpDir, kind: KindDir, change: ChangeTime, pol: times, want: ".d..t......"},
		{name: "directory unchanged", op: OpDir, kind: KindDir, pol: times, want: ".d         "},
		{name: "hard link, nothing else", op: OpLink, kind: KindFile, pol: times, want: "hf         "},
		{name: "hard link over an older file", op: OpLink, kind: KindFile, change: ChangeSize | ChangeTime, pol: times, want: "hf.st......"},
		{name: "symlink retarget", op: OpSymlink, kind: KindSymlink, change: ChangeContent, pol: times, want: "cLc........"},
		{name: "symlink retarget and time", op: OpSymlink, kind: KindSymlink, change: ChangeContent | ChangeTime, pol: times, want: "cLc.t......"},
		{name: "symlink time", op: OpMeta, kind: KindSymlink, change: ChangeTime, pol: times, want: ".L..t......"},
		{name: "device number", op: OpSpecial, kind: KindChar, change: ChangeContent, pol: times, want: "cDc........"},
		{name: "fifo perms", op: OpMeta, kind: KindFIFO, change: ChangePerms, pol: times, want: ".S...p....."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Itemize(tc.op, tc.kind, tc.change, tc.pol); got != tc.want {
				t.Errorf("Itemize = %q, want %q", got, tc.want)
			}
		})
	}
}

// Every combination yields exactly 11 characters from rsync's alphabet.
func TestItemizeShape(t *testing.T) {
	ops := []Op{OpCopy, OpSymlink, OpSpecial, OpMeta, OpMkdir, OpDir, OpDelete}
	kinds := []Kind{KindFile, KindDir, KindSymlink, KindFIFO, KindSocket, KindChar, KindBlock}
	all := ChangeNew | ChangeContent | ChangeSize | ChangeTime | ChangePerms | ChangeOwner | ChangeGroup | ChangeACL | ChangeXattr
	for _, op := range ops {
		for _, k := range kinds {
			for c := Change(0); c <= all; c++ {
				for _, times := range []bool{false, true} {
					s := Itemize(op, k, c, Policy{Times: times})
					if op == OpDelete {
						if s != "*deleting  " {
							t.Fatalf("Itemize(delete, %v, %b) = %q", k, c, s)
						}
						continue
					}
					if len(s) != 11 || strings.Trim(s[2:], ".+cstTpoguax ") != "" || !strings.ContainsRune("<>ch.*", rune(s[0])) {
						t.Fatalf("Itemize(%d, %v, %b, times=%v) = %q", op, k, c, times, s)
					}
				}
			}
		}
	}
}

func TestKind(t *testing.T) {
	tests := []struct {
		k                 Kind
		letter            byte
		name              string
		special, isDevice bool
	}{
		{KindFile, 'f', "file", false, false},
		{KindDir, 'd', "directory", false, false},
		{KindSymlink, 'L', "symlink", false, false},
		{KindFIFO, 'S', "fifo", true, false},
		{KindSocket, 'S', "socket", true, false},
		{KindChar, 'D', "character device", false, true},
		{KindBlock, 'D', "block device", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.k.Letter(); got != tc.letter {
				t.Errorf("Letter = %c, want %c", got, tc.letter)
			}
			if got := tc.k.String(); got != tc.name {
				t.Errorf("String = %q", got)
			}
			if tc.k.IsSpecial() != tc.special || tc.k.IsDevice() != tc.isDevice {
				t.Errorf("IsSpecial, IsDevice = %v, %v", tc.k.IsSpecial(), tc.k.IsDevice())
			}
		})
	}
}

func TestTempName(t *testing.T) {
	tests := []struct {
		random uint64
		want   string
	}{
		{0, ".treesync.00000000"},
		{1, ".treesync.00000001"},
		{0xdeadbeef, ".treesync.deadbeef"},
		{^uint64(0), ".treesync.ffffffff"},
		{0x1234567800000042, ".treesync.00000042"},
	}
	for _, tc := range tests {
		got := TempName(tc.random)
		if got != tc.want {
			t.Errorf("TempName(%#x) = %q, want %q", tc.random, got, tc.want)
		}
		if !IsTempName(got) {
			t.Errorf("IsTempName(%q) = false", got)
		}
	}
}

// Temporaries in the form of older builds are still recognised.
func TestIsTempNameLegacy(t *testing.T) {
	for _, name := range []string{".treesync.0123456789abcdef.tmp", ".treesync.ffffffffffffffff.tmp"} {
		if !IsTempName(name) {
			t.Errorf("IsTempName(%q) = false", name)
		}
	}
}

func TestIsTempNameRejects(t *testing.T) {
	for _, name := range []string{
		"",
		".treesync.tmp",
		".treesync.",
		".treesync.0123456",
		".treesync.012345678",
		".treesync.0123ABCD",
		".treesync.0123456g",
		".treesync.01234567.tmp",
		"x.treesync.01234567",
		".treesync.0123456789abcdef.tmp~",
		"x.treesync.0123456789abcdef.tmp",
		".treesync.0123456789abcde.tmp",
		".treesync.0123456789abcdef0.tmp",
		".treesync.0123456789ABCDEF.tmp",
		".treesync.0123456789abcdeg.tmp",
		".treesync.0123456789abcde/.tmp",
		".treesync.0123456789abcdef.TMP",
		".treesync-0123456789abcdef.tmp",
		".treesync.0123456789abcdef_tmp",
		"_treesync.0123456789abcdef.tmp",
		".treesync.0123456789abcd\xff\xff.tmp",
		"f.txt",
	} {
		if IsTempName(name) {
			t.Errorf("IsTempName(%q) = true", name)
		}
	}
}

// FuzzTempName checks the round trip TempName -> IsTempName -> the same
// low 32 bits, and that IsTempName accepts exactly the names TempName
// makes, and those of the older 16-digit ".tmp" form.
func FuzzTempName(f *testing.F) {
	f.Add(uint64(0), "")
	f.Add(uint64(1), ".treesync.0000000000000001.tmp")
	f.Add(^uint64(0), ".treesync.FFFFFFFF")
	f.Add(uint64(0x1234), ".treesync.+1234567")
	f.Add(uint64(42), ".treesync.0123abcd")
	f.Fuzz(func(t *testing.T, random uint64, name string) {
		n := TempName(random)
		if !IsTempName(n) {
			t.Fatalf("IsTempName(TempName(%#x) = %q) = false", random, n)
		}
		if len(n) != len(tempPrefix)+tempDigits {
			t.Fatalf("TempName(%#x) = %q: length %d", random, n, len(n))
		}
		back, err := strconv.ParseUint(n[len(tempPrefix):], 16, 64)
		if err != nil || back != random&0xffffffff {
			t.Fatalf("TempName(%#x) = %q encodes %#x (%v)", random, n, back, err)
		}
		if !IsTempName(name) {
			return
		}
		// Accepted: it must be what TempName makes of its digits, or the
		// legacy form of 16 lowercase digits and ".tmp".
		hex, ok := strings.CutPrefix(name, tempPrefix)
		if !ok {
			t.Fatalf("IsTempName(%q) = true without the prefix", name)
		}
		if legacy, isLegacy := strings.CutSuffix(hex, legacySuffix); isLegacy && len(legacy) == legacyDigits {
			if _, err := strconv.ParseUint(legacy, 16, 64); err != nil || strings.ToLower(legacy) != legacy {
				t.Fatalf("IsTempName(%q) = true for digits %q", name, legacy)
			}
			return
		}
		v, err := strconv.ParseUint(hex, 16, 64)
		if err != nil || TempName(v) != name {
			t.Fatalf("IsTempName(%q) = true, but TempName makes %q (%v)", name, TempName(v), err)
		}
	})
}
