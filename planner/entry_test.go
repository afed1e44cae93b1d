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
	if got := unsafe.Sizeof(Entry{}); got > 136 {
		t.Errorf("planner.Entry is %d bytes, want at most 136: reorder its fields", got)
	}
}
