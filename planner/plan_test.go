package planner

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
)

// Fixture times, in nanoseconds since the epoch.
const (
	t0  int64 = 1_600_000_000_000_000_000
	sec int64 = 1_000_000_000
)

func file(name string, size, mtime int64) Entry {
	return Entry{Name: name, Kind: KindFile, Mode: 0o644, Size: size, Mtime: mtime, UID: 1000, GID: 1000}
}

func dir(name string) Entry {
	return Entry{Name: name, Kind: KindDir, Mode: 0o755, Size: 4096, Mtime: t0, UID: 1000, GID: 1000}
}

func link(name, target string) Entry {
	e := Entry{Name: name, Kind: KindSymlink, Mode: 0o777, Size: int64(len(target)), Mtime: t0,
		UID: 1000, GID: 1000}
	e.SetTarget(target)
	return e
}

func special(name string, k Kind, rdev uint64) Entry {
	e := Entry{Name: name, Kind: k, Mode: 0o644, Mtime: t0, UID: 1000, GID: 1000}
	e.SetRdev(rdev)
	return e
}

// with returns e changed by f, for one-line fixture variations.
func with(e Entry, f func(*Entry)) Entry {
	f(&e)
	return e
}

// listing sorts its entries by name, as the walker does.
func listing(es ...Entry) *Listing {
	l := &Listing{Entries: slices.Clone(es)}
	sort.Slice(l.Entries, func(i, j int) bool { return l.Entries[i].Name < l.Entries[j].Name })
	return l
}

// archive is -a without -H -A -X: -rlptgoD.
var archive = Policy{Recursive: true, Links: true, Perms: true, Times: true, Owner: true, Group: true,
	Devices: true, Specials: true}

func (p Policy) with(f func(*Policy)) Policy {
	f(&p)
	return p
}

var opNames = map[Op]string{OpCopy: "copy", OpSymlink: "symlink", OpSpecial: "special", OpMeta: "meta",
	OpMkdir: "mkdir", OpDir: "dir", OpDelete: "delete"}

// render turns a plan into readable lines: "op itemize name", with
// " verify" appended when the executor is asked to compare contents.
func render(p DirPlan, pol Policy) []string {
	var out []string
	if p.DeletesHeld {
		out = append(out, "deletes held")
	}
	line := func(a Action) string {
		k := KindFile
		switch {
		case a.Src != nil:
			k = a.Src.Kind
		case a.Dst != nil:
			k = a.Dst.Kind
		}
		s := fmt.Sprintf("%s %s %q", opNames[a.Op], Itemize(a.Op, k, a.Change, pol), a.Name)
		if a.Verify {
			s += " verify"
		}
		return s
	}
	for _, a := range p.Deletes {
		out = append(out, line(a))
	}
	for _, a := range p.Items {
		out = append(out, line(a))
	}
	for _, a := range p.Subdirs {
		out = append(out, line(a))
	}
	for _, s := range p.Skipped {
		out = append(out, fmt.Sprintf("skip %q: %s", s.Name, s.Reason))
	}
	for _, c := range p.Cleanup {
		out = append(out, fmt.Sprintf("cleanup %q", c.Name))
	}
	return out
}

// checkEntries verifies that every action points at the listing entries
// of its name: Src into src, Dst into dst (nil when that side lacks it).
func checkEntries(t *testing.T, p DirPlan, src, dst *Listing) {
	t.Helper()
	all := slices.Concat(p.Deletes, p.Items, p.Subdirs)
	for _, a := range all {
		if a.Op == OpDelete {
			if a.Src != nil {
				t.Errorf("delete %q has Src %+v", a.Name, a.Src)
			}
		} else if want := src.Find(a.Name); a.Src != want {
			t.Errorf("%s %q: Src = %p, want the source entry %p", opNames[a.Op], a.Name, a.Src, want)
		}
		if want := dst.Find(a.Name); a.Dst != want {
			t.Errorf("%s %q: Dst = %p, want the destination entry %p", opNames[a.Op], a.Name, a.Dst, want)
		}
	}
}

// stubFilter excludes and protects exact root-relative paths and records
// every question it is asked. As the filter package does without
// --delete-excluded, an excluded path is also protected from deletion
// (Filter.Protected alone decides whether a destination entry survives).
type stubFilter struct {
	excluded, protected map[string]bool
	deleteExcluded      bool
	asked               []string
}

func (f *stubFilter) Excluded(path string, isDir bool) bool {
	f.asked = append(f.asked, fmt.Sprintf("excluded %s dir=%v", path, isDir))
	return f.excluded[path]
}

