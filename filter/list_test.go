package filter

import (
	"slices"
	"testing"
)

func TestPathList(t *testing.T) {
	list := []byte("./a/b/file\n# comment\n\nsub/\n/top\n")
	cases := []struct {
		path      string
		isDir     bool
		recursive bool
		excluded  bool
		protected bool
	}{
		{path: "a", isDir: true, excluded: false, protected: true},
		{path: "a/b", isDir: true, excluded: false, protected: true},
		{path: "a/b/file", excluded: false, protected: true},
		{path: "a/b/other", excluded: true, protected: true},
		{path: "a/file", excluded: true, protected: true},
		{path: "top", excluded: false, protected: true},
		{path: "sub", isDir: true, excluded: false, protected: true},
		{path: "sub/x", excluded: false, protected: false}, // ("sub/": its entries too, as rsync's -d)
		{path: "sub/d/y", excluded: true, protected: true},
		{path: "sub/x", recursive: true, excluded: false, protected: false},
		{path: "sub/d/y", recursive: true, excluded: false, protected: false},
		{path: "a/b/other", recursive: true, excluded: true, protected: true},
		{path: "comment", excluded: true, protected: true},
	}
	for _, tc := range cases {
		l := NewPathList(list, false, tc.recursive)
		if got := l.Excluded(tc.path, tc.isDir); got != tc.excluded {
			t.Errorf("Excluded(%q, recursive=%v) = %v", tc.path, tc.recursive, got)
		}
		if got := l.Protected(tc.path, tc.isDir); got != tc.protected {
			t.Errorf("Protected(%q, recursive=%v) = %v", tc.path, tc.recursive, got)
		}
	}
	if n := NewPathList([]byte("x\x00y/z\x00"), true, false).Len(); n != 2 {
		t.Errorf("NUL-separated list has %d paths, want 2", n)
	}
}

func TestPathListUnmetAndRoot(t *testing.T) {
	l := NewPathList([]byte("a/b\nc\nd/e\n"), false, true)
	for _, p := range []string{"a", "a/b", "c"} {
		l.Excluded(p, p == "a")
	}
	if got := l.Unmet(); !slices.Equal(got, []string{"d/e"}) {
		t.Errorf("unmet %q, want [d/e]", got)
	}
	if l.NamesRoot() {
		t.Error("no path starts with ./, yet the root is named")
	}
	if !NewPathList([]byte("x\n./y\n"), false, false).NamesRoot() {
		t.Error("./y names the root")
	}
}

func TestDottedLists(t *testing.T) {
	dirs, lists := DottedLists([]byte("a/./b/c\n# comment\nx\n/./y\na/./d\n../../up/./z\n"), false, false)
	if want := []string{"a", "", "up"}; !slices.Equal(dirs, want) {
		t.Fatalf("dirs %q, want %q", dirs, want)
	}
	if !lists[0].Includes("b/c", false) || !lists[0].Includes("b", true) || !lists[0].Includes("d", false) || lists[0].Includes("a", true) {
		t.Error(`"a/./b/c" and "a/./d" are not listed as b/c and d below a`)
	}
	if !lists[1].NamesRoot() || !lists[1].Includes("y", false) || lists[0].NamesRoot() {
		t.Error(`"/./y" does not name the source directory as "./y" does`)
	}
	if !lists[2].Includes("z", false) {
		t.Error(`"../../up/./z" is not z below up`)
	}
}

func TestPathListBelow(t *testing.T) {
	l := NewPathList([]byte("a/b\na/c/d\nab/x\na\nb/a/z\n"), false, false)
	if got, want := l.Below("a"), []string{"a/b", "a/c/d"}; !slices.Equal(got, want) {
		t.Errorf("Below(a) = %q, want %q", got, want)
	}
	if got := l.Below("b/a/z"); len(got) != 0 {
		t.Errorf("Below(b/a/z) = %q, want none", got)
	}
}
