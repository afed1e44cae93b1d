package planner

import (
	"testing"
	"unsafe"
)

// TestEntrySize keeps Entry free of padding: a wide directory holds two
// Entries per name while its subdirectories are pending.
func TestEntrySize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("sizes checked on 64-bit platforms") // not CI's: amd64
	}
	if got := unsafe.Sizeof(Entry{}); got > 104 {
		t.Errorf("planner.Entry is %d bytes, want at most 104: reorder its fields, or hold a rare one apart", got)
	}
}

// TestEntryRareFields checks that the fields held apart read back as
// set, that a copy changed later leaves the original alone, and that
// entries without them hold nothing apart.
func TestEntryRareFields(t *testing.T) {
	var e Entry
	e.SetRdev(0)
	e.SetSums(0, 0)
	if e.rare != nil {
		t.Fatal("zero rare fields allocated")
	}
	e.SetTarget("a")
	e.SetRdev(7)
	e.SetSums(1, 2)
	c := e
	c.SetTarget("b")
	c.SetSums(3, 0)
	if e.Target() != "a" || e.Rdev() != 7 || e.XattrSum() != 1 || e.ACLSum() != 2 {
		t.Errorf("original changed through its copy: %q %d %d %d", e.Target(), e.Rdev(), e.XattrSum(), e.ACLSum())
	}
	if c.Target() != "b" || c.Rdev() != 7 || c.XattrSum() != 3 || c.ACLSum() != 0 {
		t.Errorf("copy: %q %d %d %d", c.Target(), c.Rdev(), c.XattrSum(), c.ACLSum())
	}
	c.SetTarget("")
	c.SetRdev(0)
	c.SetSums(0, 0)
	if c.rare != nil {
		t.Error("rare fields all zero again, still held")
	}
}