func (f *stubFilter) Protected(path string, isDir bool) bool {
	f.asked = append(f.asked, fmt.Sprintf("protected %s dir=%v", path, isDir))
	return f.protected[path] || (f.excluded[path] && !f.deleteExcluded)
}

func TestPlanDir(t *testing.T) {
	oddNames := []string{"a", "A", "\xff", "é", "a\nb", "a-b", "a.b", "a0", "B", "Z", " sp"}
	tests := []struct {
		name     string
		dir      string
		src, dst []Entry
		srcErr   error
		dstErr   error
		pol      Policy
		want     []string
	}{
		{
			name: "empty listings plan nothing",
			pol:  archive,
		},
		{
			name: "only in source: file, dir, symlink, fifo, socket, devices",
			src: []Entry{file("f", 10, t0), dir("d"), link("l", "t"), special("p", KindFIFO, 0),
				special("s", KindSocket, 0), special("c", KindChar, 0x103), special("b", KindBlock, 0x801)},
			pol: archive,
			want: []string{
				`special cD+++++++++ "b"`, `special cD+++++++++ "c"`, `copy >f+++++++++ "f"`,
				`symlink cL+++++++++ "l"`, `special cS+++++++++ "p"`, `special cS+++++++++ "s"`,
				`mkdir cd+++++++++ "d"`,
			},
		},
		{
			name: "only in destination without --delete keeps everything",
			dst:  []Entry{file("f", 1, t0), dir("d"), link("l", "t")},
			pol:  archive,
		},
		{
			name: "only in destination with --delete removes every kind",
			src:  []Entry{file("keep", 1, t0)},
			dst:  []Entry{file("f", 1, t0), dir("d"), link("l", "t"), file("keep", 1, t0), special("p", KindFIFO, 0)},
			pol:  archive.with(func(p *Policy) { p.Delete = true }),
			want: []string{`delete *deleting   "d"`, `delete *deleting   "f"`, `delete *deleting   "l"`, `delete *deleting   "p"`},
		},
		{
			name:   "source listing error holds deletes back",
			src:    []Entry{file("keep", 1, t0)},
			dst:    []Entry{file("extra", 1, t0), file("keep", 1, t0)},
			srcErr: errors.New("stat failed"),
			pol:    archive.with(func(p *Policy) { p.Delete = true }),
			want:   []string{"deletes held"},
		},
		{
			name:   "destination listing error holds deletes back",
			dst:    []Entry{file("extra", 1, t0)},
			dstErr: errors.New("readdir failed"),
			pol:    archive.with(func(p *Policy) { p.Delete = true }),
			want:   []string{"deletes held"},
		},
		{
			name:   "listing error without --delete holds nothing",
			dst:    []Entry{file("extra", 1, t0)},
			srcErr: errors.New("x"),
			pol:    archive,
		},
		{
			name:   "listing error still plans copies",
			src:    []Entry{file("new", 1, t0)},
			srcErr: errors.New("partial"),
			pol:    archive.with(func(p *Policy) { p.Delete = true }),
			want:   []string{"deletes held", `copy >f+++++++++ "new"`},
		},
		{
			name: "file replaced by directory",
			src:  []Entry{dir("x")},
			dst:  []Entry{file("x", 3, t0)},
			pol:  archive,
			want: []string{`mkdir cd+++++++++ "x"`},
		},
		{
			name: "directory replaced by file",
			src:  []Entry{file("x", 3, t0)},
			dst:  []Entry{dir("x")},
			pol:  archive,
			want: []string{`copy >f+++++++++ "x"`},
		},
		{
			name: "file replaced by symlink",
			src:  []Entry{link("x", "target")},
			dst:  []Entry{file("x", 3, t0)},
			pol:  archive,
			want: []string{`symlink cL+++++++++ "x"`},
		},
		{
			name: "symlink replaced by file",
			src:  []Entry{file("x", 3, t0)},
			dst:  []Entry{link("x", "target")},
			pol:  archive,
			want: []string{`copy >f+++++++++ "x"`},
		},
		{
			name: "fifo replaced by socket",
			src:  []Entry{special("x", KindSocket, 0)},
			dst:  []Entry{special("x", KindFIFO, 0)},
			pol:  archive,
			want: []string{`special cS+++++++++ "x"`},
		},
		{
			name: "size change",
			src:  []Entry{file("f", 11, t0)},
			dst:  []Entry{file("f", 10, t0)},
			pol:  archive,
			want: []string{`copy >f.s....... "f"`},
		},
		{
			name: "size and mtime change",
			src:  []Entry{file("f", 11, t0)},
			dst:  []Entry{file("f", 10, t0-sec)},
			pol:  archive,
			want: []string{`copy >f.st...... "f"`},
		},
		{
			name: "mtime differs by one nanosecond",
			src:  []Entry{file("f", 10, t0+1)},
			dst:  []Entry{file("f", 10, t0)},
			pol:  archive,
			want: []string{`copy >f..t...... "f" verify`},
		},
		{
			name: "mtime change without -t is verified, shown as T",
			src:  []Entry{file("f", 10, t0)},
			dst:  []Entry{file("f", 10, t0-sec)},
			pol:  Policy{Recursive: true},
			want: []string{`copy >f..T...... "f" verify`},
		},
		{
			name: "size change without -t",
			src:  []Entry{file("f", 10, t0)},
			dst:  []Entry{file("f", 9, t0-sec)},
			pol:  Policy{Recursive: true},
			want: []string{`copy >f.sT...... "f"`},
		},
		{
			name: "same size and mtime: nothing",
			src:  []Entry{file("f", 10, t0), link("l", "t"), dir("d"), special("c", KindChar, 7)},
			dst:  []Entry{file("f", 10, t0), link("l", "t"), dir("d"), special("c", KindChar, 7)},
			pol:  archive,
			want: []string{`dir .d          "d"`},
		},
		{
			name: "modify window absorbs small differences",
			src:  []Entry{file("in", 10, t0), file("edge", 10, t0), file("out", 10, t0)},
			dst:  []Entry{file("in", 10, t0+sec/2), file("edge", 10, t0-sec), file("out", 10, t0+sec+1)},
			pol:  archive.with(func(p *Policy) { p.ModifyWindow = sec }),
			want: []string{`copy >f..t...... "out" verify`},
		},
		{
			name: "size-only with different mtime fixes the time only",
			src:  []Entry{file("same", 10, t0), file("grown", 11, t0)},
			dst:  []Entry{file("same", 10, t0-sec), file("grown", 10, t0-sec)},
			pol:  archive.with(func(p *Policy) { p.SizeOnly = true }),
			want: []string{`copy >f.st...... "grown"`, `meta .f..t...... "same"`},
		},
		{
			name: "size-only without -t ignores mtime",
			src:  []Entry{file("same", 10, t0)},
			dst:  []Entry{file("same", 10, t0-sec)},
			pol:  Policy{SizeOnly: true},
		},
		{
			name: "ignore-times transfers identical files",
			src:  []Entry{file("f", 10, t0)},
			dst:  []Entry{file("f", 10, t0)},
			pol:  archive.with(func(p *Policy) { p.IgnoreTimes = true }),
			want: []string{`copy >f......... "f"`},
		},
		{
			name: "checksum verifies same-size files, copies different sizes outright",
			src:  []Entry{file("same", 10, t0), file("older", 10, t0), file("size", 12, t0)},
			dst:  []Entry{file("same", 10, t0), file("older", 10, t0-sec), file("size", 10, t0)},
			pol:  archive.with(func(p *Policy) { p.Checksum = true }),
			want: []string{`copy >f..t...... "older" verify`, `copy >f......... "same" verify`, `copy >fcs....... "size"`},
		},
		{
			name: "update skips files newer at the destination",
			src:  []Entry{file("dstnewer", 10, t0), file("dstolder", 10, t0), file("dstnewersize", 5, t0)},
			dst:  []Entry{file("dstnewer", 10, t0+1), file("dstolder", 10, t0-1), file("dstnewersize", 6, t0+sec)},
			pol:  archive.with(func(p *Policy) { p.Update = true }),
			want: []string{`copy >f..t...... "dstolder" verify`},
		},
		{
			name: "update within the modify window is not newer",
			src:  []Entry{file("f", 11, t0)},
			dst:  []Entry{file("f", 10, t0+sec/2)},
			pol:  archive.with(func(p *Policy) { p.Update = true; p.ModifyWindow = sec }),
			want: []string{`copy >f.s....... "f"`},
		},
		{
			name: "update still replaces another type",
			src:  []Entry{file("f", 10, t0)},
			dst:  []Entry{with(link("f", "x"), func(e *Entry) { e.Mtime = t0 + sec })},
			pol:  archive.with(func(p *Policy) { p.Update = true }),
			want: []string{`copy >f+++++++++ "f"`},
		},
		{
			name: "ignore-existing copies only missing files",
			src:  []Entry{file("changed", 11, t0), file("new", 1, t0)},
			dst:  []Entry{file("changed", 10, t0-sec)},
			pol:  archive.with(func(p *Policy) { p.IgnoreExisting = true }),
			want: []string{`copy >f+++++++++ "new"`},
		},
		{
			name: "ignore-existing still descends into existing directories",
			src:  []Entry{dir("d")},
			dst:  []Entry{dir("d")},
			pol:  archive.with(func(p *Policy) { p.IgnoreExisting = true }),
			want: []string{`dir .d          "d"`},
		},
		{
			name: "existing creates nothing new, walks a new directory",
			src:  []Entry{file("changed", 11, t0), file("new", 1, t0), dir("newdir"), dir("olddir"), link("newlink", "t")},
			dst:  []Entry{file("changed", 10, t0), dir("olddir")},
			pol:  archive.with(func(p *Policy) { p.Existing = true }),
			want: []string{`copy >f.s....... "changed"`, `dir .d          "newdir"`, `dir .d          "olddir"`},
		},
		{
			name: "existing replaces an entry of another type",
			src:  []Entry{file("x", 1, t0)},
			dst:  []Entry{link("x", "t")},
			pol:  archive.with(func(p *Policy) { p.Existing = true }),
			want: []string{`copy >f+++++++++ "x"`},
		},
		{
			name: "max-size and min-size bound regular files only",
			src: []Entry{file("big", 101, t0), file("max", 100, t0), file("min", 10, t0), file("small", 9, t0),
				link("l", strings.Repeat("x", 200))},
			dst:  []Entry{file("big", 1, t0)},
			pol:  archive.with(func(p *Policy) { p.MaxSize = 100; p.MinSize = 10 }),
			want: []string{`symlink cL+++++++++ "l"`, `copy >f+++++++++ "max"`, `copy >f+++++++++ "min"`},
		},
		{
			name: "symlink retarget",
			src:  []Entry{link("l", "new")},
			dst:  []Entry{link("l", "old")},
			pol:  archive,
			want: []string{`symlink cLc........ "l"`},
		},
		{
			name: "symlink retarget with a different mtime",
			src:  []Entry{link("l", "new")},
			dst:  []Entry{with(link("l", "old"), func(e *Entry) { e.Mtime = t0 - sec })},
			pol:  archive,
			want: []string{`symlink cLc.t...... "l"`},
		},
		{
			name: "symlink permissions are never compared",
			src:  []Entry{link("l", "t")},
			dst:  []Entry{with(link("l", "t"), func(e *Entry) { e.Mode = 0o755 })},
			pol:  archive,
		},
		{
			name: "device number change recreates the node",
			src:  []Entry{special("c", KindChar, 0x105), special("b", KindBlock, 0x801)},
			dst:  []Entry{special("c", KindChar, 0x103), special("b", KindBlock, 0x801)},
			pol:  archive,
			want: []string{`special cDc........ "c"`},
		},
		{
			name: "character device replaced by block device",
			src:  []Entry{special("x", KindBlock, 0x103)},
			dst:  []Entry{special("x", KindChar, 0x103)},
			pol:  archive,
			want: []string{`special cD+++++++++ "x"`},
		},
		{
			name: "metadata-only changes",
			src: []Entry{
				file("perm", 1, t0), file("owner", 1, t0), file("group", 1, t0), file("time", 1, t0),
				file("all", 1, t0), dir("dtime"), dir("dperm"),
				special("fifo", KindFIFO, 0), link("ltime", "t"),
			},
			dst: []Entry{
				with(file("perm", 1, t0), func(e *Entry) { e.Mode = 0o600 }),
				with(file("owner", 1, t0), func(e *Entry) { e.UID = 0 }),
				with(file("group", 1, t0), func(e *Entry) { e.GID = 0 }),
				// Times on, same size, older: the quick check transfers it.
				file("time", 1, t0-sec),
				with(file("all", 1, t0), func(e *Entry) { e.Mode = 0o600; e.UID = 0; e.GID = 0 }),
				with(dir("dtime"), func(e *Entry) { e.Mtime = t0 - sec }),
				with(dir("dperm"), func(e *Entry) { e.Mode = 0o700; e.UID = 5 }),
				with(special("fifo", KindFIFO, 0), func(e *Entry) { e.Mode = 0o600; e.Mtime = 1 }),
				with(link("ltime", "t"), func(e *Entry) { e.Mtime = 1; e.UID = 0 }),
			},
			pol: archive,
			want: []string{
				`meta .f...pog... "all"`, `meta .S..tp..... "fifo"`, `meta .f.....g... "group"`,
				`meta .L..t.o.... "ltime"`, `meta .f....o.... "owner"`, `meta .f...p..... "perm"`,
				`copy >f..t...... "time" verify`,
				`dir .d...po.... "dperm"`, `dir .d..t...... "dtime"`,
			},
		},
		{
			name: "metadata not preserved is not compared",
			src:  []Entry{file("f", 1, t0), dir("d")},
			dst: []Entry{
				with(file("f", 1, t0), func(e *Entry) { e.Mode = 0o600; e.UID = 0; e.GID = 0 }),
				with(dir("d"), func(e *Entry) { e.Mode = 0o700; e.Mtime = 0 }),
			},
			pol:  Policy{Recursive: true},
			want: []string{`dir .d          "d"`},
		},
		{
			name: "non-regular files skipped without -l, --devices, --specials",
			src: []Entry{link("l", "t"), special("c", KindChar, 1), special("b", KindBlock, 1),
				special("p", KindFIFO, 0), special("s", KindSocket, 0), file("f", 1, t0)},
			dst: []Entry{file("l", 1, t0)},
			pol: Policy{Recursive: true, Delete: true},
			want: []string{
				`copy >f+++++++++ "f"`,
				`skip "b": skipping non-regular file`, `skip "c": skipping non-regular file`,
				`skip "l": skipping non-regular file`, `skip "p": skipping non-regular file`,
				`skip "s": skipping non-regular file`,
			},
		},
		{
			name: "devices without specials and specials without devices",
			src:  []Entry{special("c", KindChar, 1), special("p", KindFIFO, 0)},
			pol:  Policy{Devices: true},
			want: []string{`special cD+++++++++ "c"`, `skip "p": skipping non-regular file`},
		},
		{
			name: "specials without devices",
			src:  []Entry{special("c", KindChar, 1), special("p", KindFIFO, 0)},
			pol:  Policy{Specials: true},
			want: []string{`special cS+++++++++ "p"`, `skip "c": skipping non-regular file`},
		},
		{
			name: "non-recursive skips directories and keeps them under --delete",
			src:  []Entry{dir("d"), file("f", 1, t0)},
			dst:  []Entry{dir("d")},
			pol:  archive.with(func(p *Policy) { p.Recursive = false; p.Delete = true }),
			want: []string{`copy >f+++++++++ "f"`, `skip "d": skipping directory`},
		},
		{
			name: "names merge in bytewise order",
			src:  entriesNamed(oddNames[:6], func(n string) Entry { return file(n, 1, t0) }),
			dst:  entriesNamed(oddNames[4:], func(n string) Entry { return file(n, 2, t0) }),
			pol:  archive.with(func(p *Policy) { p.Delete = true }),
			want: []string{
				// " sp" < "B" < "Z" (deletes), then sources in byte order:
				// "A" < "a" < "a\nb" < "a-b" < "é" (0xc3) < "\xff".
				`delete *deleting   " sp"`, `delete *deleting   "B"`, `delete *deleting   "Z"`,
				`delete *deleting   "a.b"`, `delete *deleting   "a0"`,
				`copy >f+++++++++ "A"`, `copy >f+++++++++ "a"`, `copy >f.s....... "a\nb"`,
				`copy >f.s....... "a-b"`, `copy >f+++++++++ "é"`, `copy >f+++++++++ "\xff"`,
			},
		},
		{
			name: "prefix names pair up only with themselves",
			src:  []Entry{file("a", 1, t0), file("a-b", 1, t0), file("a.b", 1, t0), file("a0", 1, t0)},
			dst:  []Entry{file("a", 1, t0), file("a-b", 2, t0), file("a.b", 1, t0), file("a0", 2, t0), file("a00", 1, t0)},
			pol:  archive.with(func(p *Policy) { p.Delete = true }),
			want: []string{`delete *deleting   "a00"`, `copy >f.s....... "a-b"`, `copy >f.s....... "a0"`},
		},
		{
			name: "stale temporaries are cleaned up with or without --delete",
			src:  []Entry{file("f", 1, t0)},
			dst: []Entry{file(".treesync.0123456789abcdef.tmp", 5, t0), file(".treesync.ffffffffffffffff.tmp", 5, t0),
				file(".treesync.0123456789ABCDEF.tmp", 5, t0), file("f", 1, t0)},
			pol: archive,
			want: []string{
				`cleanup ".treesync.0123456789abcdef.tmp"`, `cleanup ".treesync.ffffffffffffffff.tmp"`,
			},
		},
		{
			name: "stale temporaries are never deletes; look-alikes are",
			dst:  []Entry{file(".treesync.0123456789abcdef.tmp", 5, t0), file(".treesync.0123456789ABCDEF.tmp", 5, t0)},
			pol:  archive.with(func(p *Policy) { p.Delete = true }),
			want: []string{
				`delete *deleting   ".treesync.0123456789ABCDEF.tmp"`,
				`cleanup ".treesync.0123456789abcdef.tmp"`,
			},
		},
		{
			name: "a source entry with a temporary's name is copied",
			src:  []Entry{file(".treesync.0123456789abcdef.tmp", 5, t0)},
			pol:  archive,
			want: []string{`copy >f+++++++++ ".treesync.0123456789abcdef.tmp"`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, dst := listing(tc.src...), listing(tc.dst...)
			src.Err, dst.Err = tc.srcErr, tc.dstErr
			p := PlanDir(tc.dir, src, dst, tc.pol)
			got := render(p, tc.pol)
			if !slices.Equal(got, tc.want) {
				t.Errorf("plan:\n got  %s\n want %s", strings.Join(got, "\n      "), strings.Join(tc.want, "\n      "))
			}
			checkEntries(t, p, src, dst)
		})
	}
}

