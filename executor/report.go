package executor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"unicode/utf8"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// fail records an error on one path; an error that no other file can get
// around cancels the run.
func (e *Executor) fail(path string, err error) {
	if errors.Is(err, context.Canceled) {
		return // cancellation is not a file error
	}
	if IsFatal(err) {
		e.fatal(path, err)
		return
	}
	e.errs.add(path, err)
	if isVanished(err) {
		e.opts.Log.Warn().Str("path", path).Err(err).Msg("file has vanished")
		return
	}
	e.opts.Log.Error().Str("path", path).Err(err).Msg("failed")
}

// fatal records an error that ends the run and cancels it.
func (e *Executor) fatal(path string, err error) {
	e.errs.setFatal(err)
	ev := e.opts.Log.Error().Err(err)
	if path != "" {
		ev = ev.Str("path", path)
	}
	ev.Msg("stopping the run")
	if e.cancel != nil {
		e.cancel()
	}
}

// listError reports what a listing could not read. Anything but a
// vanished entry counts as an I/O error, which holds the deletes still to
// come (rsync's "IO error encountered"). The --delete-before pass only
// records it: the transfer's walk meets and reports it again.
func (e *Executor) listError(path string, err error) {
	var unread *walker.AttrsUnreadError
	if !errors.Is(err, fs.ErrNotExist) && !errors.As(err, &unread) {
		e.del.listFailed.Store(true)
	}
	if !e.deletingPass {
		e.fail(path, err)
	}
}

// reportBlind reports a destination directory that could be searched
// but not read (walker.ErrUnlisted) where deletes were asked for: what
// it holds beside the source's names is unknown, so, as in rsync, no
// deletion is made in the run.
func (e *Executor) reportBlind(d *walker.Dir, pol planner.Policy) {
	if d.DstBlind && pol.Delete && !d.Top() {
		e.listError(itemPath(d, "", planner.KindDir), fmt.Errorf("opendir %s (destination): %w", itemPath(d, "", planner.KindDir), walker.ErrUnlisted))
	}
}

// reportDangling reports the source symlinks that were to be followed
// (-L, --copy-unsafe-links) and could not be: listing errors, as in rsync.
// A listed path (-R, --files-from) -L cannot follow is a missing
// argument too under --ignore-missing-args and --delete-missing-args,
// as rsync's stat of its arguments finds it: ignored or deleted, and no
// error but where a listed directory holds it (seed 127950).
func (e *Executor) reportDangling(d *walker.Dir, dangling []*planner.Entry) {
	for _, s := range dangling {
		path := planner.Join(d.Path, s.Name)
		err := errors.New("symlink has no referent")
		_, serr := platform.Statat(d.SrcFd, d.SourceName(s.Name))
		switch {
		case serr != nil && !errors.Is(serr, fs.ErrNotExist):
			err = fmt.Errorf("cannot follow symlink: %v", serr)
		case e.missingListed(path):
			if e.opts.MissingArgs == MissingDelete {
				e.deleteMissingListed(path)
			}
			if !e.list.List.InListing(path) {
				continue
			}
		}
		e.listError(path, fmt.Errorf("stat %s: %w", path, err))
	}
}

// missingListed reports a listed path that, followed (-L), is a missing
// argument rsync ignores or deletes.
func (e *Executor) missingListed(path string) bool {
	l := e.list.List
	return l != nil && l.Listed(path) && e.danglingMissing()
}

// danglingMissing reports that a source argument or listed path -L
// cannot follow (a symlink to nothing) is a missing argument, as rsync's
// stat of its arguments finds it: under --ignore-missing-args and
// --delete-missing-args.
func (e *Executor) danglingMissing() bool {
	return e.opts.Links == walker.LinksFollow && e.opts.MissingArgs != MissingFail
}

// itemPath is the display path of name inside d, as rsync prints it.
func itemPath(d *walker.Dir, name string, k planner.Kind) string {
	p := d.Path // name "" is d itself
	if name != "" {
		p = planner.Join(d.Path, d.SourceName(name)) // a file copied to a new name goes by its own, as in rsync
	}
	if k == planner.KindDir {
		if p == "" {
			return "./"
		}
		p += "/"
	}
	return p
}

// Change is one change to the destination, in rsync's vocabulary.
type Change struct {
	Itemize string // rsync's 11-letter YXcstpoguax string
	Op      planner.Op
	Kind    planner.Kind
	Flags   planner.Change
	Path    string // relative to the transfer root; directories end in "/"
	Target  string // symlink target, or the hard-link target ("=>")
	// Entry holds the source entry's attributes (nil for a deletion).
	Entry *planner.Entry
	Bytes int64 // file data written for it
}

