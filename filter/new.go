package filter

import (
	"fmt"
	"maps"
)

// Arg is one filter option from the command line, in command-line order.
// Kind is "filter" (-f/--filter), "exclude", "include", "exclude-from",
// "include-from", or "F" (one -F; Value unused).
type Arg struct {
	Kind  string
	Value string
}

// New builds the global rule set from command-line filter options, in the
// order given (rsync applies them in that order; first match wins). The
// result still has to be entered for the root directory (Enter("", ...))
// when it contains dir-merge rules; without any, Enter is a no-op.
func New(args []Arg, opts Options) (*Rules, error) {
	o := opts
	p := &parser{opts: &o, read: o.ReadFile}
	for i := 0; i < o.F; i++ {
		args = append([]Arg{{Kind: "F"}}, args...)
	}
	fCount := 0
	for _, a := range args {
		if err := p.addArg(a, &fCount); err != nil {
			return nil, err
		}
	}
	if o.CVSExclude {
		for _, s := range []string{"-C", ":C"} {
			if err := p.addRule(s, fileMods{}); err != nil {
				return nil, fmt.Errorf("--cvs-exclude: %w", err)
			}
		}
	}
	return &Rules{opts: &o, abs: absPrefix(o.AbsRoot), items: p.items, slots: map[*mergeRule][]item{}}, nil
}

// Parse builds a rule set from rule text in the full filter syntax, as if
// it were a merge file ("." FILE) given on the command line.
func Parse(data []byte, opts Options) (*Rules, error) {
	o := opts
	p := &parser{opts: &o, read: o.ReadFile}
	if err := p.addData(data, fileMods{}, "rules"); err != nil {
		return nil, err
	}
	return &Rules{opts: &o, abs: absPrefix(o.AbsRoot), items: p.items, slots: map[*mergeRule][]item{}}, nil
}

// addArg adds one command-line option.
func (p *parser) addArg(a Arg, fCount *int) error {
	var err error
	switch a.Kind {
	case "filter":
		err = p.addRule(a.Value, fileMods{})
	case "exclude", "include":
		err = p.addLine(a.Value, fileMods{oldStyle: true, include: a.Kind == "include"})
	case "exclude-from", "include-from":
		var data []byte
		if data, err = p.readMerge(a.Value); err == nil {
			err = p.addData(data, fileMods{oldStyle: true, include: a.Kind == "include-from"}, a.Value)
		}
	case "F":
		*fCount++
		rule := "dir-merge /.rsync-filter"
		if *fCount > 1 {
			rule = "exclude .rsync-filter"
		}
		err = p.addRule(rule, fileMods{})
	default:
		return fmt.Errorf("filter: unknown option kind %q", a.Kind)
	}
	if err != nil {
		return fmt.Errorf("--%s=%s: %w", a.Kind, a.Value, err)
	}
	return nil
}

// Enter returns the rule set in effect for the entries of directory dir
// (root-relative, "" for the root), which must be a child of r's
// directory (or the root, for the rule set New returned). For every
// active dir-merge rule it reads the merge file through read, which gets
// a name relative to dir; a missing file (fs.ErrNotExist) is no file.
// r itself is not changed.
func (r *Rules) Enter(dir string, read ReadFunc) (*Rules, error) {
	if len(r.slots) == 0 && !hasMerge(r.items) {
		return r, nil
	}
	n := &Rules{opts: r.opts, abs: r.abs, items: r.items, slots: maps.Clone(r.slots), dir: dir}
	st := &enterState{parent: r, read: read, known: map[string]bool{}, done: map[*mergeRule]bool{}}
	for m := range r.slots {
		st.known[mergeBase(m.name)] = true
	}
	if err := n.load(st, r.items, 0); err != nil {
		return nil, err
	}
	return n, nil
}

// Merges reports whether r reads per-directory merge files (dir-merge
// rules, -F).
func (r *Rules) Merges() bool {
	return r != nil && (len(r.slots) > 0 || hasMerge(r.items))
}

func hasMerge(items []item) bool {
	for _, it := range items {
		if it.merge != nil {
			return true
		}
	}
	return false
}

// enterState is the work of one Enter call.
type enterState struct {
	parent *Rules
	read   ReadFunc
	known  map[string]bool // dir-merge file names in use
	done   map[*mergeRule]bool
}

// load reads the merge file of every dir-merge slot in items (and of
// slots nested in what it reads) and sets its rules for n.dir.
func (n *Rules) load(st *enterState, items []item, depth int) error {
	if depth > maxSlotDepth {
		return nil
	}
	for _, it := range items {
		m := it.merge
		if m == nil || st.done[m] {
			continue
		}
		st.done[m] = true
		st.known[mergeBase(m.name)] = true
		content, err := n.slotContent(st, m)
		if err != nil {
			return err
		}
		n.slots[m] = content
		if err := n.load(st, content, depth+1); err != nil {
			return err
		}
	}
	return nil
}
