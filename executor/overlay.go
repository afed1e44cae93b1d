package executor

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/treesync/treesync/filter"
	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// overlay merges the sources of a run that has several, as rsync merges
// them into one file list; each is still walked on its own, one after the
// other. Where two sources bring the same name the first one's entry is
// taken, but a directory over a non-directory (rsync keeps the one that
// may have contents): the others leave it alone. Directories of the same
// name are merged, the first one's attributes kept, the contents of all
// brought. No source's walk deletes what another one brings.
type overlay struct {
	srcs    []claim
	follow  bool // -L: a source symlink stands for what it points to
	deep    bool // -r: the sources' trees, not only their top
	mu      sync.Mutex
	restamp map[string]int64 // merged directories' paths: the time their first source gives them
	// srcTimes are the times of source directories as they were before
	// --remove-source-files removed files in them (by device and inode),
	// for the later walks that meet them again (-R sources that overlap).
	srcTimes map[[2]uint64]int64
}

// claim is where one walk takes its entries from: below base, only the
// name only ("" for base's contents), only the paths list names (-R,
// --files-from).
type claim struct {
	base, only string
	list       *filter.PathList
}

// newOverlay returns the overlay of several sources (nil for one).
func newOverlay(srcs []source, lists []rootList, pol planner.Policy, links walker.LinkMode) *overlay {
	if len(srcs) < 2 {
		return nil
	}
	o := &overlay{follow: links == walker.LinksFollow, deep: pol.Recursive, restamp: map[string]int64{},
		srcTimes: map[[2]uint64]int64{}}
	for i, s := range srcs {
		c := claim{base: s.path, list: lists[i].List}
		if !s.contents {
			c.base, c.only = filepath.Dir(s.path), filepath.Base(s.path)
		}
		o.srcs = append(o.srcs, c)
	}
	return o
}

// has reports whether source k brings path (relative to the destination)
// past rules, and whether as a directory.
func (o *overlay) has(k int, path string, rules planner.Filter) (found, isDir bool) {
	c := o.srcs[k]
	if c.only != "" && path != c.only && (!o.deep || !strings.HasPrefix(path, c.only+"/")) {
		return false, false
	}
	if c.only == "" && !o.deep && c.list == nil && strings.Contains(path, "/") {
		return false, false
	}
	st, err := sourceStat(filepath.Join(c.base, path), o.follow)
	if err != nil {
		return false, false
	}
	isDir = st.IsDir()
	if (c.list != nil && !c.list.Includes(path, isDir)) || (rules != nil && rules.Excluded(path, isDir)) {
		return false, false
	}
	return true, isDir
}

// filter is the filter of source k's walk in the directory dir: its own
// (f), with rules (the transfer's, without k's list) deciding what the
// other sources bring. Those asked about dir's entries are the ones that
// have dir: one stat each for the directory, not one for every entry.
func (o *overlay) filter(k int, dir string, f, rules planner.Filter) planner.Filter {
	ov := overlaid{o: o, k: k, own: f, rules: rules}
	for j := range o.srcs {
		if j == k {
			continue
		}
		if _, isDir := o.has(j, dir, rules); isDir || dir == "" { // (every source has the destination itself)
			ov.others = append(ov.others, j)
		}
	}
	return ov
}

// overlaid leaves out of one source's walk the non-directories another
// source's entry takes the place of, and protects from its deletes what
// the others bring.
type overlaid struct {
	o          *overlay
	k          int
	own, rules planner.Filter
	others     []int // the other sources that have the directory, in order
}

func (f overlaid) Excluded(path string, isDir bool) bool {
	if f.own != nil && f.own.Excluded(path, isDir) {
		return true
	}
	if isDir {
		return false // merged (part)
	}
	// Another source's entry takes its place: a directory, or anything
	// from an earlier source (the first one's is taken).
	for _, j := range f.others {
		if found, jDir := f.o.has(j, path, f.rules); jDir || (found && j < f.k) {
			return true
		}
	}
	return false
}

