package planner

import (
	"errors"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

// fuzzNames is the pool the fuzzer draws names from: odd byte orders,
// prefixes of each other, temporaries and look-alikes, and names the
// fuzz filter excludes ("x...") or protects ("p...").
var fuzzNames = []string{
	"a", "A", "b", "é", "\xff", "a\n", "a-b", "a.b", "a0", "a00", " ",
	"x1", "xd", "p1", "pd", "d", "f", "l",
	TempName(1), TempName(0xdeadbeef), ".treesync.0123456789ABCDEF.tmp", ".treesync.tmp",
}

// fuzzFilter excludes paths whose last element starts with "x" and
// protects those starting with "p", and, unless deleteExcluded, the
// excluded ones too (as the filter package without --delete-excluded).
type fuzzFilter struct{ deleteExcluded bool }

func (fuzzFilter) Excluded(path string, isDir bool) bool { return strings.HasPrefix(base(path), "x") }

func (f fuzzFilter) Protected(path string, isDir bool) bool {
	b := base(path)
	return strings.HasPrefix(b, "p") || (!f.deleteExcluded && strings.HasPrefix(b, "x"))
}

func base(path string) string { return path[strings.LastIndexByte(path, '/')+1:] }

// decodePlanInput turns fuzz bytes into a policy and two sorted,
// duplicate-free listings. The first three bytes are policy flags; then
// every four bytes make one entry: name, side and kind, size and mtime,
// and how the destination copy differs.
func decodePlanInput(data []byte) (Policy, *Listing, *Listing) {
	var flags [3]byte
	copy(flags[:], data)
	bit := func(i int) bool { return flags[i/8]&(1<<(i%8)) != 0 }
	pol := Policy{
		Recursive: bit(0), Links: bit(1), Perms: bit(2), Times: bit(3),
		Owner: bit(4), Group: bit(5), Devices: bit(6), Specials: bit(7),
		Delete: bit(8), SizeOnly: bit(9), IgnoreTimes: bit(10), Checksum: bit(11),
		Update: bit(12), IgnoreExisting: bit(13), Existing: bit(14),
	}
	if bit(15) {
		pol.Filter = fuzzFilter{deleteExcluded: bit(21)}
	}
	if bit(18) {
		pol.ModifyWindow = 2
	}
	if bit(19) {
		pol.MaxSize = 5
	}
	if bit(20) {
		pol.MinSize = 2
	}
	src, dst := &Listing{}, &Listing{}
	if bit(16) {
		src.Err = errors.New("source listing failed")
	}
	if bit(17) {
		dst.Err = errors.New("destination listing failed")
	}
	seenSrc, seenDst := map[string]bool{}, map[string]bool{}
	for rest := data[min(len(data), 3):]; len(rest) >= 4; rest = rest[4:] {
		name := fuzzNames[int(rest[0])%len(fuzzNames)]
		side, kind := rest[1]%3, Kind(rest[1]/3%7)
		e := Entry{Name: name, Kind: kind, Mode: 0o644, Size: int64(rest[2] % 8), Mtime: int64(rest[2] / 8 % 8),
			UID: 1, GID: 1}
		e.SetRdev(uint64(rest[3] % 2))
		if kind == KindSymlink {
			e.SetTarget("t" + string('0'+rest[3]%3))
		}
		if side != 1 && !seenSrc[name] {
			seenSrc[name] = true
			src.Entries = append(src.Entries, e)
		}
		if side != 0 && !seenDst[name] {
			seenDst[name] = true
			d := e
			v := rest[3]
			if v&0x04 != 0 {
				d.Kind = Kind(v / 32 % 7)
			}
			if v&0x08 != 0 {
				d.Size++
			}
			if v&0x10 != 0 {
				d.Mtime += int64(v%4) - 2
			}
			if v&0x20 != 0 {
				d.Mode = 0o600
			}
			if v&0x40 != 0 {
				d.UID, d.GID = 2, 3
			}
			if v&0x80 != 0 {
				d.SetTarget("other")
			}
			dst.Entries = append(dst.Entries, d)
		}
	}
	for _, l := range []*Listing{src, dst} {
		sort.Slice(l.Entries, func(i, j int) bool { return l.Entries[i].Name < l.Entries[j].Name })
	}
	return pol, src, dst
}

func FuzzPlanDir(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff, 0x00, 0, 0, 1, 0, 1, 1, 2, 0, 2, 2, 3, 0x0c})
	f.Add([]byte{0xff, 0x01, 0x00, 3, 2, 0x11, 0x3c, 4, 5, 0x22, 0xff, 18, 1, 0, 0, 20, 1, 0, 0})
	f.Add([]byte{0xff, 0x81, 0x03, 11, 1, 0, 0, 12, 2, 7, 0, 13, 2, 0, 0, 14, 2, 3, 0xe4, 15, 4, 0, 0})
	f.Add([]byte{0x0f, 0x7e, 0x1c, 0, 5, 9, 0x99, 1, 8, 9, 0x88, 2, 11, 3, 0xfc, 3, 14, 1, 0x44, 4, 17, 6, 0x24})
	f.Add([]byte("random fuzz seed: names, kinds, sizes and flags"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pol, src, dst := decodePlanInput(data)
		before := [2][]Entry{slices.Clone(src.Entries), slices.Clone(dst.Entries)}
		p := PlanDir("top", src, dst, pol)
		if !reflect.DeepEqual(before, [2][]Entry{src.Entries, dst.Entries}) {
			t.Fatal("PlanDir changed its listings")
		}
		checkPlanInvariants(t, pol, src, dst, p)
	})
}

