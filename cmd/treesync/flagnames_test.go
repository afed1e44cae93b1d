package main

import "testing"

func TestShowsHelp(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{"treesync", "-a", "src/", "dst/"}, false},
		{[]string{"treesync", "--help"}, true},
		{[]string{"treesync", "-h"}, true},
		{[]string{"treesync", "-avh", "src/", "dst/"}, true},
		{[]string{"treesync", "--man-page"}, true},
		{[]string{"treesync", "-a", "--", "-h", "dst/"}, false}, // a path after --
		{[]string{"treesync", "--hard-links", "s/", "d/"}, false},
		{[]string{"treesync"}, false},
		{nil, false},
	} {
		if got := showsHelp(tc.args); got != tc.want {
			t.Errorf("showsHelp(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}

// TestFlagCategories: the help groups flags by category, a plain run's
// flags carry none, and both have the same names.
func TestFlagCategories(t *testing.T) {
	withCat, without := appFlags(true), appFlags(false)
	if len(withCat) != len(without) {
		t.Fatalf("%d flags with categories, %d without", len(withCat), len(without))
	}
	categorized := 0
	for i := range withCat {
		if withCat[i].Names()[0] != without[i].Names()[0] {
			t.Errorf("flag %d: %v vs %v", i, withCat[i].Names(), without[i].Names())
		}
		if c, ok := withCat[i].(interface{ GetCategory() string }); ok && c.GetCategory() != "" {
			categorized++
		}
		if c, ok := without[i].(interface{ GetCategory() string }); ok && c.GetCategory() != "" {
			t.Errorf("flag %v keeps category %q", without[i].Names(), c.GetCategory())
		}
	}
	if categorized < len(withCat)/2 {
		t.Errorf("only %d of %d flags have a category", categorized, len(withCat))
	}
}
