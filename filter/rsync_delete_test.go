package filter

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// deleteDst is the destination tree of the --delete differential test.
var deleteDst = []string{
	"x.o", "y", "keep/", "keep/z.o", "keep/w", "gone/", "gone/q.o", "gone/r", "gone/in/", "gone/in/s",
	"prot/", "prot/a", "cvs/", "cvs/CVS/", "cvs/CVS/Entries", "m.c",
}

var deleteSrc = []string{"a", "b.o", "keep/", "keep/f", "prot/", "prot/b"}

// simulateDelete lists what the package would delete, following rsync:
// a dst-only entry is deleted unless Protected; a deleted directory's
// contents are checked with ProtectedDeleting, and the directory survives
// if anything inside does.
func simulateDelete(t *testing.T, rs *Rules, src, dst, dir string, out *[]string) {
	t.Helper()
	srcNames := map[string]bool{}
	ents, _ := os.ReadDir(filepath.Join(src, dir))
	for _, e := range ents {
		if !rs.Excluded(joinPath(dir, e.Name()), e.IsDir()) {
			srcNames[e.Name()] = true
		}
	}
	dents, err := os.ReadDir(filepath.Join(dst, dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range dents {
		p := joinPath(dir, e.Name())
		switch {
		case srcNames[e.Name()] && e.IsDir():
			simulateDelete(t, rs, src, dst, p, out)
		case srcNames[e.Name()], rs.Protected(p, e.IsDir()):
		default:
			deleteAll(rs, dst, p, e.IsDir(), out)
		}
	}
}

// deleteAll deletes p recursively and reports whether p went away.
func deleteAll(rs *Rules, dst, p string, isDir bool, out *[]string) bool {
	ok := true
	if isDir {
		ents, _ := os.ReadDir(filepath.Join(dst, p))
		for _, e := range ents {
			c := p + "/" + e.Name()
			if rs.ProtectedDeleting(c, e.IsDir()) || !deleteAll(rs, dst, c, e.IsDir(), out) {
				ok = false
			}
		}
	}
	if ok {
		if isDir {
			p += "/"
		}
		*out = append(*out, p)
	}
	return ok
}

func TestRsyncDeleteDifferential(t *testing.T) {
	bin := needRsync(t)
	cases := [][]string{
		{}, {"--exclude=*.o"}, {"--filter=-p *.o"}, {"--filter=H *.o"}, {"--filter=P *.o"},
		{"--exclude=*.o", "--delete-excluded"}, {"--filter=-r *.o", "--delete-excluded"},
		{"--filter=P gone/"}, {"--filter=P keep/"}, {"-C"}, {"--filter=R x.o", "--filter=- *.o"},
		{"--filter=-s x.o", "--filter=- *.o"}, {"--exclude=in/"}, {"--filter=P /prot/a"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c, " "), func(t *testing.T) {
			base := t.TempDir()
			src, dst := filepath.Join(base, "src"), filepath.Join(base, "dst")
			buildTree(t, src, deleteSrc)
			buildTree(t, dst, deleteDst)
			lines := runRsync(t, bin, slices.Concat([]string{"-r", "--dry-run", "--delete", "--out-format=%o:%n"}, c, []string{src + "/", dst + "/"})...)
			var want []string
			for _, l := range lines {
				if n, ok := strings.CutPrefix(l, "del.:"); ok {
					want = append(want, n)
				}
			}
			args, o := argsToFilter(c)
			rs, err := New(args, o)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			simulateDelete(t, rs, src, dst, "", &got)
			sort.Strings(got)
			if !slices.Equal(got, want) {
				t.Errorf("deletes differ\n rsync:  %q\n filter: %q", want, got)
			}
		})
	}
}
