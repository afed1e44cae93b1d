package filter

import "strings"

// Options are the settings that shape the whole rule set.
type Options struct {
	// DeleteExcluded (--delete-excluded) makes rules without an explicit
	// side sender-only: excluded destination entries are then deleted
	// unless a protect rule (P, or the r modifier) keeps them.
	DeleteExcluded bool
	// CVSExclude (-C) appends "-C" and ":C" after all other rules.
	CVSExclude bool
	// F is the number of -F options, added before all Args (pass
	// Arg{Kind: "F"} instead to keep their command-line position).
	F int
	// AbsRoot is the absolute path of the transfer root, used by rules
	// with the / modifier; "" matches them against "/"+path.
	AbsRoot string
	// ReadFile reads merge files, --exclude-from and --include-from files
	// by path ("-" meaning standard input is up to the reader).
	ReadFile ReadFunc
	// CVSIgnoreHome and CVSIgnoreEnv hold ~/.cvsignore and $CVSIGNORE,
	// added to the -C list (see FromEnvironment).
	CVSIgnoreHome, CVSIgnoreEnv string
	// From0 (--from0): *-from files are NUL-separated, with no comments.
	From0 bool
}

// Rules is an immutable rule set as seen from one directory. It implements
// planner.Filter and is safe for concurrent use.
type Rules struct {
	opts  *Options
	abs   string
	items []item
	slots map[*mergeRule][]item // per-directory rules in effect here
	dir   string
}

// maxSlotDepth bounds nesting of dir-merge files within dir-merge files.
const maxSlotDepth = 64

// Excluded reports whether the sender leaves path out of the transfer.
func (r *Rules) Excluded(path string, isDir bool) bool {
	return r.excluded(path, isDir, SideSender, false)
}

// Protected reports whether a destination entry the source lacks must
// survive --delete (receiver-side rules; perishable rules count).
func (r *Rules) Protected(path string, isDir bool) bool {
	return r.excluded(path, isDir, SideReceiver, false)
}

// ProtectedDeleting is Protected for an entry inside a directory that is
// being deleted: perishable rules are ignored there.
func (r *Rules) ProtectedDeleting(path string, isDir bool) bool {
	return r.excluded(path, isDir, SideReceiver, true)
}

// Match returns the first rule that takes effect for path on the given
// side, or nil (for diagnostics such as --debug=FILTER).
func (r *Rules) Match(path string, isDir bool, side Side) *Rule {
	return r.first(r.items, path, isDir, side, false, 0)
}

// Dir is the directory this rule set was entered for ("" for the root).
func (r *Rules) Dir() string { return r.dir }

func (r *Rules) excluded(path string, isDir bool, side Side, deleting bool) bool {
	if r == nil {
		return false
	}
	rule := r.first(r.items, path, isDir, side, deleting, 0)
	return rule != nil && !rule.Include
}

// first walks items in order (descending into dir-merge slots) and
// returns the first rule that takes effect.
func (r *Rules) first(items []item, path string, isDir bool, side Side, deleting bool, depth int) *Rule {
	if depth > maxSlotDepth {
		return nil
	}
	for _, it := range items {
		if it.merge != nil {
			if rule := r.first(r.slots[it.merge], path, isDir, side, deleting, depth+1); rule != nil {
				return rule
			}
			continue
		}
		rule := it.rule
		if !r.onSide(rule, side) || (deleting && rule.Perishable) {
			continue
		}
		if rule.applies(path, isDir, r.abs) {
			return rule
		}
	}
	return nil
}

// onSide reports whether rule is consulted on side.
func (r *Rules) onSide(rule *Rule, side Side) bool {
	if rule.Sides == 0 {
		return side == SideSender || !r.opts.DeleteExcluded
	}
	return rule.Sides&side != 0
}

// Rules returns the rules in effect here, in evaluation order, with
// dir-merge groups expanded (for diagnostics).
func (r *Rules) Rules() []*Rule {
	var out []*Rule
	r.collect(r.items, &out, 0)
	return out
}

func (r *Rules) collect(items []item, out *[]*Rule, depth int) {
	for _, it := range items {
		if it.merge != nil && depth < maxSlotDepth {
			r.collect(r.slots[it.merge], out, depth+1)
		} else if it.rule != nil {
			*out = append(*out, it.rule)
		}
	}
}

// absPrefix turns AbsRoot into the prefix used by / rules.
func absPrefix(root string) string {
	return strings.TrimSuffix(strings.TrimPrefix(root, "/"), "/")
}
