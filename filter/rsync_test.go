package filter

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// diffTree is the source tree of the differential tests; names ending in
// "/" are directories, "=" separates a file's name from its content.
var diffTree = []string{
	"af", "b.o", "keep.o", "foo/", "foo/f", "foo/foo", "bar", "x.c", "x.h", "core", "a b", "[x]", "a*b",
	"a/", "a/b/", "a/b/1", "a/b/c.o", "x/", "x/a/", "x/a/b/", "x/a/b/2", "x/foo", ".git/", ".git/HEAD",
	"sub/", "sub/k", "sub/m", "sub/x/", "sub/x/y", "sub/deep/", "sub/deep/k", "sub/deep/m", "sub/deep/y",
	"sub/deep/z.tmp", "c/", "c/foo", "c/d/", "c/d/foo/", "c/d/foo/e", "cvs.old", "#tmp", "tags", "src/",
	"src/main.c", "src/main.o", "src/lib/", "src/lib/u.c", "src/lib/u.h", "src/lib/x.tmp", "1/", "1/2/", "1/2/3",
	"sub/.rsync-filter=- k\n+ m\n- /x\n", "sub/deep/.rsync-filter=- m\n- *.tmp\n",
	"src/.rsync-filter=- /lib/u.h\n+ *.c\n- *\n", ".rsync-filter=- *.o\n",
}

func buildTree(t *testing.T, root string, entries []string) {
	t.Helper()
	for _, e := range entries {
		name, content, _ := strings.Cut(e, "=")
		p := filepath.Join(root, filepath.FromSlash(name))
		var err error
		if strings.HasSuffix(name, "/") {
			err = os.MkdirAll(p, 0o755)
		} else if err = os.MkdirAll(filepath.Dir(p), 0o755); err == nil {
			err = os.WriteFile(p, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func needRsync(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("rsync")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("rsync not found on PATH (required when CI=true)")
		}
		t.Skip("rsync not found on PATH")
	}
	return bin
}

// runRsync returns rsync's --out-format lines, sorted, minus "./".
func runRsync(t *testing.T, bin string, args ...string) []string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "CVSIGNORE=", "HOME="+t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("rsync %q: %v\n%s", args, err, out)
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if l := sc.Text(); l != "./" && l != "" {
			lines = append(lines, l)
		}
	}
	sort.Strings(lines)
	return lines
}

// argsToFilter turns rsync filter options into Args.
func argsToFilter(opts []string) ([]Arg, Options) {
	var args []Arg
	var o Options
	for _, s := range opts {
		switch {
		case s == "-F":
			args = append(args, Arg{Kind: "F"})
		case s == "-C":
			o.CVSExclude = true
		case s == "--delete-excluded":
			o.DeleteExcluded = true
		default:
			k, v, _ := strings.Cut(strings.TrimPrefix(s, "--"), "=")
			args = append(args, Arg{Kind: k, Value: v})
		}
	}
	return args, o
}

// walkIncluded lists what the package says the sender sends, in rsync's
// %n form (directories with a trailing "/").
func walkIncluded(t *testing.T, rs *Rules, root, dir string, out *[]string) {
	t.Helper()
	cur, err := rs.Enter(dir, DirReader(filepath.Join(root, filepath.FromSlash(dir))))
	if err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(dir)))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		p := joinPath(dir, e.Name())
		if cur.Excluded(p, e.IsDir()) {
			continue
		}
		if e.IsDir() {
			*out = append(*out, p+"/")
			walkIncluded(t, cur, root, p, out)
		} else {
			*out = append(*out, p)
		}
	}
}

var diffCases = [][]string{
	{},
	{"--exclude=*.o"},
	{"--exclude=foo"},
	{"--exclude=/foo"},
	{"--exclude=foo/"},
	{"--exclude=a/b"},
	{"--exclude=foo/***"},
	{"--exclude=/a/**"},
	{"--exclude=**/b"},
	{"--exclude=x/**/2"},
	{"--exclude=a?b"},
	{"--exclude=[[]x]", "--exclude=[ab]"},
	{"--exclude=[!a-c]*"},
	{"--exclude=a\\*b"},
	{"--exclude=a b"},
	{"--include=*/", "--include=*.c", "--exclude=*"},
	{"--include=foo/", "--include=foo/f", "--exclude=*"},
	{"--filter=-! */"},
	{"--filter=+ keep.o", "--filter=- *.o"},
	{"--filter=H *.o", "--filter=P *.c"},
	{"--filter=-/ " + "ROOT/x.c"},
	{"--filter=-/ sub/k"},
	{"--exclude=+ foo", "--exclude=*"},
	{"--filter=- *.h", "--filter=!", "--filter=- *.c"},
	{"-C"},
	{"-C", "--include=core"},
	{"-F"},
	{"-F", "-F"},
	{"--include=m", "-F"},
	{"-F", "--exclude=src/lib/"},
	{"--filter=:n .rsync-filter"},
	{"--filter=:e .rsync-filter"},
	{"--filter=dir-merge,- .rsync-filter"},
	{"--exclude=1/*/3", "--exclude=sub/*/k"},
	{"--exclude=**"},
	{"--exclude=*/", "--include=*"},
}

func TestRsyncDifferential(t *testing.T) {
	bin := needRsync(t)
	base := t.TempDir()
	src := filepath.Join(base, "src")
	buildTree(t, src, diffTree)
	for _, c := range diffCases {
		for i := range c {
			c[i] = strings.ReplaceAll(c[i], "ROOT", strings.TrimPrefix(src, "/"))
		}
		t.Run(strings.Join(c, " "), func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "dst")
			want := runRsync(t, bin, slices.Concat([]string{"-r", "--dry-run", "--out-format=%n"}, c, []string{src + "/", dst + "/"})...)
			args, o := argsToFilter(c)
			o.AbsRoot = src
			rs, err := New(args, o)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			walkIncluded(t, rs, src, "", &got)
			sort.Strings(got)
			if len(c) == 0 && len(want) < len(diffTree)-5 {
				t.Fatal("rsync listed nothing")
			}
			if !slices.Equal(got, want) {
				t.Errorf("mismatch\n only rsync:   %q\n only filter:  %q", minus(want, got), minus(got, want))
			}
		})
	}
}

func minus(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}
