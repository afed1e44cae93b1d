package main

import (
	"flag"
	"testing"

	"github.com/urfave/cli/v2"
)

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

// TestApplyAsCli: every flag registers the same names, usage, default,
// kind and parsed values through the cached-name wrappers as through
// urfave/cli's own Apply.
func TestApplyAsCli(t *testing.T) {
	wrapped := appFlags(false)
	plain := append(syncFlags(), outputFlags()...)
	ours, theirs := flag.NewFlagSet("ours", flag.ContinueOnError), flag.NewFlagSet("cli", flag.ContinueOnError)
	for i := range plain {
		switch f := plain[i].(type) { // what the wrappers' Apply leaves out
		case *cli.BoolFlag:
			if f.EnvVars != nil || f.FilePath != "" || f.Destination != nil || f.Count != nil {
				t.Errorf("-%s: the wrapper ignores EnvVars, FilePath, Destination and Count", f.Name)
			}
		case *cli.StringFlag:
			if f.EnvVars != nil || f.FilePath != "" || f.Destination != nil {
				t.Errorf("-%s: the wrapper ignores EnvVars, FilePath and Destination", f.Name)
			}
		}
		if err := wrapped[i].Apply(ours); err != nil {
			t.Fatal(err)
		}
		if err := plain[i].Apply(theirs); err != nil {
			t.Fatal(err)
		}
	}
	theirs.VisitAll(func(want *flag.Flag) {
		got := ours.Lookup(want.Name)
		if got == nil {
			t.Errorf("-%s not registered", want.Name)
			return
		}
		if got.Usage != want.Usage || got.DefValue != want.DefValue || isBool(got) != isBool(want) {
			t.Errorf("-%s: usage %q default %q bool %v, cli's %q %q %v", want.Name,
				got.Usage, got.DefValue, isBool(got), want.Usage, want.DefValue, isBool(want))
		}
	})
	ours.VisitAll(func(f *flag.Flag) {
		if theirs.Lookup(f.Name) == nil {
			t.Errorf("-%s registered only by the wrappers", f.Name)
		}
	})
	args := []string{"-a", "-delete", "-partial-dir", "p", "-chmod=D755", "-H=false", "-stats"}
	for _, set := range []*flag.FlagSet{ours, theirs} {
		if err := set.Parse(args); err != nil {
			t.Fatal(err)
		}
	}
	ours.VisitAll(func(f *flag.Flag) {
		if want := theirs.Lookup(f.Name).Value.String(); f.Value.String() != want {
			t.Errorf("after %q, -%s = %q, cli's %q", args, f.Name, f.Value, want)
		}
	})
	if err := ours.Set("archive", "maybe"); err == nil {
		t.Error("-archive=maybe accepted")
	}
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
