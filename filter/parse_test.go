package filter

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

// mapReader serves files from a map; missing names are fs.ErrNotExist.
func mapReader(files map[string]string) ReadFunc {
	return func(name string) ([]byte, error) {
		s, ok := files[name]
		if !ok {
			return nil, fs.ErrNotExist
		}
		return []byte(s), nil
	}
}

func ruleStrings(rs *Rules) string {
	var out []string
	for _, r := range rs.Rules() {
		out = append(out, r.String())
	}
	return strings.Join(out, "; ")
}

func TestParse(t *testing.T) {
	files := map[string]string{
		"ex":    "foo\r\n; comment\n# comment\n\n+ keep\n- drop\n!\nbar\n",
		"inc":   "a\n- b\n",
		"mf":    "- x\n; c\n+ y\ninclude z\n",
		"words": "- a + b\n-  c",
		"pl":    "- a\n+ b\n",
		"nul":   "a\x00b\x00",
	}
	tests := []struct {
		name string
		args []Arg
		opts Options
		want string
	}{
		{name: "short forms", args: []Arg{{"filter", "+ a"}, {"filter", "- b"}, {"filter", "P c"}, {"filter", "R d"}, {"filter", "H e"}, {"filter", "S f"}},
			want: "+ a; - b; -r c; +r d; -s e; +s f"},
		{name: "long forms", args: []Arg{{"filter", "include a"}, {"filter", "exclude b"}, {"filter", "protect c"}, {"filter", "risk d"}, {"filter", "hide e"}, {"filter", "show f"}},
			want: "+ a; - b; -r c; +r d; -s e; +s f"},
		{name: "modifiers", args: []Arg{{"filter", "-!/srpx a"}, {"filter", "+,s b"}, {"filter", "exclude,p c"}},
			want: "-!/srpx a; +s b; -p c"},
		{name: "clear", args: []Arg{{"filter", "- a"}, {"filter", "clear"}, {"filter", "- b"}, {"filter", "- c"}, {"filter", "!"}, {"filter", "- d"}}, want: "- d"},
		{name: "old style exclude", args: []Arg{{"exclude", "a"}, {"exclude", "+ b"}, {"exclude", "- c"}, {"include", "d"}, {"include", "- e"}},
			want: "- a; + b; - c; + d; - e"},
		{name: "exclude keeps rule syntax literal", args: []Arg{{"exclude", "P x"}, {"exclude", "-x"}}, want: "- P x; - -x"},
		{name: "exclude-from", args: []Arg{{"exclude-from", "ex"}}, want: "- bar"},
		{name: "include-from", args: []Arg{{"include-from", "inc"}}, want: "+ a; - b"},
		{name: "from0", args: []Arg{{"exclude-from", "nul"}}, opts: Options{From0: true}, want: "- a; - b"},
		{name: "merge", args: []Arg{{"filter", ". mf"}}, want: "- x; + y; + z"},
		{name: "merge long", args: []Arg{{"filter", "merge mf"}}, want: "- x; + y; + z"},
		{name: "merge exclude-only", args: []Arg{{"filter", ".- pl"}}, want: "- - a; - + b"},
		{name: "merge include-only", args: []Arg{{"filter", ".+ pl"}}, want: "+ - a; + + b"},
		{name: "merge word split", args: []Arg{{"filter", ".w words"}}, want: "- a; + b; - c"},
		{name: "merge sides inherited", args: []Arg{{"filter", ".s pl"}}, want: "-s a; +s b"},
		{name: "merge perishable abs", args: []Arg{{"filter", "merge,p/ pl"}}, want: "-/p a; +/p b"},
		{name: "merge e", args: []Arg{{"filter", ".e pl"}}, want: "- pl; - a; + b"},
		{name: "dir-merge e", args: []Arg{{"filter", ":e .rules"}}, want: "- .rules"},
		{name: "F once", args: []Arg{{"F", ""}}, want: ""},
		{name: "F twice", args: []Arg{{"F", ""}, {"F", ""}}, want: "- .rsync-filter"},
		{name: "F count", args: []Arg{{"exclude", "z"}}, opts: Options{F: 2}, want: "- .rsync-filter; - z"},
		{name: "cvs env", args: []Arg{{"filter", "- a"}}, opts: Options{CVSExclude: true, CVSIgnoreEnv: "zz yy", CVSIgnoreHome: "hh"},
			want: "- a; -p RCS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.ReadFile = mapReader(files)
			rs, err := New(tt.args, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := ruleStrings(rs)
			if !strings.HasPrefix(got, tt.want) || (tt.name != "cvs env" && got != tt.want) {
				t.Errorf("rules = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCVSList(t *testing.T) {
	rs, err := New(nil, Options{CVSExclude: true, CVSIgnoreEnv: "zz yy", CVSIgnoreHome: "hh\n"})
	if err != nil {
		t.Fatal(err)
	}
	got := ruleStrings(rs)
	if !strings.HasSuffix(got, "-p .bzr/; -p hh; -p zz; -p yy") {
		t.Errorf("cvs rules = %q", got)
	}
	root, err := rs.Enter("", mapReader(map[string]string{".cvsignore": "local1 local2\n!\nlocal3"}))
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{"local1": false, "local3": true, "x.o": true, "core": true, "src.c": false} {
		if got := root.Excluded(path, false); got != want {
			t.Errorf("Excluded(%q) = %v, want %v", path, got, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		arg  Arg
		want string
	}{
		{name: "unknown rule", arg: Arg{"filter", "x foo"}, want: `unknown filter rule: "x foo"`},
		{name: "unknown long", arg: Arg{"filter", "excludex"}, want: `unknown filter rule: "excludex"`},
		{name: "empty", arg: Arg{"filter", ""}, want: `unknown filter rule: ""`},
		{name: "bad modifier", arg: Arg{"filter", "-foo"}, want: `invalid modifier 'f' at position 1 in filter rule: "-foo"`},
		{name: "side on hide", arg: Arg{"filter", "Hs foo"}, want: `invalid modifier 's'`},
		{name: "e on exclude", arg: Arg{"filter", "-e x"}, want: `invalid modifier 'e'`},
		{name: "missing pattern", arg: Arg{"filter", "+"}, want: `unexpected end of filter rule: "+"`},
		{name: "missing pattern space", arg: Arg{"filter", "- "}, want: `unexpected end of filter rule`},
		{name: "missing long", arg: Arg{"filter", "exclude"}, want: `unexpected end of filter rule`},
		{name: "missing merge file", arg: Arg{"filter", ". "}, want: `unexpected end of filter rule`},
		{name: "missing dir-merge file", arg: Arg{"filter", ":n-"}, want: `unexpected end of filter rule`},
		{name: "clear with arg", arg: Arg{"filter", "clear x"}, want: `'!' rule has trailing characters`},
		{name: "unknown kind", arg: Arg{"bogus", "x"}, want: `unknown option kind`},
		{name: "merge not found", arg: Arg{"filter", ". nope"}, want: `reading merge file "nope"`},
		{name: "exclude-from not found", arg: Arg{"exclude-from", "nope"}, want: `--exclude-from=nope: reading merge file "nope"`},
		{name: "bad line in merge", arg: Arg{"filter", ". bad"}, want: `bad line 2: unknown filter rule: "oops"`},
		{name: "sided merge with sided rule", arg: Arg{"filter", ".s sided"}, want: `must not specify a side`},
		{name: "recursive merge", arg: Arg{"filter", ". loop"}, want: `nested too deeply`},
	}
	files := map[string]string{"bad": "- ok\noops\n", "sided": "P x\n", "loop": ". loop\n"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New([]Arg{tt.arg}, Options{ReadFile: mapReader(files)})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	_, err := New([]Arg{{"filter", ". nope"}}, Options{ReadFile: mapReader(files)})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v does not wrap fs.ErrNotExist", err)
	}
}