func (f overlaid) Protected(path string, isDir bool) bool {
	if f.own != nil && f.own.Protected(path, isDir) {
		return true
	}
	for _, j := range f.others {
		if found, _ := f.o.has(j, path, f.rules); found {
			return true
		}
	}
	return false
}

// The parts a directory of a source's walk plays in an overlay.
const (
	mergedNone  uint8 = iota
	mergedLater       // an earlier source brings a directory of its name: left as that one makes it
	mergedFirst       // a later source brings one: its time is set again after that one's walk
)

// part returns the part of the directory path in the walk of f's source.
func (f overlaid) part(path string) uint8 {
	part := mergedNone
	for _, j := range f.others {
		if _, isDir := f.o.has(j, path, f.rules); isDir && j < f.k {
			return mergedLater
		} else if isDir {
			part = mergedFirst
		}
	}
	return part
}

// rootPart returns the part of the destination directory itself in source
// k's walk: where several sources' contents go (those of a list when it
// names it, "./"), the first one's; each later source's walk puts its
// entries in it.
func (o *overlay) rootPart(k int) uint8 {
	for _, c := range o.srcs[:k] {
		if c.only == "" && (c.list == nil || c.list.NamesRoot()) {
			return mergedLater
		}
	}
	if k < len(o.srcs)-1 {
		return mergedFirst
	}
	return mergedNone
}

// stamp remembers the time a merged directory is to keep.
func (o *overlay) stamp(path string, mtime int64) {
	o.mu.Lock()
	o.restamp[path] = mtime
	o.mu.Unlock()
}

// restampMerged sets again the times of the directories several sources
// merged, which the later ones' walks moved.
func (e *Executor) restampMerged() {
	if e.overlay == nil {
		return
	}
	for path, mtime := range e.overlay.restamp {
		if path == "" {
			path = "."
		}
		if err := platform.LutimesAt(e.rootFd, path, platform.OmitTime, mtime); err != nil {
			e.fail(path, fmt.Errorf("set times: %w", err))
		}
	}
}

// mergedPart returns the part a directory plays in the overlay.
func mergedPart(d *walker.Dir) uint8 {
	if x := extOf(d); x != nil {
		return x.merged
	}
	return mergedNone
}

// setMerged records d's part in the overlay.
func setMerged(d *walker.Dir, part uint8) {
	if part == mergedNone {
		return
	}
	x := extOf(d)
	if x == nil {
		x = &dirExt{}
		d.Ext = x
	}
	x.merged = part
}

// partIn returns the part of the directory path where rules are those of
// a source's walk in its parent (mergedNone without an overlay).
func partIn(rules planner.Filter, path string) uint8 {
	if f, ok := rules.(overlaid); ok {
		return f.part(path)
	}
	return mergedNone
}

// keepSourceTime records the time of d's source directory before files
// in it are removed (the first time only).
func (o *overlay) keepSourceTime(d *walker.Dir) {
	st, err := platform.Fstat(d.SrcFd)
	if err != nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	k := [2]uint64{st.Dev, st.Ino}
	if _, ok := o.srcTimes[k]; !ok {
		o.srcTimes[k] = st.Mtime
	}
}

// sourceTime returns the time of the source directory s as a walk
// before removed files in it, else its own.
func (o *overlay) sourceTime(s *planner.Entry) int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	if t, ok := o.srcTimes[[2]uint64{s.Dev, s.Ino}]; ok {
		return t
	}
	return s.Mtime
}

// overlaidOnly reports a source entry that rules leave out only because
// another source's entry is taken in its place.
func overlaidOnly(rules planner.Filter, path string, s *planner.Entry) bool {
	f, ok := rules.(overlaid)
	return ok && !s.Dangling && (f.own == nil || !f.own.Excluded(path, s.Kind == planner.KindDir))
}
