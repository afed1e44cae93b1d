package filter

import "testing"

func TestMatch(t *testing.T) {
	tests := []struct {
		name    string
		rules   []string // --filter values, in order
		path    string
		isDir   bool
		exclude bool
	}{
		{name: "basename", rules: []string{"- *.o"}, path: "a/b/x.o", exclude: true},
		{name: "basename no match", rules: []string{"- *.o"}, path: "a/x.c"},
		{name: "star stops at slash", rules: []string{"- a*"}, path: "ab/c"},
		{name: "literal", rules: []string{"- foo"}, path: "x/foo", exclude: true},
		{name: "literal dir", rules: []string{"- foo"}, path: "foo", isDir: true, exclude: true},
		{name: "anchored root", rules: []string{"- /foo"}, path: "foo", exclude: true},
		{name: "anchored deep", rules: []string{"- /foo"}, path: "a/foo"},
		{name: "anchored path", rules: []string{"- /a/b"}, path: "a/b", exclude: true},
		{name: "dir only file", rules: []string{"- foo/"}, path: "foo"},
		{name: "dir only dir", rules: []string{"- foo/"}, path: "x/foo", isDir: true, exclude: true},
		{name: "inner slash trailing comps", rules: []string{"- a/b"}, path: "x/a/b", exclude: true},
		{name: "inner slash exact", rules: []string{"- a/b"}, path: "a/b", exclude: true},
		{name: "inner slash partial comp", rules: []string{"- a/b"}, path: "xa/b"},
		{name: "foo/*/bar", rules: []string{"- foo/*/bar"}, path: "r/foo/x/bar", exclude: true},
		{name: "foo/*/bar too deep", rules: []string{"- foo/*/bar"}, path: "foo/x/y/bar"},
		{name: "/foo/**/bar deep", rules: []string{"- /foo/**/bar"}, path: "foo/x/y/bar", exclude: true},
		{name: "/foo/**/bar shallow", rules: []string{"- /foo/**/bar"}, path: "foo/bar"},
		{name: "**/b at root", rules: []string{"- **/b"}, path: "b", exclude: true},
		{name: "**/b deep", rules: []string{"- **/b"}, path: "x/y/b", exclude: true},
		{name: "unanchored ** any start", rules: []string{"- a/**/z"}, path: "q/a/b/c/z", exclude: true},
		{name: "unanchored ** partial comp", rules: []string{"- a/**/z"}, path: "qa/b/z"},
		{name: "** no slash full path", rules: []string{"- x**y"}, path: "d/x1/2y", exclude: true},
		{name: "/a/** contents", rules: []string{"- /a/**"}, path: "a/f", exclude: true},
		{name: "/a/** not a", rules: []string{"- /a/**"}, path: "a", isDir: true},
		{name: "*** dir", rules: []string{"- foo/***"}, path: "foo", isDir: true, exclude: true},
		{name: "*** file named like dir", rules: []string{"- foo/***"}, path: "foo"},
		{name: "*** contents", rules: []string{"- foo/***"}, path: "foo/a/b", exclude: true},
		{name: "question", rules: []string{"- ?.c"}, path: "a.c", exclude: true},
		{name: "question not slash", rules: []string{"- a?b"}, path: "a/b"},
		{name: "class", rules: []string{"- [ab].c"}, path: "b.c", exclude: true},
		{name: "class miss", rules: []string{"- [ab].c"}, path: "c.c"},
		{name: "class range", rules: []string{"- [a-c]x"}, path: "bx", exclude: true},
		{name: "class negated", rules: []string{"- [!a]x"}, path: "bx", exclude: true},
		{name: "class caret", rules: []string{"- [^a]x"}, path: "ax"},
		{name: "class bracket first", rules: []string{"- []]x"}, path: "]x", exclude: true},
		{name: "class posix", rules: []string{"- [[:digit:]]*"}, path: "9lives", exclude: true},
		{name: "class posix miss", rules: []string{"- [[:upper:]]*"}, path: "lower"},
		{name: "class never slash", rules: []string{"- a[/]b"}, path: "a/b"},
		{name: "unclosed class", rules: []string{"- [ab"}, path: "[ab"},
		{name: "escape star", rules: []string{"- a\\*"}, path: "a*", exclude: true},
		{name: "escape star miss", rules: []string{"- a\\*"}, path: "ab"},
		{name: "backslash literal without wildcard", rules: []string{"- ba\\r"}, path: "ba\\r", exclude: true},
		{name: "backslash escape with wildcard", rules: []string{"- ba\\r*"}, path: "bar", exclude: true},
		{name: "first match wins", rules: []string{"+ keep.o", "- *.o"}, path: "keep.o"},
		{name: "first match wins 2", rules: []string{"- *.o", "+ keep.o"}, path: "keep.o", exclude: true},
		{name: "include then exclude all", rules: []string{"+ */", "+ *.c", "- *"}, path: "a/b.h", exclude: true},
		{name: "include dirs", rules: []string{"+ */", "+ *.c", "- *"}, path: "a", isDir: true},
		{name: "negate file", rules: []string{"-! */"}, path: "a/f", exclude: true},
		{name: "negate dir", rules: []string{"-! */"}, path: "a", isDir: true},
		{name: "hide is sender", rules: []string{"H *.o"}, path: "x.o", exclude: true},
		{name: "protect not sender", rules: []string{"P *.o"}, path: "x.o"},
		{name: "receiver-only exclude", rules: []string{"-r *.o"}, path: "x.o"},
		{name: "show overrides", rules: []string{"S x.o", "- *.o"}, path: "x.o"},
		{name: "risk skipped on sender", rules: []string{"R x.o", "- *.o"}, path: "x.o", exclude: true},
		{name: "xattr ignored", rules: []string{"-x user.*"}, path: "user.foo"},
		{name: "abs path", rules: []string{"-/ /home/src/a"}, path: "a", exclude: true},
		{name: "abs path wrong root", rules: []string{"-/ /src/a"}, path: "a"},
		{name: "abs path trailing", rules: []string{"-/ src/a"}, path: "a", exclude: true},
		{name: "abs path basename", rules: []string{"-/ a"}, path: "x/a", exclude: true},
		{name: "clear", rules: []string{"- *.o", "!", "- *.c"}, path: "x.o"},
		{name: "long names", rules: []string{"exclude,! */"}, path: "f", exclude: true},
		{name: "underscore", rules: []string{"-_foo"}, path: "foo", exclude: true},
		{name: "spaces in pattern", rules: []string{"-  foo"}, path: " foo", exclude: true},
		{name: "trailing space kept", rules: []string{"- foo "}, path: "foo"},
		{name: "cvs", rules: []string{"-C"}, path: "a/b.o", exclude: true},
		{name: "cvs dir only", rules: []string{"-C"}, path: ".git"},
		{name: "cvs git dir", rules: []string{"-C"}, path: ".git", isDir: true, exclude: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var args []Arg
			for _, r := range tt.rules {
				args = append(args, Arg{Kind: "filter", Value: r})
			}
			rs, err := New(args, Options{AbsRoot: "/home/src"})
			if err != nil {
				t.Fatal(err)
			}
			if got := rs.Excluded(tt.path, tt.isDir); got != tt.exclude {
				t.Errorf("Excluded(%q, %v) with %q = %v, want %v", tt.path, tt.isDir, tt.rules, got, tt.exclude)
			}
		})
	}
}

