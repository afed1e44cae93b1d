package executor

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// source is one command-line source, inspected.
type source struct {
	path     string
	contents bool // "SRC/": copy what is inside, not the directory itself
	st       platform.Stat
	list     SourceList // the paths below it to transfer (--files-from, -R)
}

type roots struct {
	list    []walker.Root
	lists   []rootList // each root's, in the same order
	destFd  int
	missing []string // the destination names of missing sources --delete-missing-args deletes
}

// rootList is what a root's walk is restricted to, and where its listed
// paths are looked for when the walk did not meet them.
type rootList struct {
	SourceList
	base    string
	index   int          // the root's, in the order the sources were given
	implied *impliedDirs // of the list
}

func (r *roots) close() { _ = platform.Close(r.destFd) }

// resolve inspects the sources and the destination and returns one
// walker root per source. Problems with one source are recorded and the
// others still run; a destination that cannot be used is fatal.
func (e *Executor) resolve(paths []string, dest string) (*roots, error) {
	srcs, missing := e.inspectAll(paths)
	r := &roots{destFd: -1}
	if len(srcs)+len(missing) == 0 {
		return r, nil
	}
	e.sources = srcs
	destFd, rename, err := e.openDest(srcs, dest)
	if err != nil {
		return r, err
	}
	r.destFd, r.missing = destFd, missing
	var rooted []source
	for _, s := range srcs {
		if s.st.IsDir() && !e.pol.Recursive && !e.pol.Dirs && s.list.List == nil { // --files-from lists what to take from it
			e.skipDir(s)
			continue
		}
		root, err := e.root(s, destFd, rename)
		if err != nil {
			e.fail(s.path, err)
			continue
		}
		if root != nil {
			r.lists = append(r.lists, rootList{SourceList: s.list, base: s.path, index: len(r.list), implied: &impliedDirs{}})
			r.list = append(r.list, *root)
			rooted = append(rooted, s)
		}
	}
	e.overlay = newOverlay(rooted, r.lists, e.pol, e.opts.Links)
	return r, nil
}

// skipDir reports a directory source without -r, left out as rsync
// leaves it out (the destination is made all the same).
func (e *Executor) skipDir(s source) {
	name := "."
	if !s.contents {
		name = filepath.Base(strings.TrimRight(s.path, "/"))
	}
	e.say("skipping directory %s", e.escape(name))
}

// inspectAll inspects the sources: those there, and for the missing ones
// (failed but under --ignore-missing-args or --delete-missing-args) the
// destination names --delete-missing-args deletes.
func (e *Executor) inspectAll(paths []string) (srcs []source, missing []string) {
	for i, p := range paths {
		s, err := inspect(p)
		switch {
		case err == nil && e.danglingArg(s):
			if e.opts.MissingArgs == MissingDelete {
				missing = append(missing, filepath.Base(p))
			}
		case err == nil:
			s.list = SourceList{List: e.opts.FilesFrom, FilesFrom: e.opts.FilesFrom != nil}
			if i < len(e.opts.Lists) {
				s.list = e.opts.Lists[i]
			}
			srcs = append(srcs, s)
		case e.opts.MissingArgs != MissingFail && errors.Is(err, fs.ErrNotExist) && !s.contents && isDir(filepath.Dir(p)):
			// (a missing directory on the way, or a missing directory
			// whose contents are asked for, is an error, as rsync's
			// change_dir fails)
			if e.opts.MissingArgs == MissingDelete {
				missing = append(missing, filepath.Base(p))
			}
		default:
			e.fail(p, err)
		}
	}
	return srcs, missing
}

// danglingArg reports a source argument that is a missing one for
// danglingMissing.
func (e *Executor) danglingArg(s source) bool {
	if !e.danglingMissing() || s.contents || !s.st.IsSymlink() {
		return false
	}
	_, err := platform.Statat(platform.CurrentDir, s.path)
	return errors.Is(err, fs.ErrNotExist)
}

func inspect(path string) (source, error) {
	base := filepath.Base(path)
	s := source{path: path, contents: strings.HasSuffix(path, "/") || base == "." || base == ".."}
	var err error
	if s.contents {
		s.st, err = platform.Statat(platform.CurrentDir, path)
		if err == nil && !s.st.IsDir() {
			err = fmt.Errorf("not a directory (a trailing slash asks for a directory's contents)")
		}
	} else {
		s.st, err = platform.Lstatat(platform.CurrentDir, path)
	}
	if err != nil {
		return s, fmt.Errorf("source %s: %w", path, err) // exit 23, as rsync: not a vanished file
	}
	return s, nil
}

// mkPath makes, under --mkpath, the missing directories of the
// destination's path (the destination itself too, unless a single file
// is copied to a new name in it) and says so as rsync does: "created N
// directories for PATH" (in a dry run too, making nothing).
func (e *Executor) mkPath(dest string, single bool) (made bool, err error) {
	if !e.opts.MkPath {
		return false, nil
	}
	dir := strings.TrimRight(dest, "/")
	if single && !strings.HasSuffix(dest, "/") {
		dir = filepath.Dir(dir)
	}
	missing := 0
	for p := dir; p != "." && p != "/" && p != ""; p = filepath.Dir(p) {
		if _, err := os.Lstat(p); err == nil {
			break
		}
		missing++
	}
	if missing == 0 {
		return false, nil
	}
	if !e.opts.DryRun {
		if err := os.MkdirAll(dir, 0o777); err != nil {
			return false, fatalIO(fmt.Errorf("--mkpath %s: %w", dest, err))
		}
	}
	plural := "directory"
	if missing > 1 {
		plural = "directories"
	}
	if e.listsChanges() {
		e.say("created %d %s for %s", missing, plural, e.escape(dir))
	}
	return true, nil
}