func entriesNamed(names []string, mk func(string) Entry) []Entry {
	var es []Entry
	for _, n := range names {
		es = append(es, mk(n))
	}
	return es
}

func TestPlanDirFilter(t *testing.T) {
	f := &stubFilter{
		excluded:  map[string]bool{"sub/excl": true, "sub/excldir": true, "sub/gone-excl": true, "sub/both-excl": true},
		protected: map[string]bool{"sub/gone-prot": true},
	}
	src := listing(file("excl", 1, t0), dir("excldir"), file("both-excl", 1, t0), file("kept", 1, t0))
	dst := listing(file("both-excl", 9, t0), file("gone", 1, t0), file("gone-excl", 1, t0), file("gone-prot", 1, t0))
	pol := archive.with(func(p *Policy) { p.Delete = true; p.Filter = f })
	p := PlanDir("sub", src, dst, pol)
	want := []string{`delete *deleting   "gone"`, `copy >f+++++++++ "kept"`}
	if got := render(p, pol); !slices.Equal(got, want) {
		t.Errorf("plan:\n got  %q\n want %q", got, want)
	}
	checkEntries(t, p, src, dst)
	// Paths are root-relative and say whether the entry is a directory.
	for _, q := range []string{"excluded sub/excldir dir=true", "excluded sub/kept dir=false", "protected sub/gone-prot dir=false"} {
		if !slices.Contains(f.asked, q) {
			t.Errorf("filter never asked %q; asked %q", q, f.asked)
		}
	}

	// --delete-excluded: excluded destination entries go too, protected
	// ones stay.
	f.deleteExcluded = true
	p = PlanDir("sub", src, dst, pol)
	want = []string{`delete *deleting   "both-excl"`, `delete *deleting   "gone"`, `delete *deleting   "gone-excl"`, `copy >f+++++++++ "kept"`}
	if got := render(p, pol); !slices.Equal(got, want) {
		t.Errorf("plan with --delete-excluded:\n got  %q\n want %q", got, want)
	}
}