// FormatChange returns ch's line in format, with --out-format's escapes
// (for --log-file-format): what a format without %i leaves out, as -v
// does, is not ok.
func (e *Executor) FormatChange(format string, ch Change) (line string, ok bool) {
	return e.lineIn(format, item{op: ch.Op, kind: ch.Kind, change: ch.Flags, path: ch.Path, target: ch.Target,
		ent: ch.Entry, bytes: ch.Bytes})
}

// say prints one of rsync's informational lines (skips, notes, backups,
// the destination made) on the run's output, unless -q.
func (e *Executor) say(format string, args ...any) {
	if e.opts.Quiet {
		return
	}
	e.outMu.Lock()
	defer e.outMu.Unlock()
	fmt.Fprintf(e.opts.Out, format+"\n", args...)
}

// print reports one change that was made (or, in a dry run, would be
// made): a line on stdout (--out-format, -i, -v), and the OnChange record.
func (e *Executor) print(it item) {
	if e.opts.OnChange != nil {
		e.opts.OnChange(Change{Itemize: planner.Itemize(it.op, it.kind, it.change, e.pol), Op: it.op, Kind: it.kind,
			Flags: it.change, Path: it.path, Target: it.target, Entry: it.ent, Bytes: it.bytes})
	}
	e.printLine(it)
}

// printLine prints an item's stdout line alone: no change is recorded
// (an unchanged entry's -ii line).
func (e *Executor) printLine(it item) {
	line, ok := e.line(it)
	if !ok {
		return
	}
	e.outMu.Lock()
	defer e.outMu.Unlock()
	_, _ = e.opts.Out.Write([]byte(line + "\n"))
}

// line returns the stdout line of an item, as rsync prints it: in the
// --out-format, else -i's "%i %n%L" or -v's "%n%L"; none under -q.
func (e *Executor) line(it item) (string, bool) {
	format := e.opts.OutFormat
	switch {
	case e.opts.Quiet:
		return "", false
	case format == "" && e.opts.Itemize:
		format = "%i %n%L"
	case format == "" && e.opts.Verbose > 0 && e.opts.NoNames && it.op != planner.OpDelete:
		return "", false // --info=name0: -v's deletions without its names
	case format == "" && (e.opts.Verbose > 0 || (e.opts.ShowDeletes && it.op == planner.OpDelete)):
		format = "%n%L"
	case format == "":
		return "", false
	}
	return e.lineIn(format, it)
}

// lineIn returns an item's line in format, which, without %i, lists what
// -v lists: what was transferred or created, directories whose
// attributes changed, and deletions ("deleting NAME" unless the format
// has %o).
func (e *Executor) lineIn(format string, it item) (string, bool) {
	itemized := hasEscape(format, 'i')
	switch {
	case !itemized && it.op == planner.OpMeta && e.opts.Verbose >= 2:
		// -vv lists a file or link whose attributes alone change, as rsync
	case !itemized && (it.op == planner.OpMeta || (it.op == planner.OpDir && it.change == 0)):
		return "", false
	case !itemized && it.op == planner.OpDelete && !hasEscape(format, 'o'):
		return "deleting " + e.escape(it.path), true
	}
	return e.formatLine(format, it), true
}

// escape writes a name as this run prints it (escapeName; -8 leaves
// bytes of invalid UTF-8 as they are, as rsync's --8-bit-output does).
func (e *Executor) escape(s string) string { return escapeName(s, e.opts.EightBit) }

// escapeName writes a name as rsync prints it in a UTF-8 locale: control
// bytes but tab, bytes of invalid UTF-8 (unless eightBit), and the
// backslash of a literal "\#ddd" become \#ooo (octal); the rest, DEL
// included, stays as is.
func escapeName(s string, eightBit bool) string {
	var b strings.Builder
	escaped := false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !mustEscape(s, i, r, n, eightBit) {
			if escaped {
				b.WriteString(s[i : i+n])
			}
			i += n
			continue
		}
		if !escaped {
			b.WriteString(s[:i])
			escaped = true
		}
		fmt.Fprintf(&b, "\\#%03o", s[i])
		i++
	}
	if !escaped {
		return s
	}
	return b.String()
}

// mustEscape reports whether the byte at s[i], which starts rune r of n
// bytes, is printed escaped.
func mustEscape(s string, i int, r rune, n int, eightBit bool) bool {
	switch {
	case r == utf8.RuneError && n == 1:
		return !eightBit
	case r < 0x20:
		return r != '\t'
	case r == '\\':
		rest := s[i+1:]
		return len(rest) >= 4 && rest[0] == '#' && isDigit(rest[1]) && isDigit(rest[2]) && isDigit(rest[3])
	}
	return false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
