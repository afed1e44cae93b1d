package filter

import (
	"bytes"
	"path"
	"strings"
)

// PathList restricts a transfer to the paths named by --files-from: the
// listed entries, the directories that lead to them (rsync's implied
// directories), and, when Recursive, everything below a listed directory.
// It implements planner.Filter and is safe for concurrent use once built.
type PathList struct {
	listed    map[string]bool
	implied   map[string]bool
	recursive bool
}

// NewPathList parses a --files-from list: one path per line (per NUL
// with nul, as -0), relative to the source directory; "./" prefixes,
// leading and trailing slashes and empty lines are ignored, and lines
// starting with '#' or ';' are comments.
func NewPathList(data []byte, nul, recursive bool) *PathList {
	l := &PathList{listed: map[string]bool{}, implied: map[string]bool{}, recursive: recursive}
	sep := []byte{'\n'}
	if nul {
		sep = []byte{0}
	}
	for _, raw := range bytes.Split(data, sep) {
		line := strings.TrimSuffix(string(raw), "\r")
		if !nul && (strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";")) {
			continue
		}
		p := strings.Trim(path.Clean("/"+line), "/")
		if p == "" || p == "." {
			continue
		}
		l.listed[p] = true
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			l.implied[d] = true
		}
	}
	return l
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
	return !l.under(p)
}

func (l *PathList) included(p string, isDir bool) bool {
	if l.listed[p] || (isDir && l.implied[p]) {
		return true
	}
	return l.recursive && l.under(p)
}

// under reports whether p lies strictly inside a listed directory (with
// recursion on).
func (l *PathList) under(p string) bool {
	if !l.recursive {
		return false
	}
	for d := path.Dir(p); d != "."; d = path.Dir(d) {
		if l.listed[d] {
			return true
		}
	}
	return false
}
