package filter

import "strings"

// tokKind is one element of a compiled wildcard pattern.
type tokKind uint8

const (
	tokLit   tokKind = iota // one literal byte
	tokAny                  // ?: one byte other than '/'
	tokClass                // [...]: one byte other than '/' in the set
	tokStar                 // *: any run of bytes other than '/'
	tokStar2                // ** (or more stars): any run of bytes
)

type token struct {
	kind tokKind
	lit  byte
	set  *[256]bool // for tokClass
}

// glob is a compiled wildcard pattern. A malformed pattern (an unclosed
// '[' or a trailing '\') never matches, as in rsync.
type glob struct {
	toks []token
	bad  bool
}

// compileGlob compiles pattern p, which uses rsync's wildcard syntax.
func compileGlob(p string) *glob {
	g := &glob{}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch c {
		case '?':
			g.toks = append(g.toks, token{kind: tokAny})
		case '*':
			j := i
			for j < len(p) && p[j] == '*' {
				j++
			}
			k := tokStar
			if j-i > 1 {
				k = tokStar2
			}
			g.toks = append(g.toks, token{kind: k})
			i = j - 1
		case '[':
			set, n, ok := parseClass(p[i+1:])
			if !ok {
				g.bad = true
				return g
			}
			g.toks = append(g.toks, token{kind: tokClass, set: set})
			i += n
		case '\\':
			if i+1 == len(p) {
				g.bad = true
				return g
			}
			i++
			g.toks = append(g.toks, token{kind: tokLit, lit: p[i]})
		default:
			g.toks = append(g.toks, token{kind: tokLit, lit: c})
		}
	}
	return g
}

// posixClasses are the [:name:] classes accepted inside brackets.
var posixClasses = map[string]func(byte) bool{
	"alnum":  func(c byte) bool { return isAlpha(c) || isDigit(c) },
	"alpha":  isAlpha,
	"blank":  func(c byte) bool { return c == ' ' || c == '\t' },
	"cntrl":  func(c byte) bool { return c < 32 || c == 127 },
	"digit":  isDigit,
	"graph":  func(c byte) bool { return c > 32 && c < 127 },
	"lower":  func(c byte) bool { return c >= 'a' && c <= 'z' },
	"print":  func(c byte) bool { return c >= 32 && c < 127 },
	"punct":  func(c byte) bool { return c > 32 && c < 127 && !isAlpha(c) && !isDigit(c) },
	"space":  func(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') },
	"upper":  func(c byte) bool { return c >= 'A' && c <= 'Z' },
	"xdigit": func(c byte) bool { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') },
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// parseClass parses the body of a bracket expression (s starts just after
// '['). It returns the byte set, the number of bytes consumed including
// the closing ']', and false if the expression is malformed.
func parseClass(s string) (*[256]bool, int, bool) {
	var set [256]bool
	i, neg := 0, false
	if i < len(s) && (s[i] == '!' || s[i] == '^') {
		neg, i = true, i+1
	}
	for first := true; ; first = false {
		if i >= len(s) {
			return nil, 0, false
		}
		c := s[i]
		if c == ']' && !first {
			break
		}
		if c == '[' && i+1 < len(s) && s[i+1] == ':' {
			n, ok := addPosixClass(&set, s[i+2:])
			if !ok {
				return nil, 0, false
			}
			i += 2 + n
			continue
		}
		lo, n, ok := classByte(s[i:])
		if !ok {
			return nil, 0, false
		}
		i += n
		hi := lo
		if i+1 < len(s) && s[i] == '-' && s[i+1] != ']' {
			if hi, n, ok = classByte(s[i+1:]); !ok {
				return nil, 0, false
			}
			i += 1 + n
		}
		for b := int(lo); b <= int(hi); b++ {
			set[b] = true
		}
	}
	if neg {
		for b := range set {
			set[b] = !set[b]
		}
	}
	set['/'] = false
	return &set, i + 1, true
}

// classByte reads one (possibly backslash-escaped) byte of a class.
func classByte(s string) (byte, int, bool) {
	if s[0] != '\\' {
		return s[0], 1, true
	}
	if len(s) < 2 {
		return 0, 0, false
	}
	return s[1], 2, true
}

// addPosixClass handles "name:]" (s follows "[:") and returns the bytes
// consumed.
func addPosixClass(set *[256]bool, s string) (int, bool) {
	end := strings.Index(s, ":]")
	if end < 0 {
		return 0, false
	}
	fn, ok := posixClasses[s[:end]]
	if !ok {
		return 0, false
	}
	for b := 0; b < 256; b++ {
		if fn(byte(b)) {
			set[b] = true
		}
	}
	return end + 2, true
}