func TestPlanDirFilterAtRoot(t *testing.T) {
	f := &stubFilter{excluded: map[string]bool{"x": true}}
	pol := archive.with(func(p *Policy) { p.Delete = true; p.Filter = f })
	p := PlanDir("", listing(file("x", 1, t0)), listing(file("y", 1, t0)), pol)
	want := []string{`delete *deleting   "y"`}
	if got := render(p, pol); !slices.Equal(got, want) {
		t.Errorf("plan = %q, want %q", got, want)
	}
	if !slices.Contains(f.asked, "excluded x dir=false") {
		t.Errorf("root entries must be asked about without a leading slash; asked %q", f.asked)
	}
}

// rsync's --ignore-existing skips every destination name that exists,
// whatever its type, except a directory over a directory (generator.c:
// "ignore_existing > 0 && statret == 0 && (!is_dir || !S_ISDIR(...))").
// Checked with rsync 3.5: `rsync -ai --ignore-existing` prints nothing for
// a file over a symlink, a file over a directory, a directory over a file
// or a symlink with another target. It still goes through a directory
// over a file, failing on each entry in it (exit 23): the plan descends
// with the file kept and nothing to show.
func TestPlanDirIgnoreExistingOtherTypes(t *testing.T) {
	pol := archive.with(func(p *Policy) { p.IgnoreExisting = true })
	src := listing(file("f-over-link", 1, t0), file("f-over-dir", 1, t0), dir("d-over-file"), link("l", "new"))
	dst := listing(link("f-over-link", "x"), dir("f-over-dir"), file("d-over-file", 1, t0), link("l", "old"))
	plan := PlanDir("", src, dst, pol)
	want := []string{`dir .d          "d-over-file"`}
	if got := render(plan, pol); !slices.Equal(got, want) {
		t.Errorf("plan = %q, want %q (rsync skips existing names)", got, want)
	}
	if len(plan.Subdirs) == 1 && (plan.Subdirs[0].Change != 0 || plan.Subdirs[0].Dst.Kind != KindFile) {
		t.Errorf("descent %+v: want no change, the file kept", plan.Subdirs[0])
	}
}

