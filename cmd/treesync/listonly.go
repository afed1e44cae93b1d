package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/treesync/treesync/executor"
	"github.com/treesync/treesync/planner"
)

// listEntry is one entry --list-only prints.
type listEntry struct {
	path   string // as itemized: directories end in "/"
	kind   planner.Kind
	ent    planner.Entry
	target string
}

// runList lists the sources as rsync's --list-only does (also what rsync
// does with a source and no destination): a dry run of the sync into a
// destination that does not exist, every entry of which is new, printed
// as ls -l would, in rsync's order. Without -r it lists one level (-d).
func runList(ctx context.Context, opts executor.Options, sources []string, level int, stdout io.Writer) *executor.Result {
	links := opts.Policy.Links
	opts.DryRun, opts.Itemize, opts.Verbose, opts.OutFormat = true, false, 0, ""
	opts.Out = io.Discard
	opts.Policy.Links, opts.Policy.Devices, opts.Policy.Specials = true, true, true // listed whatever would be copied
	opts.Policy.Dirs = opts.Policy.Dirs || !opts.Policy.Recursive
	var mu sync.Mutex
	var list []listEntry
	opts.OnChange = func(ch executor.Change) {
		if ch.Entry == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		list = append(list, listEntry{path: ch.Path, kind: ch.Kind, ent: *ch.Entry, target: ch.Target})
	}
	nowhere := filepath.Join(os.TempDir(), fmt.Sprintf("treesync-list-only-%d-%d", os.Getpid(), time.Now().UnixNano()))
	res := executor.New(opts).Run(ctx, sources, nowhere+"/")
	slices.SortFunc(list, func(a, b listEntry) int { return compareListed(a.path, b.path) })
	for _, e := range list {
		fmt.Fprintln(stdout, listLine(e, links, level))
	}
	return res
}

// listLine is one line of the listing: type and permissions, size,
// modification time, name (with its target, under -l, for a symlink);
// the size at rsync's -h level, in a column as wide as rsync's.
func listLine(e listEntry, links bool, level int) string {
	name := strings.TrimSuffix(e.path, "/")
	if name == "" || name == "." {
		name = "."
	}
	size := e.ent.Size
	if e.kind == planner.KindSymlink {
		size = int64(len(e.target))
		if links {
			name += " -> " + e.target
		}
	}
	perms := string(lsType(e.kind)) + executor.PermString(e.ent.Mode)
	width := 14
	if level == 0 {
		width = 11
	}
	return fmt.Sprintf("%s %*s %s %s", perms, width, executor.GroupNumber(size, level), time.Unix(0, e.ent.Mtime).Format("2006/01/02 15:04:05"), name)
}

// compareListed orders paths as rsync lists them: a directory's files
// (sorted by name) before its subdirectories, each subdirectory followed
// by what is in it.
func compareListed(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "./":
		return -1
	case b == "./":
		return 1
	}
	ac, bc := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; i < len(ac) && i < len(bc); i++ {
		if ac[i] == bc[i] {
			continue
		}
		aDir, bDir := i < len(ac)-1, i < len(bc)-1 // a component followed by more is a directory
		switch {
		case aDir && !bDir:
			return 1 // the file first
		case bDir && !aDir:
			return -1
		}
		return strings.Compare(ac[i], bc[i])
	}
	return len(ac) - len(bc)
}

// lsType is the letter ls -l shows for an entry's type.
func lsType(k planner.Kind) byte {
	switch k {
	case planner.KindDir:
		return 'd'
	case planner.KindSymlink:
		return 'l'
	case planner.KindChar:
		return 'c'
	case planner.KindBlock:
		return 'b'
	case planner.KindFIFO:
		return 'p'
	case planner.KindSocket:
		return 's'
	}
	return '-'
}