// listsChanges reports lines that itemize (-i's own, or an --out-format
// with %i, with or without -i), or -v with its names (not
// --info=name0), under which rsync also says what it makes for the
// destination itself.
func (e *Executor) listsChanges() bool {
	itemizes := (e.opts.Itemize && e.opts.OutFormat == "") || hasEscape(e.opts.OutFormat, 'i')
	return itemizes || (e.opts.Verbose > 0 && !e.opts.NoNames)
}

// openDest opens (or, as rsync does, creates) the destination directory.
// A single non-directory source with a destination that is not a
// directory names the copy: rename is then its new name, and the returned
// descriptor is the directory that will hold it.
func (e *Executor) openDest(srcs []source, dest string) (int, string, error) {
	single := len(srcs) == 1 && !srcs[0].contents && !srcs[0].st.IsDir()
	if err := e.checkOperatorPath(dest); err != nil {
		return -1, "", &CodedError{Code: ExitSelect, Err: fmt.Errorf("destination %s: %w", dest, err)}
	}
	made, err := e.mkPath(dest, single)
	if err != nil {
		return -1, "", err
	}
	st, err := platform.Statat(platform.CurrentDir, dest)
	switch {
	case err == nil && st.IsDir():
		fd, err := e.openRootDir(dest, st)
		return fd, "", fatalIO(err)
	case (err == nil || errors.Is(err, fs.ErrNotExist)) && single && !strings.HasSuffix(dest, "/"):
		fd, err := e.openOperatorDir(filepath.Dir(dest))
		return fd, filepath.Base(dest), fatalIO(err)
	case err == nil:
		return -1, "", &CodedError{Code: ExitSelect,
			Err: fmt.Errorf("destination %s must be a directory when copying a directory or several files", dest)}
	case !errors.Is(err, fs.ErrNotExist): // a file in its path, no permission: exit 3 as rsync
		return -1, "", &CodedError{Code: ExitSelect, Err: fmt.Errorf("cannot stat destination %s: %w", dest, err)}
	}
	if !e.opts.DryRun {
		if err := platform.Mkdirat(platform.CurrentDir, dest, 0o777); err != nil {
			return -1, "", fatalIO(fmt.Errorf("mkdir %s: %w", dest, err))
		}
	}
	if (!made || e.opts.DryRun) && e.listsChanges() { // (--mkpath said so already, but for a dry run's second word)
		e.say("created directory %s", e.escape(strings.TrimRight(dest, "/")))
	}
	if e.opts.DryRun {
		return -1, "", nil
	}
	e.destCreated = true
	fd, err := e.openOperatorDir(dest)
	return fd, "", fatalIO(err)
}

func fatalIO(err error) error {
	if err == nil {
		return nil
	}
	return &CodedError{Code: ExitFileIO, Err: err}
}

// root builds the walker root of one source.
func (e *Executor) root(s source, destFd int, rename string) (*walker.Root, error) {
	if s.contents {
		return e.contentsRoot(s, destFd)
	}
	parent, err := platform.OpenRoot(filepath.Dir(s.path))
	if err != nil {
		return nil, srcErr(err)
	}
	dst, err := platform.ReopenDir(destFd)
	if err != nil {
		_ = platform.Close(parent)
		return nil, err
	}
	name := filepath.Base(s.path)
	onlyDst := name
	if rename != "" {
		onlyDst = rename
	}
	return &walker.Root{SrcFd: parent, DstFd: dst, Only: name, OnlyDst: onlyDst}, nil
}

// contentsRoot is the root of "SRC/": the source directory itself maps
// onto the destination directory and gets its attributes.
func (e *Executor) contentsRoot(s source, destFd int) (*walker.Root, error) {
	if destFd >= 0 {
		if dst, err := platform.Fstat(destFd); err == nil && dst.Dev == s.st.Dev && dst.Ino == s.st.Ino {
			e.opts.Log.Warn().Str("path", s.path).Msg("source and destination are the same directory: nothing to do")
			return nil, nil
		}
	}
	srcFd, err := platform.OpenRoot(s.path)
	if err != nil {
		return nil, srcErr(err)
	}
	dst, err := platform.ReopenDir(destFd)
	if err != nil {
		_ = platform.Close(srcFd)
		return nil, err
	}
	src := e.sourceMeta(srcFd, s.st)
	e.addSums(srcFd, "", &src, e.opts.Transform.ACL)
	var a planner.Action
	if dst < 0 || e.destCreated {
		a = planner.Action{Op: planner.OpMkdir, Src: &src, Change: planner.ChangeNew}
	} else if st, err := platform.Fstat(dst); err == nil {
		d := e.refEntry(dst, "", st)
		d.Mode = e.rootMode(d.Mode)
		a = planner.PlanRoot(&src, &d, e.pol)
	}
	return &walker.Root{SrcFd: srcFd, DstFd: dst, Action: a}, nil
}

// excludeDest returns the destination root's identity, so a destination
// inside the source is never walked into.
func (e *Executor) excludeDest(r walker.Root) *[2]uint64 {
	if r.DstFd < 0 {
		return nil
	}
	st, err := platform.Fstat(r.DstFd)
	if err != nil {
		return nil
	}
	return &[2]uint64{st.Dev, st.Ino}
}
