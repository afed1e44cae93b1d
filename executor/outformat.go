package executor

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/treesync/treesync/planner"
)

// item is one reported change: what print writes and OnChange receives.
type item struct {
	op     planner.Op
	kind   planner.Kind
	change planner.Change
	path   string         // relative to the transfer root; directories end in "/"
	target string         // symlink target, or the hard-link target ("=>")
	ent    *planner.Entry // its attributes (the deleted entry's for a delete); nil when unknown
	bytes  int64          // file data written for it
}

// formatLine renders an item with --out-format's escapes, as rsync does
// for a local transfer: %n name, %f source path, %L " -> target" or
// " => target", %l length, %b bytes written, %i itemize string, %o
// operation (send, del.), %B permissions, %U uid, %G gid, %M mtime, %t
// time now, %p process id, %% a percent sign. A width may come after the
// %, left-aligned with a '-'; for %l and %b, one apostrophe groups digits
// (1,234), two give units of 1000 (1.23K), three units of 1024. Escapes
// of rsync's daemon and checksum ones (%h %a %m %P %u %c %C) are left as
// they are written (rsync prints daemon ones so in a local transfer).
func (e *Executor) formatLine(spec string, it item) string {
	var b strings.Builder
	for i := 0; i < len(spec); i++ {
		if spec[i] != '%' {
			b.WriteByte(spec[i])
			continue
		}
		j, left, group, width := formatFlags(spec, i+1)
		if j >= len(spec) {
			b.WriteString(spec[i:])
			break
		}
		v, ok := e.formatValue(spec[j], group, it)
		if !ok {
			v = spec[i : j+1]
		}
		if pad := width - len(v); pad > 0 && left {
			v += strings.Repeat(" ", pad)
		} else if pad > 0 {
			v = strings.Repeat(" ", pad) + v
		}
		b.WriteString(v)
		i = j
	}
	return b.String()
}

// hasEscape reports whether the --out-format spec has the escape c.
func hasEscape(spec string, c byte) bool {
	for i := 0; i < len(spec); i++ {
		if spec[i] == '%' {
			j, _, _, _ := formatFlags(spec, i+1)
			if j < len(spec) && spec[j] == c {
				return true
			}
			i = j
		}
	}
	return false
}

// formatFlags reads the flags after a '%' at i: '-' (left-align) and
// apostrophes (digit grouping) in any order, then a width. It returns
// the index of the escape letter.
func formatFlags(spec string, i int) (j int, left bool, group, width int) {
	for ; i < len(spec) && (spec[i] == '-' || spec[i] == '\''); i++ {
		if spec[i] == '-' {
			left = true
		} else {
			group++
		}
	}
	for ; i < len(spec) && spec[i] >= '0' && spec[i] <= '9'; i++ {
		width = width*10 + int(spec[i]-'0')
	}
	return i, left, group, width
}

// formatValue returns the value of one escape letter.
func (e *Executor) formatValue(c byte, group int, it item) (string, bool) {
	ent := it.ent
	if ent == nil || it.op == planner.OpDelete {
		ent = &planner.Entry{Kind: it.kind} // rsync shows a deletion's attributes as zeros
	}
	switch c {
	case 'n':
		if it.op != planner.OpDelete {
			return e.escape(e.list.NamePrefix + it.path), true
		}
		return e.escape(it.path), true
	case 'f':
		if it.op == planner.OpDelete { // only the destination has it
			return e.escape(strings.TrimSuffix(it.path, "/")), true
		}
		return e.escape(e.sourcePath(it.path)), true
	case 'L':
		return e.linkSuffix(it), true
	case 'l':
		return GroupNumber(itemLength(it, ent), group), true
	case 'b':
		return GroupNumber(it.bytes, group), true
	case 'i':
		return planner.Itemize(it.op, it.kind, it.change, e.pol), true
	case 'o':
		if it.op == planner.OpDelete {
			return "del.", true
		}
		return "send", true
	case 'U', 'G':
		return e.idValue(c, ent), true
	}
	return attrValue(c, ent)
}

