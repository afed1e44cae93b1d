package filter

import (
	"bytes"
	"cmp"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// PathList restricts a transfer to the paths named by --files-from: the
// listed entries, the directories that lead to them (rsync's implied
// directories), and, when Recursive, everything below a listed directory.
// It implements planner.Filter and is safe for concurrent use once built.
type PathList struct {
	listed    map[string]*atomic.Bool // set once the walk met the path
	implied   map[string]bool
	recursive bool
	root      bool // a path given as "./..." names the source directory itself
	all       bool // "." with -r: everything
	sortOnce  sync.Once
	sorted    []string        // the listed paths, sorted (Below)
	contents  map[string]bool // directories listed with a trailing slash ("." for the source's): their entries too
}

// NewPathList parses a --files-from list: one path per line (per NUL
// with nul, as -0), relative to the source directory; "./" prefixes,
// leading slashes and empty lines are ignored, and lines starting with
// '#' or ';' are comments. A directory listed with a trailing slash (or
// as ".") brings its entries too, as rsync's -d takes "dir/".
func NewPathList(data []byte, nul, recursive bool) *PathList {
	l := &PathList{listed: map[string]*atomic.Bool{}, implied: map[string]bool{}, recursive: recursive,
		contents: map[string]bool{}}
	for _, line := range listLines(data, nul) {
		l.root = l.root || line == "." || strings.HasPrefix(line, "./")
		p := strings.Trim(path.Clean("/"+line), "/")
		if line == "." || strings.HasSuffix(line, "/") || strings.HasSuffix(line, "/.") {
			l.contents[cmp.Or(p, ".")] = true
		}
		if p == "" {
			l.all = l.all || (recursive && l.contents["."])
			continue
		}
		l.listed[p] = new(atomic.Bool)
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			l.implied[d] = true
		}
	}
	return l
}

// DottedLists splits a --files-from list by the directory its paths
// start from: a path with a "/./" in it is kept from after that (as a
// source of -R is), the part before naming a directory below the source
// directory. It returns the lists in the order of their first paths,
// with their directories ("" for the source directory itself). Leading
// slashes are dropped, so "/./x" names the source directory as "./x".
func DottedLists(data []byte, nul, recursive bool) (dirs []string, lists []*PathList) {
	var kept [][]byte
	index := map[string]int{}
	for _, line := range listLines(data, nul) {
		line = strings.TrimLeft(line, "/")
		dir := ""
		if i := strings.Index(line, "/./"); i >= 0 {
			dir, line = strings.Trim(path.Clean("/"+line[:i]), "/"), line[i+3:] // (no ".." above the source)
		}
		i, ok := index[dir]
		if !ok {
			i = len(dirs)
			index[dir] = i
			dirs, kept = append(dirs, dir), append(kept, nil)
		}
		kept[i] = append(append(kept[i], line...), 0)
	}
	for _, k := range kept {
		lists = append(lists, NewPathList(k, true, recursive))
	}
	return dirs, lists
}

// listLines returns the lines of a list that are not comments.
func listLines(data []byte, nul bool) []string {
	sep := []byte{'\n'}
	if nul {
		sep = []byte{0}
	}
	var lines []string
	for _, raw := range bytes.Split(data, sep) {
		line := strings.TrimSuffix(string(raw), "\r")
		if !nul && (strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";")) {
			continue
		}
		lines = append(lines, line)
	}
	return lines
}

// ImpliedOnly reports whether p is a directory only leading to listed
// paths, not listed itself (--no-implied-dirs leaves it as it is).
func (l *PathList) ImpliedOnly(p string) bool { return l.implied[p] && l.listed[p] == nil }

// NamesRoot reports whether a path was given from "./", which makes the
// source directory itself part of the transfer (its attributes go to
// the destination's), as in rsync.
func (l *PathList) NamesRoot() bool { return l.root }

// Implied reports whether p is a directory leading to listed paths.
func (l *PathList) Implied(p string) bool { return l.implied[p] }

// ListedAbove returns the listed directory nearest above p ("" for none).
func (l *PathList) ListedAbove(p string) string {
	for d := path.Dir(p); d != "."; d = path.Dir(d) {
		if l.listed[d] != nil {
			return d
		}
	}
	return ""
}

// Below returns, sorted, the listed paths inside directory p.
func (l *PathList) Below(p string) []string {
	l.sortOnce.Do(func() {
		l.sorted = make([]string, 0, len(l.listed))
		for q := range l.listed {
			l.sorted = append(l.sorted, q)
		}
		slices.Sort(l.sorted)
	})
	prefix := p + "/"
	i, _ := slices.BinarySearch(l.sorted, prefix)
	j := i
	for j < len(l.sorted) && strings.HasPrefix(l.sorted[j], prefix) {
		j++
	}
	return l.sorted[i:j]
}

// Len is the number of listed paths.
func (l *PathList) Len() int { return len(l.listed) }

// Excluded leaves out everything the list does not name or lead to.
func (l *PathList) Excluded(p string, isDir bool) bool {
	return !l.included(p, isDir)
}

// Protected keeps every destination entry outside the listed trees from
// --delete: the list says nothing about them.
func (l *PathList) Protected(p string, isDir bool) bool {
	return !l.all && !l.contents[path.Dir(p)] && !l.under(p)
}

func (l *PathList) included(p string, isDir bool) bool {
	if met := l.listed[p]; met != nil {
		met.Store(true)
		return true
	}
	return l.Includes(p, isDir)
}

// Includes reports whether the list takes p, as Excluded does, without
// recording it as met.
func (l *PathList) Includes(p string, isDir bool) bool {
	return (isDir && l.implied[p]) || l.Takes(p)
}

// Recursive reports whether listed directories bring their trees (-r).
func (l *PathList) Recursive() bool { return l.recursive }

// Listed reports whether p is a listed path.
func (l *PathList) Listed(p string) bool { return l.listed[p] != nil }

// Takes reports whether the list takes p for itself, not only as a
// directory leading to listed paths: listed, or in a directory whose
// entries it takes.
func (l *PathList) Takes(p string) bool {
	return l.listed[p] != nil || l.InListing(p)
}

// InListing reports whether p is taken as an entry of its directory's
// listing: that directory's entries are all transferred (rsync deletes
// in it under --delete), where a directory only leading to listed paths
// (or the directory of a listed path) lists nothing.
func (l *PathList) InListing(p string) bool {
	return l.all || l.contents[path.Dir(p)] || (l.recursive && l.under(p))
}

// under reports whether p lies strictly inside a listed directory (with
// recursion on).
func (l *PathList) under(p string) bool {
	if !l.recursive {
		return false
	}
	for d := path.Dir(p); d != "."; d = path.Dir(d) {
		if l.listed[d] != nil {
			return true
		}
	}
	return false
}

// Unmet returns, sorted, the listed paths the walk has not met: missing
// from the source, or left out by a filter rule or an excluded directory
// above them.
func (l *PathList) Unmet() []string {
	var out []string
	for p, met := range l.listed {
		if !met.Load() {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}
