package executor

import (
	"strings"
	"testing"

	"github.com/treesync/treesync/planner"
)

func TestBatchLen(t *testing.T) {
	file := func(size int64) planner.Action {
		return planner.Action{Src: &planner.Entry{Kind: planner.KindFile, Size: size}}
	}
	many := func(n int, size int64) []planner.Action {
		items := make([]planner.Action, n)
		for i := range items {
			items[i] = file(size)
		}
		return items
	}
	for _, tc := range []struct {
		name  string
		items []planner.Action
		want  int
	}{
		{"one small", many(1, 10), 1},
		{"a whole directory of small files", many(1000, 3000), 1000},
		{"a big directory: the first items to pass the limit", many(5000, 3000), batchBytes/3000 + 1},
		{"a big file goes alone", append(many(1, batchBytes), many(3, 1)...), 1},
		{"small files up to the byte limit", many(10, batchBytes/4), 4},
		{"items without a source count no bytes", append(many(1, batchBytes-1), planner.Action{}, file(1), file(1)), 3},
	} {
		if got := batchLen(tc.items, len(tc.items)); got != tc.want {
			t.Errorf("%s: batchLen = %d, want %d", tc.name, got, tc.want)
		}
		if got := batchLen(tc.items, 1); got != 1 {
			t.Errorf("%s: batchLen(one at a time) = %d, want 1", tc.name, got)
		}
	}
}

// TestSplitCompares: small files to verify are compared on the lister,
// in order; big ones, hard links and plain copies go to the workers; a
// directory with nothing to compare keeps its items as they are.
func TestSplitCompares(t *testing.T) {
	act := func(name string, size int64, verify, link bool) planner.Action {
		return planner.Action{Op: planner.OpCopy, Name: name, Verify: verify, HardLink: link,
			Src: &planner.Entry{Kind: planner.KindFile, Size: size}}
	}
	items := []planner.Action{
		act("a", 10, true, false),
		act("b", inlineCompareMax+1, true, false),
		act("c", 10, false, false),
		act("d", inlineCompareMax, true, false),
		act("e", 10, true, true),
		{Op: planner.OpSymlink, Name: "f", Verify: true, Src: &planner.Entry{Kind: planner.KindSymlink}},
	}
	here, rest := splitCompares(items)
	if got := names(here); got != "a d" {
		t.Errorf("compared here: %q, want \"a d\"", got)
	}
	if got := names(rest); got != "b c e f" {
		t.Errorf("left to the workers: %q, want \"b c e f\"", got)
	}
	plain := items[2:3]
	if here, rest := splitCompares(plain); here != nil || &rest[0] != &plain[0] {
		t.Errorf("nothing to compare: got %v and a copy of the items", here)
	}
	if here, rest := splitCompares(items[:1]); len(here) != 1 || rest != nil {
		t.Errorf("all to compare: %v / %v", here, rest)
	}
}

func names(items []planner.Action) string {
	s := make([]string, len(items))
	for i, a := range items {
		s[i] = a.Name
	}
	return strings.Join(s, " ")
}
