package filter

import (
	"fmt"
	"strings"
)

// cvsDefaults is rsync's built-in --cvs-exclude list (see rsync(1)).
const cvsDefaults = "RCS SCCS CVS CVS.adm RCSLOG cvslog.* tags TAGS .make.state .nse_depinfo " +
	"*~ #* .#* ,* _$* *$ *.old *.bak *.BAK *.orig *.rej .del-* *.a *.olb *.o *.obj *.so *.exe " +
	"*.Z *.elc *.ln core .svn/ .git/ .hg/ .bzr/"

// addCVSDefaults handles the "-C" rule: the built-in list, then the
// user's ~/.cvsignore and $CVSIGNORE, all as perishable excludes.
func (p *parser) addCVSDefaults(mods fileMods) error {
	m := mods
	m.perishable = true
	for _, src := range []string{cvsDefaults, p.opts.CVSIgnoreHome, p.opts.CVSIgnoreEnv} {
		for _, w := range strings.Fields(src) {
			if err := p.addPattern(w, false, "", m); err != nil {
				return err
			}
		}
	}
	return nil
}

// addMerge handles a merge (.) or dir-merge (:) rule.
func (p *parser) addMerge(h head, outer fileMods, s string) error {
	mods, err := mergeMods(h.mods, outer)
	if err != nil {
		return fmt.Errorf("%w: %q", err, s)
	}
	name := h.arg
	if name == "" && mods.cvs {
		name = ".cvsignore"
	}
	if name == "" {
		return fmt.Errorf("unexpected end of filter rule: %q", s)
	}
	if mods.excludeSelf {
		if err := p.addPattern(mergeBase(name), false, "", outer); err != nil {
			return err
		}
	}
	if h.kind == ':' {
		if !p.known[mergeBase(name)] {
			p.items = append(p.items, item{merge: &mergeRule{name: name, mods: mods, noInherit: outer.noInherit}})
		}
		return nil
	}
	if p.depth >= maxMergeDepth {
		return fmt.Errorf("merge files nested too deeply at %q", name)
	}
	data, err := p.readMerge(name)
	if err != nil {
		return err
	}
	p.depth++
	defer func() { p.depth-- }()
	return p.addData(data, mods, name)
}