func TestProtected(t *testing.T) {
	tests := []struct {
		name      string
		rules     []string
		delExcl   bool
		path      string
		protected bool
		deleting  bool // ProtectedDeleting
	}{
		{name: "exclude protects", rules: []string{"- *.o"}, path: "x.o", protected: true},
		{name: "include risks", rules: []string{"+ x.o", "- *.o"}, path: "x.o"},
		{name: "hide does not protect", rules: []string{"H *.o"}, path: "x.o"},
		{name: "protect", rules: []string{"P *.o"}, path: "x.o", protected: true},
		{name: "risk", rules: []string{"R x.o", "P *.o"}, path: "x.o"},
		{name: "sender-only skipped", rules: []string{"-s x.o", "- *.o"}, path: "x.o", protected: true},
		{name: "sender-only include skipped", rules: []string{"+s x.o", "- *.o"}, path: "x.o", protected: true},
		{name: "delete-excluded", rules: []string{"- *.o"}, delExcl: true, path: "x.o"},
		{name: "delete-excluded keeps P", rules: []string{"P *.o"}, delExcl: true, path: "x.o", protected: true},
		{name: "delete-excluded keeps -r", rules: []string{"-r *.o"}, delExcl: true, path: "x.o", protected: true},
		{name: "perishable protects", rules: []string{"-p *.o"}, path: "x.o", protected: true},
		{name: "perishable while deleting", rules: []string{"-p *.o"}, path: "x.o", deleting: true},
		{name: "plain while deleting", rules: []string{"- *.o"}, path: "x.o", protected: true, deleting: true},
		{name: "cvs perishable", rules: []string{"-C"}, path: "d/x.o", deleting: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var args []Arg
			for _, r := range tt.rules {
				args = append(args, Arg{Kind: "filter", Value: r})
			}
			rs, err := New(args, Options{DeleteExcluded: tt.delExcl})
			if err != nil {
				t.Fatal(err)
			}
			got := rs.Protected(tt.path, false)
			if tt.deleting {
				got = rs.ProtectedDeleting(tt.path, false)
			}
			if got != tt.protected {
				t.Errorf("protected(%q) with %q = %v, want %v", tt.path, tt.rules, got, tt.protected)
			}
		})
	}
}
