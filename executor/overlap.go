package executor

import (
	"path/filepath"
	"strings"
)

// sourcesInside returns, for every source that lies inside the destination,
// its path relative to the destination root: --delete must never remove
// it (treesync -a --delete /data/new/ /data/ would otherwise delete the
// source as an extraneous entry of /data).
func sourcesInside(sources []string, dest string) []string {
	d, err := realPath(dest)
	if err != nil {
		return nil
	}
	var out []string
	for _, s := range sources {
		p, err := realPath(s)
		if err != nil {
			continue
		}
		rel, err := filepath.Rel(d, p)
		if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, "../") {
			continue
		}
		out = append(out, filepath.ToSlash(rel))
	}
	return out
}

func realPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// holdsSource reports whether deleting path (relative to the destination
// root) would delete a source: path is one of them or an ancestor.
func (e *Executor) holdsSource(path string) bool {
	for _, s := range e.srcInside {
		if s == path || strings.HasPrefix(s, path+"/") {
			return true
		}
	}
	return false
}
