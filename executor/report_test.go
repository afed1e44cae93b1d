package executor

import (
	"testing"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/walker"
)

func TestItemPath(t *testing.T) {
	cases := []struct {
		dir, name string
		kind      planner.Kind
		want      string
	}{
		{"", "", planner.KindDir, "./"},
		{"a/b", "", planner.KindDir, "a/b/"}, // the directory itself: once slashed
		{"a", "b", planner.KindDir, "a/b/"},
		{"a", "f", planner.KindFile, "a/f"},
		{"", "f", planner.KindFile, "f"},
	}
	for _, c := range cases {
		if got := itemPath(&walker.Dir{Path: c.dir}, c.name, c.kind); got != c.want {
			t.Errorf("itemPath(%q, %q) = %q, want %q", c.dir, c.name, got, c.want)
		}
	}
}