func TestPlanRoot(t *testing.T) {
	s := dir("")
	tests := []struct {
		name string
		dst  Entry
		pol  Policy
		want string
	}{
		{name: "existing directory, same metadata", dst: dir(""), pol: archive, want: `dir .d          ""`},
		{name: "existing directory, other time", dst: with(dir(""), func(e *Entry) { e.Mtime = 0 }), pol: archive,
			want: `dir .d..t...... ""`},
		{name: "non-recursive policy still descends", dst: dir(""), pol: Policy{}, want: `dir .d          ""`},
		{name: "a file to replace", dst: file("", 1, t0), pol: archive, want: `mkdir cd+++++++++ ""`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.dst
			a := PlanRoot(&s, &d, tc.pol)
			got := render(DirPlan{Subdirs: []Action{a}}, tc.pol)
			if len(got) != 1 || got[0] != tc.want {
				t.Errorf("PlanRoot = %q, want %q", got, tc.want)
			}
			if a.Src != &s || a.Dst != &d {
				t.Errorf("PlanRoot entries = %p, %p; want %p, %p", a.Src, a.Dst, &s, &d)
			}
		})
	}
}

// PlanRoot with no destination entry and --existing has no subdirectory
// to return and indexes an empty slice.
func TestPlanRootMissingDestinationExisting(t *testing.T) {
	s := dir("")
	a := PlanRoot(&s, nil, Policy{Existing: true})
	_ = a
}

