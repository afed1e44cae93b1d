package executor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/treesync/treesync/planner"
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

func (e *Executor) listError(path string, err error) { e.fail(path, err) }

// itemPath is the display path of name inside d, as rsync prints it.
func itemPath(d *walker.Dir, name string, k planner.Kind) string {
	p := d.Path // name "" is d itself
	if name != "" {
		p = planner.Join(d.Path, name)
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
}

// print reports one change that was made (or, in a dry run, would be
// made): an itemize or -v line, and the OnChange record.
func (e *Executor) print(op planner.Op, k planner.Kind, change planner.Change, path, target string) {
	if e.opts.OnChange != nil {
		e.opts.OnChange(Change{Itemize: planner.Itemize(op, k, change, e.pol), Op: op, Kind: k,
			Flags: change, Path: path, Target: target})
	}
	if !e.opts.Itemize && e.opts.Verbose == 0 {
		return
	}
	var b strings.Builder
	switch {
	case e.opts.Itemize:
		b.WriteString(planner.Itemize(op, k, change, e.pol))
		b.WriteByte(' ')
	case op == planner.OpMeta || op == planner.OpDir:
		return // -v lists only what was transferred or created
	case op == planner.OpDelete:
		b.WriteString("deleting ")
	}
	b.WriteString(escape(path))
	switch {
	case op == planner.OpLink:
		b.WriteString(" => ")
		b.WriteString(escape(target))
	case k == planner.KindSymlink && op != planner.OpDelete:
		b.WriteString(" -> ")
		b.WriteString(escape(target))
	}
	b.WriteByte('\n')
	e.outMu.Lock()
	defer e.outMu.Unlock()
	_, _ = e.opts.Out.Write([]byte(b.String()))
}

// escape writes non-printable bytes and invalid UTF-8 as rsync does: \#ooo.
func escape(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f || s[i] >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		if (r == utf8.RuneError && n == 1) || r < 0x20 || r == 0x7f {
			fmt.Fprintf(&b, "\\#%03o", s[0])
			s = s[1:]
			continue
		}
		b.WriteString(s[:n])
		s = s[n:]
	}
	return b.String()
}
