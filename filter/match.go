package filter

// match reports whether g matches all of s. With anySlash, a match may
// also start right after any '/' in s (the pattern then matches a trailing
// part of s made of whole path components).
//
// The matcher simulates the pattern as an NFA over token positions, so it
// runs in O(len(s)*len(tokens)) time whatever the pattern: no backtracking.
func (g *glob) match(s string, anySlash bool) bool {
	if g.bad {
		return false
	}
	n := len(g.toks)
	cur := make([]bool, n+1)
	next := make([]bool, n+1)
	g.addState(cur, 0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		clear(next)
		live := false
		for st := 0; st < n; st++ {
			if cur[st] && g.step(st, c, next) {
				live = true
			}
		}
		if anySlash && c == '/' {
			g.addState(next, 0)
			live = true
		}
		if !live && !anySlash {
			return false
		}
		cur, next = next, cur
	}
	return cur[n]
}

// step applies byte c to state st, adding the resulting states to next.
// It reports whether any state was added.
func (g *glob) step(st int, c byte, next []bool) bool {
	t := &g.toks[st]
	switch t.kind {
	case tokLit:
		if t.lit != c {
			return false
		}
	case tokAny:
		if c == '/' {
			return false
		}
	case tokClass:
		if !t.set[c] {
			return false
		}
	case tokStar:
		if c == '/' {
			return false
		}
		g.addState(next, st)
		return true
	case tokStar2:
		g.addState(next, st)
		return true
	}
	g.addState(next, st+1)
	return true
}

// addState adds st and, through stars that may match nothing, every state
// reachable from it without consuming input.
func (g *glob) addState(set []bool, st int) {
	for {
		set[st] = true
		if st == len(g.toks) {
			return
		}
		k := g.toks[st].kind
		if k != tokStar && k != tokStar2 {
			return
		}
		st++
	}
}
