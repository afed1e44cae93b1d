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