func checkPlanInvariants(t *testing.T, pol Policy, src, dst *Listing, p DirPlan) {
	t.Helper()
	excluded := func(e *Entry) bool {
		return pol.Filter != nil && pol.Filter.Excluded(Join("top", e.Name), e.Kind == KindDir)
	}
	canDelete := pol.Delete && src.Err == nil && dst.Err == nil
	if p.DeletesHeld != (pol.Delete && !canDelete) {
		t.Errorf("DeletesHeld = %v with Delete=%v, errors %v, %v", p.DeletesHeld, pol.Delete, src.Err, dst.Err)
	}
	if !canDelete && len(p.Deletes) > 0 {
		t.Errorf("deletes planned with Delete=%v, errors %v, %v: %+v", pol.Delete, src.Err, dst.Err, p.Deletes)
	}
	for _, group := range [][]Action{p.Deletes, p.Items, p.Subdirs} {
		if !slices.IsSortedFunc(group, func(a, b Action) int { return strings.Compare(a.Name, b.Name) }) ||
			len(slices.CompactFunc(slices.Clone(group), func(a, b Action) bool { return a.Name == b.Name })) != len(group) {
			t.Errorf("actions not in strict name order: %+v", group)
		}
	}
	seen := map[string]string{}
	claim := func(name, where string) {
		if prev, ok := seen[name]; ok {
			t.Errorf("%q planned twice: in %s and %s", name, prev, where)
		}
		seen[name] = where
	}
	for _, a := range p.Deletes {
		claim(a.Name, "Deletes")
		if a.Op != OpDelete || a.Src != nil || a.Dst == nil || a.Dst != dst.Find(a.Name) {
			t.Errorf("bad delete %+v", a)
		}
		if s := src.Find(a.Name); s != nil && !excluded(s) {
			t.Errorf("delete of %q, which the source has", a.Name)
		}
		if IsTempName(a.Name) {
			t.Errorf("temporary %q deleted instead of cleaned up", a.Name)
		}
		if pol.Filter != nil {
			path, isDir := Join("top", a.Name), a.Dst.Kind == KindDir
			if pol.Filter.Protected(path, isDir) {
				t.Errorf("delete of protected %q", a.Name)
			}
		}
	}
	for _, a := range slices.Concat(p.Items, p.Subdirs) {
		claim(a.Name, "Items/Subdirs")
		s, d := src.Find(a.Name), dst.Find(a.Name)
		if a.Src == nil || a.Src != s {
			t.Fatalf("%+v: Src is not the source entry %p", a, s)
		}
		if a.Dst != d {
			t.Errorf("%+v: Dst = %p, want the destination entry %p", a, a.Dst, d)
		}
		if excluded(s) {
			t.Errorf("excluded %q planned: %+v", a.Name, a)
		}
		isNew := d == nil || d.Kind != s.Kind
		if (a.Change&ChangeNew != 0) != isNew {
			t.Errorf("%q: ChangeNew = %v, destination %+v", a.Name, a.Change&ChangeNew != 0, d)
		}
		if d == nil && pol.Existing {
			t.Errorf("--existing created %q", a.Name)
		}
		// Verify: -c, or a same-size file whose time alone differs (a touch
		// is fixed in place when the contents match).
		timeOnly := d != nil && !pol.SameTime(s.Mtime, d.Mtime)
		if a.Verify && (!(pol.Checksum || timeOnly) || a.Op != OpCopy || isNew || s.Size != d.Size) {
			t.Errorf("Verify on %+v", a)
		}
		if n := len(Itemize(a.Op, s.Kind, a.Change, pol)); n != 11 {
			t.Errorf("itemize length %d", n)
		}
	}
	for _, a := range p.Items {
		wantOp := opFor(a.Src.Kind)
		if a.Src.Kind == KindDir || (a.Op != wantOp && a.Op != OpMeta) {
			t.Errorf("item %q: op %d for a %v", a.Name, a.Op, a.Src.Kind)
		}
		if a.Op == OpMeta && (a.Dst == nil || a.Dst.Kind != a.Src.Kind || a.Change == 0 || a.Change&(ChangeNew|ChangeContent|ChangeSize) != 0) {
			t.Errorf("bad metadata-only action %+v", a)
		}
		switch k := a.Src.Kind; {
		case k == KindSymlink && !pol.Links, k.IsDevice() && !pol.Devices, k.IsSpecial() && !pol.Specials:
			t.Errorf("%v %q planned though not asked for", k, a.Name)
		case k == KindFile && ((pol.MaxSize > 0 && a.Src.Size > pol.MaxSize) || a.Src.Size < pol.MinSize):
			t.Errorf("file %q of size %d planned outside the size bounds", a.Name, a.Src.Size)
		}
	}
	for _, a := range p.Subdirs {
		if !pol.Recursive || a.Src.Kind != KindDir || (a.Op != OpMkdir && a.Op != OpDir) {
			t.Errorf("bad subdirectory %+v (recursive=%v)", a, pol.Recursive)
		}
		if (a.Op == OpDir) != (a.Dst != nil && a.Dst.Kind == KindDir) {
			t.Errorf("subdirectory %q: op %d over %+v", a.Name, a.Op, a.Dst)
		}
	}
	for _, s := range p.Skipped {
		claim(s.Name, "Skipped")
		e := src.Find(s.Name)
		if e == nil || excluded(e) || s.Reason == "" {
			t.Errorf("bad skip %+v", s)
		}
	}
	for _, c := range p.Cleanup {
		name := c.Name
		if !IsTempName(name) || dst.Find(name) == nil {
			t.Errorf("cleanup of %q", name)
		}
		if s := src.Find(name); s != nil && !excluded(s) {
			t.Errorf("cleanup of %q, which the source has", name)
		}
	}
	// Every non-excluded source entry is accounted for, or legitimately
	// left alone: unchanged, out of the size bounds, or not wanted.
	for i := range src.Entries {
		s := &src.Entries[i]
		if _, ok := seen[s.Name]; ok || excluded(s) {
			continue
		}
		d := dst.Find(s.Name)
		switch {
		case s.Kind == KindFile && ((pol.MaxSize > 0 && s.Size > pol.MaxSize) || s.Size < pol.MinSize):
		case d == nil && pol.Existing:
		case d != nil && d.Kind == s.Kind:
			// Compared and found current, or skipped by -u or --ignore-existing.
		case pol.IgnoreExisting && d != nil:
		default:
			t.Errorf("source %+v over %+v: not planned", s, d)
		}
	}
}

