package executor

import (
	"slices"
	"testing"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/walker"
)

// A member that needs data parks while nobody leads its group; one found
// up to date leads at once; after the walk (unpark) nobody parks; and no
// more than maxParkedDirs directories are held for parked members.
func TestLinkMapRoles(t *testing.T) {
	src := &planner.Entry{Kind: planner.KindFile, Dev: 1, Ino: 7, Nlink: 3}
	current := &planner.Entry{Kind: planner.KindFile}
	newName := planner.Action{Op: planner.OpCopy, Src: src}
	existing := planner.Action{Op: planner.OpMeta, Src: src, Dst: current}
	var l linkMap
	d := &walker.Dir{}
	if _, role := l.claim(d, newName, memberState{current: false, canPark: true}); role != rolePark {
		t.Fatalf("a new name met first: role %d, want park", role)
	}
	if _, role := l.claim(d, planner.Action{Op: planner.OpCopy, Src: &planner.Entry{Ino: 99}}, memberState{current: false, canPark: false}); role != roleLead {
		t.Fatalf("a new name where parking waits for nothing: role %d, want lead", role)
	}
	if _, role := l.claim(d, existing, memberState{current: true, canPark: true}); role != roleLead {
		t.Fatalf("an up-to-date name: role %d, want lead", role)
	}
	if _, role := l.claim(d, newName, memberState{current: false, canPark: true}); role != roleFollow {
		t.Fatalf("a name of a led group: role %d, want follow", role)
	}
	if parked := l.unpark(); len(parked) != 1 || parked[0].a.Src == src {
		t.Fatalf("unpark = %+v, want the one parked member, its entries copied", parked)
	}
	third := *src
	third.Ino = 9
	if _, role := l.claim(d, planner.Action{Op: planner.OpCopy, Src: &third}, memberState{current: false, canPark: true}); role != roleLead {
		t.Fatalf("after the walk: role %d, want lead", role)
	}
}

// After the walk, parked members with a file of their name at the
// destination or in a reference tree come first, the rest in the order
// they parked.
func TestLinkMapUnparksStartsFirst(t *testing.T) {
	src := &planner.Entry{Kind: planner.KindFile, Dev: 1, Ino: 7, Nlink: 4}
	names := []string{"plain", "referenced", "other", "existing"}
	var l linkMap
	d := &walker.Dir{}
	for _, n := range names {
		a := planner.Action{Op: planner.OpCopy, Name: n, Src: src}
		if n == "existing" {
			a.Dst = &planner.Entry{Kind: planner.KindFile}
		}
		l.claim(d, a, memberState{canPark: true, ref: n == "referenced"})
	}
	var got []string
	for _, p := range l.unpark() {
		got = append(got, p.a.Name)
	}
	if want := []string{"referenced", "existing", "plain", "other"}; !slices.Equal(got, want) {
		t.Fatalf("unparked %q, want %q", got, want)
	}
}

func TestLinkMapParksBoundedDirs(t *testing.T) {
	var l linkMap
	for i := range maxParkedDirs + 10 {
		src := &planner.Entry{Kind: planner.KindFile, Ino: uint64(i), Nlink: 2}
		_, role := l.claim(&walker.Dir{}, planner.Action{Op: planner.OpCopy, Src: src}, memberState{current: false, canPark: true})
		if want := i < maxParkedDirs; (role == rolePark) != want {
			t.Fatalf("member %d in its own directory: role %d, parked want %v", i, role, want)
		}
	}
}
