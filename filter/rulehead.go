package filter

import (
	"fmt"
	"strings"
)

// head is the part of a filter rule before its pattern.
type head struct {
	kind   byte   // short rule letter: + - . : H S P R !
	mods   string // modifier letters
	arg    string // pattern or file name
	hasArg bool
}

// longNames maps rsync's long rule names to the short letters.
var longNames = []struct {
	name string
	kind byte
}{
	{"include", '+'}, {"exclude", '-'}, {"merge", '.'}, {"dir-merge", ':'},
	{"hide", 'H'}, {"show", 'S'}, {"protect", 'P'}, {"risk", 'R'}, {"clear", '!'},
}

// splitHead splits a rule into its name, modifiers and argument.
func splitHead(s string) (head, error) {
	var h head
	rest, long := "", false
	for _, l := range longNames {
		if strings.HasPrefix(s, l.name) && (len(s) == len(l.name) || strings.IndexByte(" _,", s[len(l.name)]) >= 0) {
			h.kind, rest, long = l.kind, s[len(l.name):], true
			break
		}
	}
	if !long {
		if s == "" || strings.IndexByte("+-.:HSPR!", s[0]) < 0 {
			return h, fmt.Errorf("unknown filter rule: %q", s)
		}
		h.kind, rest = s[0], s[1:]
	}
	if strings.HasPrefix(rest, ",") {
		rest = rest[1:]
	} else if long && rest != "" && rest[0] != ' ' && rest[0] != '_' {
		return h, fmt.Errorf("unknown filter rule: %q", s)
	}
	i := strings.IndexAny(rest, " _")
	if i < 0 {
		h.mods = rest
		return h, nil
	}
	h.mods, h.arg, h.hasArg = rest[:i], rest[i+1:], true
	return h, nil
}

// ruleMods lists the modifiers each kind of rule accepts.
var ruleMods = map[byte]string{
	'+': "!/Csrpx", '-': "!/Csrpx", 'H': "!/px", 'S': "!/px", 'P': "!/px", 'R': "!/px",
	'.': "-+Cenwsrp/x", ':': "-+Cenwsrp/x", '!': "",
}

// kindSides is the side implied by the hide/show/protect/risk rules.
var kindSides = map[byte]Side{'H': SideSender, 'S': SideSender, 'P': SideReceiver, 'R': SideReceiver}

// addRule parses one rule in the full filter syntax.
func (p *parser) addRule(s string, mods fileMods) error {
	h, err := splitHead(s)
	if err != nil {
		return err
	}
	for i := 0; i < len(h.mods); i++ {
		if strings.IndexByte(ruleMods[h.kind], h.mods[i]) < 0 {
			return fmt.Errorf("invalid modifier %q at position %d in filter rule: %q", h.mods[i], i+1, s)
		}
	}
	switch h.kind {
	case '!':
		if h.hasArg || h.mods != "" {
			return fmt.Errorf("'!' rule has trailing characters: %q", s)
		}
		p.clear()
		return nil
	case '.', ':':
		return p.addMerge(h, mods, s)
	}
	if strings.Contains(h.mods, "C") {
		return p.addCVSDefaults(mods)
	}
	if h.arg == "" {
		return fmt.Errorf("unexpected end of filter rule: %q", s)
	}
	if side := kindSides[h.kind]; side != 0 {
		if mods.sides != 0 {
			return fmt.Errorf("rules in this merge file must not specify a side: %q", s)
		}
		h.mods += map[Side]string{SideSender: "s", SideReceiver: "r"}[side]
	}
	return p.addPattern(h.arg, h.kind == '+' || h.kind == 'S' || h.kind == 'R', h.mods, mods)
}

// mergeMods builds the parsing defaults for a merge file from the merge
// rule's modifiers, on top of the enclosing file's defaults.
func mergeMods(ml string, outer fileMods) (fileMods, error) {
	m := fileMods{sides: outer.sides, perishable: outer.perishable, abs: outer.abs,
		xattr: outer.xattr, noInherit: outer.noInherit}
	for i := 0; i < len(ml); i++ {
		switch ml[i] {
		case '-':
			m.noPrefix, m.include = true, false
		case '+':
			m.noPrefix, m.include = true, true
		case 'C':
			m.cvs, m.wordSplit, m.noInherit, m.noPrefix = true, true, true, true
		case 'e':
			m.excludeSelf = true
		case 'n':
			m.noInherit = true
		case 'w':
			m.wordSplit = true
		case 's', 'r':
			if outer.sides != 0 {
				return m, fmt.Errorf("merge rule inside a sided merge file must not specify a side")
			}
			m.sides |= map[byte]Side{'s': SideSender, 'r': SideReceiver}[ml[i]]
		case 'p':
			m.perishable = true
		case '/':
			m.abs = true
		case 'x':
			m.xattr = true
		}
	}
	return m, nil
}
