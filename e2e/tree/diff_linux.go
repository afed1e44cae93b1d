//go:build linux

package tree

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// The fields a Difference can name. Extended attributes are reported as
// FieldXattr + ":" + the attribute's name.
const (
	FieldScan    = "scan"    // a tree could not be read; A or B holds the error
	FieldPresent = "present" // the entry exists on one side only
	FieldType    = "type"
	FieldMode    = "mode" // permission bits, setuid, setgid and sticky (07777)
	FieldUID     = "uid"
	FieldGID     = "gid"
	FieldSize    = "size"
	FieldContent = "content" // xxhash64 of the bytes, compared when sizes match
	FieldMtime   = "mtime"
	FieldAtime   = "atime"
	FieldTarget  = "target" // symlink target
	FieldRdev    = "rdev"   // device numbers of character and block devices
	FieldLinks   = "links"  // the other names of the same inode within the tree
	FieldXattr   = "xattr"
	FieldBlocks  = "blocks" // B allocates more blocks than A plus the slack
)

// Options select what Diff compares beyond its defaults.
type Options struct {
	IgnoreDirMtime bool // do not compare the mtimes of directories
	// TouchedSince, when set, takes two entries both modified at or after
	// it for the same: each tool's run changed them at its own instant
	// (deletions in a directory it does not set the time of, a file
	// written without -t).
	TouchedSince time.Time
	IgnoreOwner  bool // do not compare uid and gid (tests not run as root)
	IgnoreXattrs bool // do not compare extended attributes and ACLs
	IgnoreLinks  bool // do not compare hard-link groups
	// Atime compares access times too. It is off by default: neither
	// rsync -a nor treesync -a preserves them, and reading changes them.
	Atime bool
	// CheckBlocks requires B's allocated blocks of each regular file to
	// be at most A's plus BlockSlack: a copy must keep a sparse file sparse.
	CheckBlocks bool
	BlockSlack  int64 // in 512-byte blocks; 0 means 16 (8 KiB)
	// Skip, when set, leaves out the paths it returns true for, and
	// everything below them.
	Skip func(path string) bool
}

// Difference is one way in which tree B differs from tree A.
type Difference struct {
	Path  string // relative to the roots; "." is the root itself
	Field string // one of the Field constants
	A, B  string // the field's value on each side
}

func (d Difference) String() string {
	return fmt.Sprintf("%q: %s differs: A=%s B=%s", d.Path, d.Field, d.A, d.B)
}

// Diff scans trees a and b and returns every difference between them,
// sorted by path and field. An empty result means the trees are equal in
// every compared attribute.
func Diff(a, b string, opts Options) []Difference {
	ta, err := Scan(a)
	if err != nil {
		return []Difference{{Path: ".", Field: FieldScan, A: err.Error()}}
	}
	tb, err := Scan(b)
	if err != nil {
		return []Difference{{Path: ".", Field: FieldScan, B: err.Error()}}
	}
	return Compare(ta, tb, opts)
}

// Compare returns every difference between two scanned trees.
func Compare(ta, tb *Tree, opts Options) []Difference {
	c := &comparison{opts: opts, la: ta.linkGroups(), lb: tb.linkGroups()}
	c.presence(ta, tb)
	for _, p := range ta.Paths {
		ea, eb := ta.Entries[p], tb.Entries[p]
		if eb == nil || c.skipped(p) {
			continue
		}
		c.entry(ea, eb)
	}
	sort.SliceStable(c.out, func(i, j int) bool {
		if c.out[i].Path != c.out[j].Path {
			return c.out[i].Path < c.out[j].Path
		}
		return c.out[i].Field < c.out[j].Field
	})
	return c.out
}

type comparison struct {
	opts   Options
	la, lb map[string]string // path -> its hard-link group
	out    []Difference
}

func (c *comparison) add(path, field, a, b string) {
	c.out = append(c.out, Difference{Path: path, Field: field, A: a, B: b})
}

// skipped reports whether p or one of its parents is left out.
func (c *comparison) skipped(p string) bool {
	if c.opts.Skip == nil {
		return false
	}
	for q := p; ; {
		if c.opts.Skip(q) {
			return true
		}
		i := strings.LastIndexByte(q, '/')
		if i < 0 {
			return false
		}
		q = q[:i]
	}
}

// presence reports the entries that exist on one side only. Below a
// missing directory only the directory itself is reported, with a count.
func (c *comparison) presence(ta, tb *Tree) {
	for _, p := range onlyIn(ta, tb) {
		if !c.skipped(p) {
			c.add(p, FieldPresent, describe(ta, p), "missing")
		}
	}
	for _, p := range onlyIn(tb, ta) {
		if !c.skipped(p) {
			c.add(p, FieldPresent, "missing", describe(tb, p))
		}
	}
}

// onlyIn returns the topmost paths of x that y lacks.
func onlyIn(x, y *Tree) []string {
	var out []string
	last := ""
	for _, p := range x.Paths {
		if _, ok := y.Entries[p]; ok {
			continue
		}
		if last != "" && strings.HasPrefix(p, last+"/") {
			continue
		}
		out, last = append(out, p), p
	}
	return out
}

func describe(t *Tree, p string) string {
	e := t.Entries[p]
	s := typeName(e.Mode)
	if e.Type() == unix.S_IFDIR {
		n := 0
		for q := range t.Entries {
			if strings.HasPrefix(q, p+"/") {
				n++
			}
		}
		s += fmt.Sprintf(" with %d entries below", n)
	}
	return s
}