func TestListingFind(t *testing.T) {
	l := listing(file("b", 1, 0), file("a", 2, 0), file("\xff", 3, 0), file("a0", 4, 0))
	for _, name := range []string{"a", "a0", "b", "\xff"} {
		e := l.Find(name)
		if e == nil || e.Name != name {
			t.Errorf("Find(%q) = %+v", name, e)
		}
	}
	for _, name := range []string{"", "A", "a.", "c", "\xfe"} {
		if e := l.Find(name); e != nil {
			t.Errorf("Find(%q) = %+v, want nil", name, e)
		}
	}
	if e := (&Listing{}).Find("a"); e != nil {
		t.Errorf("empty Find = %+v", e)
	}
}

func TestJoin(t *testing.T) {
	for _, tc := range []struct{ dir, name, want string }{
		{"", "a", "a"}, {"a", "b", "a/b"}, {"a/b", "c d", "a/b/c d"},
	} {
		if got := Join(tc.dir, tc.name); got != tc.want {
			t.Errorf("Join(%q, %q) = %q, want %q", tc.dir, tc.name, got, tc.want)
		}
	}
}

// -O, and -b without --backup-dir (rsync implies -O there), leave the
// times of directories alone; files' times still count.
func TestMetaChangeOmitDirTimes(t *testing.T) {
	pol := archive.with(func(p *Policy) { p.OmitDirTimes = true })
	d, older := dir("d"), with(dir("d"), func(e *Entry) { e.Mtime = t0 - sec })
	if c := pol.MetaChange(&d, &older); c != 0 {
		t.Errorf("directory: change %v, want none", c)
	}
	f, olderFile := file("f", 1, t0), file("f", 1, t0-sec)
	if c := pol.MetaChange(&f, &olderFile); c != ChangeTime {
		t.Errorf("file: change %v, want the time", c)
	}
	if c := archive.MetaChange(&d, &older); c != ChangeTime {
		t.Errorf("directory without -O: change %v, want the time", c)
	}
}

