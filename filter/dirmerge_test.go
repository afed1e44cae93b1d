package filter

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

// tree maps "dir/file" to merge-file contents.
type tree map[string]string

func (tr tree) reader(dir string) ReadFunc {
	return func(name string) ([]byte, error) {
		return mapReader(tr)(joinPath(dir, name))
	}
}

// enterPath enters every directory from the root down to dir.
func enterPath(t *testing.T, rs *Rules, tr tree, dir string) *Rules {
	t.Helper()
	cur, err := rs.Enter("", tr.reader(""))
	if err != nil {
		t.Fatal(err)
	}
	if dir == "" {
		return cur
	}
	parts := strings.Split(dir, "/")
	for i := range parts {
		d := strings.Join(parts[:i+1], "/")
		if cur, err = cur.Enter(d, tr.reader(d)); err != nil {
			t.Fatal(err)
		}
	}
	return cur
}

func TestDirMerge(t *testing.T) {
	tests := []struct {
		name    string
		args    []Arg
		files   tree
		path    string
		isDir   bool
		exclude bool
	}{
		{name: "rule in dir", args: []Arg{{"filter", ": .rules"}}, files: tree{"sub/.rules": "- k"}, path: "sub/k", exclude: true},
		{name: "not above", args: []Arg{{"filter", ": .rules"}}, files: tree{"sub/.rules": "- k"}, path: "k"},
		{name: "inherited", args: []Arg{{"filter", ": .rules"}}, files: tree{"sub/.rules": "- k"}, path: "sub/deep/k", exclude: true},
		{name: "no inherit", args: []Arg{{"filter", ":n .rules"}}, files: tree{"sub/.rules": "- k"}, path: "sub/deep/k"},
		{name: "no inherit here", args: []Arg{{"filter", ":n .rules"}}, files: tree{"sub/.rules": "- k"}, path: "sub/k", exclude: true},
		{name: "anchored at dir", args: []Arg{{"filter", ": .rules"}}, files: tree{"sub/.rules": "- /k"}, path: "sub/k", exclude: true},
		{name: "anchored not deeper", args: []Arg{{"filter", ": .rules"}}, files: tree{"sub/.rules": "- /k"}, path: "sub/deep/k"},
		{name: "anchored not root", args: []Arg{{"filter", ": .rules"}}, files: tree{"sub/.rules": "- /k", ".rules": ""}, path: "k"},
		{name: "anchored two levels", args: []Arg{{"filter", ": .rules"}}, files: tree{"sub/.rules": "- /deep/k"}, path: "sub/deep/k", exclude: true},
		{name: "unanchored uses full path", args: []Arg{{"filter", ": .rules"}}, files: tree{"sub/.rules": "- sub/m"}, path: "sub/m", exclude: true},
		{name: "child first", args: []Arg{{"filter", ": .rules"}}, files: tree{"sub/.rules": "+ m\n- k", "sub/deep/.rules": "- m"}, path: "sub/deep/m", exclude: true},
		{name: "parent still applies", args: []Arg{{"filter", ": .rules"}}, files: tree{"sub/.rules": "+ m\n- k", "sub/deep/.rules": "- m"}, path: "sub/deep/k", exclude: true},
		{name: "clear inherited", args: []Arg{{"filter", ": .rules"}}, files: tree{"sub/.rules": "- k", "sub/deep/.rules": "!"}, path: "sub/deep/k"},
		{name: "position: earlier global wins", args: []Arg{{"filter", "+ k"}, {"filter", ": .rules"}}, files: tree{"sub/.rules": "- k"}, path: "sub/k"},
		{name: "position: later global loses", args: []Arg{{"filter", ": .rules"}, {"filter", "+ k"}}, files: tree{"sub/.rules": "- k"}, path: "sub/k", exclude: true},
		{name: "e excludes file", args: []Arg{{"filter", ":e .rules"}}, files: tree{"sub/.rules": "+ .rules"}, path: "sub/.rules", exclude: true},
		{name: "F", args: []Arg{{"F", ""}}, files: tree{"a/.rsync-filter": "- *.tmp"}, path: "a/b/x.tmp", exclude: true},
		{name: "F file itself kept", args: []Arg{{"F", ""}}, files: tree{"a/.rsync-filter": "- *.tmp"}, path: "a/.rsync-filter"},
		{name: "FF file excluded", args: []Arg{{"F", ""}, {"F", ""}}, files: tree{"a/.rsync-filter": "- *.tmp"}, path: "a/.rsync-filter", exclude: true},
		{name: "root file", args: []Arg{{"F", ""}}, files: tree{".rsync-filter": "- /top"}, path: "top", exclude: true},
		{name: "exclude-only file", args: []Arg{{"filter", ":- .rules"}}, files: tree{"sub/.rules": "- k"}, path: "sub/- k", exclude: true},
		{name: "word split file", args: []Arg{{"filter", ":w- .rules"}}, files: tree{"sub/.rules": "k m"}, path: "sub/deep/m", exclude: true},
		{name: "cvsignore", args: []Arg{{"filter", ":C"}}, files: tree{"sub/.cvsignore": "k m"}, path: "sub/m", exclude: true},
		{name: "cvsignore not inherited", args: []Arg{{"filter", ":C"}}, files: tree{"sub/.cvsignore": "k m"}, path: "sub/deep/m"},
		{name: "sided dir-merge", args: []Arg{{"filter", ":s .rules"}}, files: tree{"sub/.rules": "- k"}, path: "sub/k", exclude: true},
		{name: "nested dir-merge", args: []Arg{{"filter", ": .rules"}}, files: tree{"sub/.rules": ": .more", "sub/deep/.more": "- z"}, path: "sub/deep/z", exclude: true},
		{name: "nested dir-merge same dir", args: []Arg{{"filter", ": .rules"}}, files: tree{"sub/.rules": ": .more", "sub/.more": "- z"}, path: "sub/z", exclude: true},
		{name: "self dir-merge ignored", args: []Arg{{"filter", ": .rules"}}, files: tree{"sub/.rules": ": .rules\n- z"}, path: "sub/deep/z", exclude: true},
		{name: "merge inside dir-merge", args: []Arg{{"filter", ": .rules"}}, files: tree{"sub/.rules": ". extra", "sub/extra": "- /z"}, path: "sub/z", exclude: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := New(tt.args, Options{})
			if err != nil {
				t.Fatal(err)
			}
			dir := ""
			if i := strings.LastIndexByte(tt.path, '/'); i >= 0 {
				dir = tt.path[:i]
			}
			cur := enterPath(t, rs, tt.files, dir)
			if got := cur.Excluded(tt.path, tt.isDir); got != tt.exclude {
				t.Errorf("Excluded(%q) = %v, want %v; rules %q", tt.path, got, tt.exclude, ruleStrings(cur))
			}
		})
	}
}

