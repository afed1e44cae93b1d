package executor

import (
	"testing"

	"github.com/treesync/treesync/planner"
)

func TestFormatLine(t *testing.T) {
	e := &Executor{sources: []source{{path: "src/", contents: true}, {path: "/abs/dir"}}, opts: Options{ShowOwner: true, ShowGroup: true}}
	file := &planner.Entry{Kind: planner.KindFile, Size: 1234567, Mode: 0o4754, UID: 7, GID: 8}
	copied := item{op: planner.OpCopy, kind: planner.KindFile, change: planner.ChangeNew, path: "a/b", ent: file, bytes: 1234567}
	for _, c := range []struct {
		spec string
		it   item
		want string
	}{
		{"%n|%f|%l|%b|%o|%B|%U:%G", copied, "a/b|src/a/b|1234567|1234567|send|rwsr-xr--|7:8"},
		{"%'l|%''l|%'''l|%'b", copied, "1,234,567|1.23M|1.18M|1,234,567"},
		{"[%10n][%-5n][%3l]", copied, "[       a/b][a/b  ][1234567]"},
		{"%% %q %h %", copied, "% %q %h %"},
		{"%n%L", item{op: planner.OpSymlink, kind: planner.KindSymlink, path: "l", target: "to"}, "l -> to"},
		{"%n%L %l", item{op: planner.OpLink, kind: planner.KindFile, path: "h", target: "a/b", ent: file}, "h => a/b 1234567"},
		{"%f|%f", item{op: planner.OpMkdir, kind: planner.KindDir, path: "dir/x/"}, "abs/dir/x|abs/dir/x"},
		{"%o %n %f %l %B", item{op: planner.OpDelete, kind: planner.KindFile, path: "gone\n"}, `del. gone\#012 gone\#012 0 ---------`},
		{"%M", item{op: planner.OpDelete, kind: planner.KindFile, path: "x"}, "1970/01/01-00:00:00"},
	} {
		if got := e.formatLine(c.spec, c.it); got != c.want {
			t.Errorf("%q: got %q, want %q", c.spec, got, c.want)
		}
	}
	// Without -o and -g (as rsync): 0 and DEFAULT; with them, the ids
	// the source had before --chown or a map.
	mapped := *file
	(&planner.Transform{UID: 5, GID: 6, KeepIDs: true}).Apply(&mapped)
	for _, c := range []struct {
		owner, group bool
		want         string
	}{{false, false, "0:DEFAULT"}, {true, false, "7:DEFAULT"}, {false, true, "0:8"}, {true, true, "7:8"}} {
		e.opts.ShowOwner, e.opts.ShowGroup = c.owner, c.group
		if got := e.formatLine("%U:%G", item{op: planner.OpCopy, kind: planner.KindFile, path: "a", ent: &mapped}); got != c.want || mapped.UID != 5 {
			t.Errorf("-o %v -g %v: got %q, want %q (uid %d)", c.owner, c.group, got, c.want, mapped.UID)
		}
	}
}

func TestHasEscape(t *testing.T) {
	for spec, want := range map[string]bool{"%i %n": true, "%-12i": true, "%%i": false, "%n": false, "100%": false, "%'10i": true} {
		if got := hasEscape(spec, 'i'); got != want {
			t.Errorf("hasEscape(%q) = %v", spec, got)
		}
	}
}