// HasFiles is what keeps -m from pruning a directory: a source file the
// filter leaves in, whether or not it is transferred; directories and
// excluded files do not count.
func TestPlanDirHasFiles(t *testing.T) {
	big := archive.with(func(p *Policy) { p.MaxSize = 1 })
	tests := []struct {
		name string
		src  *Listing
		pol  Policy
		want bool
	}{
		{"a file", listing(file("f", 1, t0)), archive, true},
		{"a file too big to send", listing(file("f", 10, t0)), big, true},
		{"a symlink", listing(link("l", "x")), archive, true},
		{"directories only", listing(dir("d")), archive, false},
		{"an excluded file", listing(file("f", 1, t0)),
			archive.with(func(p *Policy) { p.Filter = &stubFilter{excluded: map[string]bool{"f": true}} }), false},
	}
	for _, tc := range tests {
		if got := PlanDir("", tc.src, listing(), tc.pol).HasFiles; got != tc.want {
			t.Errorf("%s: HasFiles %v, want %v", tc.name, got, tc.want)
		}
	}
}

// A source symlink that could not be followed is reported (Dangling) when
// the filter rules keep it, and its destination name is left alone even
// under --delete; an excluded one is nothing.
func TestPlanDirDangling(t *testing.T) {
	dead := with(link("dead", "nowhere"), func(e *Entry) { e.Dangling = true })
	pol := archive.with(func(p *Policy) { p.Delete = true })
	plan := PlanDir("", listing(dead), listing(file("dead", 1, t0)), pol)
	if len(plan.Dangling) != 1 || len(plan.Deletes) != 0 || len(plan.Items) != 0 {
		t.Errorf("kept: %+v, want one dangling entry and nothing else", plan)
	}
	pol.Filter = &stubFilter{excluded: map[string]bool{"dead": true}}
	if plan := PlanDir("", listing(dead), listing(), pol); len(plan.Dangling) != 0 {
		t.Errorf("excluded: %+v, want nothing", plan)
	}
	pol.Filter = dirOnlyFilter{}
	if plan := PlanDir("", listing(dead), listing(), pol); len(plan.Dangling) != 0 {
		t.Errorf("excluded as a directory: %+v, want nothing", plan)
	}
}