func TestDirMergeSidesAndErrors(t *testing.T) {
	rs, err := New([]Arg{{"filter", ": .rules"}}, Options{DeleteExcluded: true})
	if err != nil {
		t.Fatal(err)
	}
	cur := enterPath(t, rs, tree{"d/.rules": "- a\nP b\nH c"}, "d")
	for _, c := range []struct {
		path              string
		excluded, protect bool
	}{{"d/a", true, false}, {"d/b", false, true}, {"d/c", true, false}, {"d/z", false, false}} {
		if got := cur.Excluded(c.path, false); got != c.excluded {
			t.Errorf("Excluded(%q) = %v", c.path, got)
		}
		if got := cur.Protected(c.path, false); got != c.protect {
			t.Errorf("Protected(%q) = %v", c.path, got)
		}
	}
	boom := errors.New("boom")
	_, err = rs.Enter("", func(string) ([]byte, error) { return nil, boom })
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), `reading ".rules"`) {
		t.Errorf("Enter error = %v", err)
	}
	root, _ := rs.Enter("", tree{}.reader(""))
	if _, err = root.Enter("x", tree{"x/.rules": "zzz"}.reader("x")); err == nil || !strings.Contains(err.Error(), `x/.rules line 1: unknown filter rule: "zzz"`) {
		t.Errorf("Enter error = %v", err)
	}
}

// TestEnterImmutable checks that sibling directories do not see each
// other's rules and that rule sets are safe to share (run with -race).
func TestEnterImmutable(t *testing.T) {
	rs, err := New([]Arg{{"F", ""}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tr := tree{"a/.rsync-filter": "- x", "b/.rsync-filter": "- y"}
	root := enterPath(t, rs, tr, "")
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, _ := root.Enter("a", tr.reader("a"))
			b, _ := root.Enter("b", tr.reader("b"))
			if !a.Excluded("a/x", false) || a.Excluded("a/y", false) || b.Excluded("b/x", false) || !b.Excluded("b/y", false) {
				t.Error("sibling rules leaked")
			}
			if root.Excluded("x", false) {
				t.Error("child rules leaked into parent")
			}
		}()
	}
	wg.Wait()
	if r, _ := New(nil, Options{}); r != nil {
		if e, _ := r.Enter("", nil); e != r {
			t.Error("Enter without dir-merge rules should return the receiver")
		}
	}
	var nilRules *Rules
	if nilRules.Excluded("x", false) {
		t.Error("nil Rules excludes")
	}
}
