package executor

import (
	"github.com/treesync/treesync/filter"
	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// dirRules returns the filter rules in effect in d: its parent's, entered
// for d so that a per-directory merge file (.rsync-filter with -F) found
// in d's source directory applies to d and below.
func (e *Executor) dirRules(d *walker.Dir) (planner.Filter, error) {
	rules, err := e.enterRules(d)
	switch {
	case e.opts.FilesFrom == nil:
		return rules, err
	case rules == nil:
		return e.opts.FilesFrom, err
	}
	return both{rules, e.opts.FilesFrom}, err
}

// both excludes and protects what either filter does.
type both struct{ a, b planner.Filter }

func (f both) Excluded(p string, dir bool) bool { return f.a.Excluded(p, dir) || f.b.Excluded(p, dir) }
func (f both) Protected(p string, dir bool) bool {
	return f.a.Protected(p, dir) || f.b.Protected(p, dir)
}

func (e *Executor) enterRules(d *walker.Dir) (planner.Filter, error) {
	if e.opts.Filter == nil {
		return nil, nil
	}
	parent := e.opts.Filter
	if d.Parent != nil {
		if r, ok := d.Parent.Ext.(*filter.Rules); ok {
			parent = r
		}
	}
	srcFd := d.SrcFd
	rules, err := parent.Enter(d.Path, func(name string) ([]byte, error) {
		return platform.ReadFileAt(srcFd, name)
	})
	if err != nil {
		return parent, err
	}
	d.Ext = rules
	return rules, nil
}