// Under -H -u, a member newer at the destination is left alone, not
// linked to its group (rsync skips it).
func TestPlanDirHardLinkUpdateSkipsNewer(t *testing.T) {
	pol := archive.with(func(p *Policy) { p.HardLinks, p.Update = true, true })
	member := with(file("m", 1, t0), func(e *Entry) { e.Nlink = 2 })
	newer := file("m", 2, t0+sec)
	if plan := PlanDir("", listing(member), listing(newer), pol); len(plan.Items) != 0 {
		t.Errorf("plan = %+v, want nothing for a member newer at the destination", plan.Items)
	}
	older := file("m", 2, t0-sec)
	if plan := PlanDir("", listing(member), listing(older), pol); len(plan.Items) != 1 || !plan.Items[0].HardLink {
		t.Errorf("plan = %+v, want the older member updated as a link", plan.Items)
	}
}

// dirOnlyFilter excludes directories only (as the rule "- */" does).
type dirOnlyFilter struct{}

func (dirOnlyFilter) Excluded(path string, isDir bool) bool  { return isDir }
func (dirOnlyFilter) Protected(path string, isDir bool) bool { return false }

// Names whose destination entries could not be read are left alone: no
// copy, no mkdir; the others are planned as ever, and -m still counts
// the files.
func TestPlanDirFailedNames(t *testing.T) {
	src := listing(file("a", 1, t0), dir("d"), file("f", 1, t0), file("z", 1, t0))
	dst := listing(file("z", 9, t0))
	dst.Failed = []string{"a", "d"}
	p := PlanDir("", src, dst, archive)
	want := []string{`copy >f+++++++++ "f"`, `copy >f.s....... "z"`}
	if got := render(p, archive); !slices.Equal(got, want) {
		t.Errorf("plan:\n got  %q\n want %q", got, want)
	}
	if p := PlanDir("", listing(file("a", 1, t0)), &Listing{Failed: []string{"a"}}, archive); !p.HasFiles || len(render(p, archive)) != 0 {
		t.Errorf("a failed name: %q, HasFiles %v", render(p, archive), p.HasFiles)
	}
}
