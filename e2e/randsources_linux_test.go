//go:build linux

package e2e

import (
	"cmp"
	"maps"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/treesync/treesync/e2e/tree"
)

// manySources runs a comparison as how does, with the sources a seed
// draws (seed % 67 == 47): a --files-from list of some of the source's
// paths, -R with some of them (kept from after a "/./"), or several of
// them as sources of their own.
type manySources struct {
	runs
	kind  string   // "files-from", "relative" or "several"
	paths []string // relative to SRC
	opts  []string // --ignore-missing-args or --delete-missing-args, at times
}

// seededSources wraps how in the sources seed draws from source. Under
// --remove-source-files no path is drawn inside another: rsync lists a
// file reached twice once each way and sends both before removing it,
// where treesync's second walk finds it removed (seed 8757).
func seededSources(seed int, source, stale []tree.Node, opts []string, how runs) manySources {
	r := rand.New(rand.NewPCG(uint64(seed), 67))
	m := manySources{runs: how, kind: []string{"files-from", "relative", "several"}[seed/67%3]}
	for range 1 + r.IntN(3) {
		n := source[r.IntN(len(source))]
		p := n.Path
		if m.kind != "several" && p != "." && r.IntN(3) == 0 {
			p = withDot(r, p)
		}
		if n.Kind == tree.Dir && r.IntN(2) == 0 {
			p += "/"
		}
		if slices.Contains(opts, "--remove-source-files") && slices.ContainsFunc(m.paths, func(q string) bool { return nested(p, q) }) {
			continue
		}
		m.paths = append(m.paths, p)
	}
	if r.IntN(6) == 0 {
		m.paths = append(m.paths, "missing")
	}
	if r.IntN(4) == 0 { // a name the destination has and the source not, or not
		m.paths = append(m.paths, cmp.Or(missingIn(source, stale), "missing2"))
		m.opts = [][]string{nil, {"--ignore-missing-args"}, {"--delete-missing-args"}, {"--delete-missing-args", "--force"}}[r.IntN(4)]
	}
	return m
}

// missingIn returns the last path stale has and source not ("" for
// none).
func missingIn(source, stale []tree.Node) string {
	has := map[string]bool{}
	for _, n := range source {
		has[n.Path] = true
	}
	last := ""
	for _, n := range stale {
		if !has[n.Path] {
			last = n.Path
		}
	}
	return last
}

// nested reports whether source paths p and q (with "/./" or not) are
// one inside the other, or the same.
func nested(p, q string) bool {
	p, q = strings.TrimSuffix(path.Clean("/"+p), "/")+"/", strings.TrimSuffix(path.Clean("/"+q), "/")+"/"
	return strings.HasPrefix(p, q) || strings.HasPrefix(q, p)
}

// withDot puts a "/./" in p before one of its names.
func withDot(r *rand.Rand, p string) string {
	names := strings.Split(p, "/")
	i := r.IntN(len(names))
	return filepath.Join(names[:i]...) + "/./" + filepath.Join(names[i:]...)
}

// sources gives the options and sources of a run whose source directory
// is src, writing the --files-from list in dir.
func (m manySources) sources(t *testing.T, dir string) func(src string) []string {
	args := m.args(t, dir)
	return func(src string) []string { return append(slices.Clone(m.opts), args(src)...) }
}

// args gives the options of m.kind and the sources, for a source
// directory src.
func (m manySources) args(t *testing.T, dir string) func(src string) []string {
	switch m.kind {
	case "files-from":
		list, sep, opts := filepath.Join(dir, "list"), "\n", []string{"--files-from=" + filepath.Join(dir, "list")}
		if strings.ContainsAny(strings.Join(m.paths, ""), "\n") || len(m.paths)%2 == 0 {
			sep, opts = "\x00", append(opts, "--from0")
		}
		must(t, os.WriteFile(list, []byte(strings.Join(m.paths, sep)+sep), 0o644))
		return func(src string) []string { return append(opts, src+"/") }
	case "relative":
		return func(src string) []string {
			args := []string{"-R"}
			for _, p := range m.paths {
				if !strings.Contains(p, "/./") {
					p = "./" + p
				}
				args = append(args, src+"/"+p)
			}
			return args
		}
	}
	return func(src string) []string {
		var args []string
		for _, p := range m.paths {
			args = append(args, src+"/"+p)
		}
		return args
	}
}

// destNames adds to names (the source's multiply-linked files, as
// itemize lines name them) the names they have at the destination
// through m's sources, which a dry run cannot find there (seed 114751:
// "n15-dash/" brings n15-dash/x as x).
func (m manySources) destNames(names map[string]bool, eightBit bool) map[string]bool {
	out := maps.Clone(names)
	for _, p := range m.paths {
		p = rsyncName(p, eightBit) // (escaping keeps every '/' and '.')
		for name := range names {
			if d, ok := m.destName(p, name); ok {
				out[d] = true
			}
		}
	}
	return out
}

// destName is the destination name of the source path name through the
// source path p, if p brings it.
func (m manySources) destName(p, name string) (string, bool) {
	if m.kind != "several" {
		_, below, dotted := strings.Cut(p, "/./")
		if !dotted {
			return name, true
		}
		prefix := strings.TrimSuffix(p[:len(p)-len(below)], "./")
		rest, ok := strings.CutPrefix(name, prefix)
		return rest, ok
	}
	if p == "." || p == "./" {
		return name, true
	}
	if dir, contents := strings.CutSuffix(p, "/"); contents {
		rest, ok := strings.CutPrefix(name, dir+"/")
		return rest, ok
	}
	if rest, ok := strings.CutPrefix(name, p); ok && (rest == "" || rest[0] == '/') {
		return path.Base(p) + rest, true
	}
	return "", false
}
