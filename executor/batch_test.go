package executor

import (
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