func BenchmarkPlanDir(b *testing.B) {
	const n = 10000
	mk := func(f func(i int, e *Entry)) *Listing {
		l := &Listing{Entries: make([]Entry, n)}
		for i := range l.Entries {
			l.Entries[i] = file(benchName(i), int64(i), t0+int64(i))
			f(i, &l.Entries[i])
		}
		return l
	}
	same := func(int, *Entry) {}
	src := mk(same)
	for _, bc := range []struct {
		name string
		dst  *Listing
	}{
		{"unchanged", mk(same)},
		{"all-new", &Listing{}},
		{"all-changed", mk(func(i int, e *Entry) { e.Size++ })},
		{"meta-only", mk(func(i int, e *Entry) { e.Mode = 0o600 })},
		{"interleaved", mk(func(i int, e *Entry) { e.Name += "~" })},
	} {
		b.Run(bc.name, func(b *testing.B) {
			pol := archive.with(func(p *Policy) { p.Delete = true })
			b.ReportAllocs()
			for b.Loop() {
				PlanDir("some/dir", src, bc.dst, pol)
			}
		})
	}
}

// benchName returns names in sorted order for increasing i.
func benchName(i int) string {
	const digits = "0123456789"
	b := []byte("file-00000.txt")
	for k := 9; k >= 5; k-- {
		b[k] = digits[i%10]
		i /= 10
	}
	return string(b)
}