// idValue is %U or %G (c) of ent, as rsync shows them: the source's own
// owner and group (before --chown or a map), where -o or -g was asked
// for (kept or not); else 0 for the owner, DEFAULT for the group.
func (e *Executor) idValue(c byte, ent *planner.Entry) string {
	uid, gid := ent.OwnIDs()
	switch {
	case c == 'U' && e.opts.ShowOwner:
		return strconv.FormatUint(uint64(uid), 10)
	case c == 'U':
		return "0"
	case e.opts.ShowGroup:
		return strconv.FormatUint(uint64(gid), 10)
	}
	return "DEFAULT"
}

// attrValue returns the value of an attribute escape of ent, or of the
// time escapes.
func attrValue(c byte, ent *planner.Entry) (string, bool) {
	switch c {
	case 'B':
		return PermString(ent.Mode), true
	case 'M':
		return time.Unix(0, ent.Mtime).Format("2006/01/02-15:04:05"), true
	case 't':
		return time.Now().Format("2006/01/02 15:04:05"), true
	case 'p':
		return strconv.Itoa(os.Getpid()), true
	case '%':
		return "%", true
	}
	return "", false
}

// linkSuffix is what -v and %L add after a name: a symlink's target or
// the name a hard link points to.
func (e *Executor) linkSuffix(it item) string {
	switch {
	case it.op == planner.OpLink && it.kind == planner.KindFile && it.target != "": // (none for a name linked already: -ii)
		return " => " + e.escape(it.target)
	case it.kind == planner.KindSymlink && it.op != planner.OpDelete:
		return " -> " + e.escape(it.target)
	}
	return ""
}

// itemLength is %l: a file's or directory's size, a symlink's target
// length, 0 for a deletion.
func itemLength(it item, ent *planner.Entry) int64 {
	if it.op != planner.OpDelete && it.kind == planner.KindSymlink {
		return int64(len(it.target))
	}
	return ent.Size
}

// GroupNumber formats n as rsync's apostrophes ask: none, digit groups,
// or units of 1000 or 1024 with two decimals.
func GroupNumber(n int64, group int) string {
	s := strconv.FormatInt(n, 10)
	switch {
	case group == 1:
		for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
			s = s[:i] + "," + s[i:]
		}
	case group >= 2:
		unit := 1000.0
		if group >= 3 {
			unit = 1024
		}
		if f := float64(n); f >= unit {
			i := 0
			for ; f >= unit && i < 6; i++ {
				f /= unit
			}
			s = fmt.Sprintf("%.2f%c", f, "KMGTPE"[i-1])
		}
	}
	return s
}

// PermString is %B (and --list-only's): the nine permission letters as
// ls shows them, with the setuid, setgid and sticky bits.
func PermString(mode uint32) string {
	b := []byte("rwxrwxrwx")
	for i := range b {
		if mode&(1<<(8-i)) == 0 {
			b[i] = '-'
		}
	}
	special := func(bit uint32, at int, set byte) {
		if mode&bit != 0 {
			if b[at] == '-' {
				b[at] = set - 'a' + 'A'
			} else {
				b[at] = set
			}
		}
	}
	special(0o4000, 2, 's')
	special(0o2000, 5, 's')
	special(0o1000, 8, 't')
	return string(b)
}

// sourcePath is %f: the item's path as the source side names it — under
// the source directory given with a trailing slash, or beside the one
// given without — without a leading slash, as rsync prints it.
func (e *Executor) sourcePath(path string) string {
	path = strings.TrimSuffix(path, "/")
	if path == "" {
		path = "."
	}
	first, _, _ := strings.Cut(path, "/")
	base := ""
	for _, s := range e.sources {
		name := strings.TrimRight(s.path, "/")
		if !s.contents && filepath.Base(name) == first {
			base = strings.TrimSuffix(name, filepath.Base(name))
			break
		}
		if s.contents && base == "" {
			base = name + "/"
		}
	}
	return strings.TrimLeft(base+path, "/")
}
