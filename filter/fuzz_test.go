package filter

import (
	"strings"
	"testing"
	"time"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{"- *.o", "+ foo/", "P x", ":n- .r", ". m", "-C", "exclude,!/ a", "!", "dir-merge,e_x", "-!/srpx [a-", "H,r x"} {
		f.Add(s)
	}
	files := map[string]string{"m": "- a\n. m\n", ".r": "x y"}
	f.Fuzz(func(t *testing.T, rule string) {
		rs, err := New([]Arg{{"filter", rule}}, Options{ReadFile: mapReader(files)})
		if err != nil {
			return
		}
		root, err := rs.Enter("", mapReader(files))
		if err != nil {
			return
		}
		root.Excluded("a/b", false)
		root.Protected("a", true)
	})
}

func FuzzMatch(f *testing.F) {
	f.Add("a/**/b", "a/x/y/b", true)
	f.Add("/foo/***", "foo/bar", false)
	f.Add("[[:alpha:]]*?", "x/yz", false)
	f.Add("**a**a**a**a**a**a**b", strings.Repeat("a/", 40)+"c", false)
	f.Fuzz(func(t *testing.T, pat, path string, isDir bool) {
		if len(pat) > 256 || len(path) > 4096 {
			return
		}
		rs, err := New([]Arg{{"exclude", pat}}, Options{AbsRoot: "/r"})
		if err != nil {
			t.Fatalf("exclude %q: %v", pat, err)
		}
		start := time.Now()
		got := rs.Excluded(path, isDir)
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Fatalf("match %q against %q took %v", pat, path, d)
		}
		// A pattern without wildcards, slashes or anchors is a plain
		// basename comparison.
		if pat != "" && !strings.ContainsAny(pat, "*?[/") && pat != "!" && !strings.HasPrefix(pat, "- ") && !strings.HasPrefix(pat, "+ ") {
			base := path[strings.LastIndexByte(path, '/')+1:]
			if got != (base == pat) {
				t.Fatalf("exclude %q on %q = %v", pat, path, got)
			}
		}
	})
}

// TestNoBacktracking checks a pattern that makes backtracking matchers
// exponential.
func TestNoBacktracking(t *testing.T) {
	rs, err := New([]Arg{{"exclude", strings.Repeat("**a", 30) + "b"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if rs.Excluded(strings.Repeat("a/", 2000), false) {
		t.Error("unexpected match")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v", d)
	}
}
