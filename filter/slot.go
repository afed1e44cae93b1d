package filter

import (
	"fmt"
	"slices"
)

// slotContent computes a dir-merge slot's rules for n.dir: the rules of
// the merge file in n.dir, then the parent's inheritable rules (unless the
// file cleared them).
func (n *Rules) slotContent(st *enterState, m *mergeRule) ([]item, error) {
	p := &parser{opts: n.opts, read: st.read, dir: n.dir, known: st.known}
	name := mergeBase(m.name)
	data, err := st.read(name)
	switch {
	case err != nil && !isNotExist(err):
		return nil, fmt.Errorf("filter: reading %q in directory %q: %w", name, n.dir, err)
	case err == nil:
		if err := p.addData(data, m.mods, joinPath(n.dir, name)); err != nil {
			return nil, fmt.Errorf("filter: %w", err)
		}
	}
	out := slices.Clip(p.items)
	if p.cleared {
		return out, nil
	}
	for _, it := range st.parent.slots[m] {
		if !inheritable(it) {
			continue
		}
		out = append(out, it)
	}
	return out, nil
}

// inheritable reports whether a rule list entry passes to subdirectories.
func inheritable(it item) bool {
	if it.merge != nil {
		return !it.merge.noInherit
	}
	return !it.rule.noInherit
}

func joinPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}
