package filter

import "strings"

// Side bits say which side of the transfer a rule applies to.
type Side uint8

const (
	// SideSender rules decide what the sender lists (Excluded).
	SideSender Side = 1 << iota
	// SideReceiver rules decide what the receiver protects (Protected).
	SideReceiver
)

// Rule is one parsed include/exclude rule.
type Rule struct {
	Include    bool   // + (include, show, risk) rather than - (exclude, hide, protect)
	Pattern    string // the pattern as written
	Sides      Side   // 0: both sides (sender only with DeleteExcluded)
	Negate     bool   // !: the rule takes effect when the pattern fails to match
	AbsPath    bool   // /: match against the absolute path name
	Perishable bool   // p: ignored in directories that are being deleted
	XAttr      bool   // x: an xattr-name rule, ignored for path matching

	noInherit bool // from a dir-merge file with the n modifier
	m         *pathMatcher
}

// pathMatcher is a compiled pattern with rsync's matching mode.
type pathMatcher struct {
	dirOnly  bool   // trailing '/': matches directories only
	anchored bool   // leading '/' (or a "**" prefix): matches from the start
	base     bool   // no '/' and no "**": matches the final component
	anyStart bool   // has "**": may match after any '/'
	slashes  int    // '/'s in the pattern (trailing-component matching)
	dirSlash bool   // ends in "/***": a directory matches with a '/' appended
	wild2Pre bool   // starts with "**": matched against "/"+path
	prefix   string // per-directory anchor ("sub/dir/") for anchored rules
	literal  string // pattern when it has no wildcard
	hasWild  bool
	g        *glob
}

// compilePattern compiles pat; dir is the directory of the per-directory
// merge file it came from ("" for global rules).
func compilePattern(pat, dir string) *pathMatcher {
	m := &pathMatcher{}
	if len(pat) > 1 && strings.HasSuffix(pat, "/") {
		pat, m.dirOnly = pat[:len(pat)-1], true
	}
	if strings.HasPrefix(pat, "/") {
		pat, m.anchored = pat[1:], true
		if dir != "" {
			m.prefix = dir + "/"
		}
	}
	m.hasWild = strings.ContainsAny(pat, "*?[")
	wild2 := strings.Contains(pat, "**")
	m.slashes = strings.Count(pat, "/")
	m.base = !m.anchored && m.slashes == 0 && !wild2
	m.wild2Pre = !m.anchored && strings.HasPrefix(pat, "**")
	m.anyStart = !m.anchored && !m.wild2Pre && wild2
	m.dirSlash = len(pat) >= 4 && strings.HasSuffix(pat, "/***")
	if m.hasWild {
		m.g = compileGlob(pat)
	} else {
		m.literal = pat
	}
	return m
}

// matches reports whether the pattern (ignoring negation) matches path.
// abs, when non-empty, is prefixed to the path (the / modifier).
func (m *pathMatcher) matches(path string, isDir bool, abs string) bool {
	if m.dirOnly && !isDir {
		return false
	}
	name := path
	switch {
	case m.base:
		name = path[strings.LastIndexByte(path, '/')+1:]
	case abs != "":
		name = abs + "/" + path
	}
	if m.prefix != "" {
		if !strings.HasPrefix(name, m.prefix) {
			return false
		}
		name = name[len(m.prefix):]
	}
	if isDir && m.dirSlash {
		name += "/"
	}
	if m.wild2Pre {
		name = "/" + name
	}
	if !m.anchored && !m.base && !m.wild2Pre && !m.anyStart {
		name = lastComponents(name, m.slashes+1)
	}
	if !m.hasWild {
		return name == m.literal
	}
	return m.g.match(name, m.anyStart)
}

// lastComponents returns the last n "/"-separated components of s (all of
// s if it has fewer).
func lastComponents(s string, n int) string {
	i := len(s)
	for ; n > 0; n-- {
		j := strings.LastIndexByte(s[:i], '/')
		if j < 0 {
			return s
		}
		i = j
	}
	return s[i+1:]
}

// applies reports whether the rule takes effect for path: its pattern
// matches (or, with !, fails to match).
func (r *Rule) applies(path string, isDir bool, abs string) bool {
	if r.XAttr {
		return false
	}
	if !r.AbsPath {
		abs = ""
	}
	return r.m.matches(path, isDir, abs) != r.Negate
}

// String renders the rule in rsync's short syntax.
func (r *Rule) String() string {
	var b strings.Builder
	b.WriteByte("-+"[b2i(r.Include)])
	for _, f := range []struct {
		on bool
		c  byte
	}{{r.Negate, '!'}, {r.AbsPath, '/'}, {r.Sides&SideSender != 0, 's'},
		{r.Sides&SideReceiver != 0, 'r'}, {r.Perishable, 'p'}, {r.XAttr, 'x'}} {
		if f.on {
			b.WriteByte(f.c)
		}
	}
	b.WriteByte(' ')
	b.WriteString(r.Pattern)
	return b.String()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
