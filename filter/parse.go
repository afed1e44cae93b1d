package filter

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// ReadFunc reads a merge file. For global merge files and *-from files
// name is the path given by the user; for per-directory merge files it is
// a name relative to the directory being entered. A result wrapping
// fs.ErrNotExist means "no such file" (not an error for dir-merge files).
type ReadFunc func(name string) ([]byte, error)

// item is one entry of a rule list: a rule, or a dir-merge slot whose
// rules depend on the directory.
type item struct {
	rule  *Rule
	merge *mergeRule
}

// mergeRule is a dir-merge rule: the file name and the defaults for the
// rules read from it.
type mergeRule struct {
	name      string
	mods      fileMods
	noInherit bool // the dir-merge rule itself came from an n file
}

// fileMods are the parsing defaults for rules read from one source.
type fileMods struct {
	sides       Side
	perishable  bool
	abs         bool
	xattr       bool
	noPrefix    bool // - or +: every line is a pattern
	include     bool // with noPrefix or oldStyle: lines are includes
	oldStyle    bool // exclude-from/include-from: only "- ", "+ ", "!"
	cvs         bool // C: word split, no prefixes, "!" allowed
	wordSplit   bool
	noInherit   bool
	excludeSelf bool
}

// maxMergeDepth bounds nested merge files (a file merging itself).
const maxMergeDepth = 32

// parser accumulates items for one rule list.
type parser struct {
	opts    *Options
	read    ReadFunc
	dir     string // per-directory anchor; "" for global rules
	depth   int
	items   []item
	cleared bool
	known   map[string]bool // dir-merge names already active
}

// clear handles the "!" rule.
func (p *parser) clear() {
	p.items = p.items[:0]
	p.cleared = true
}

// addData parses the contents of a rule file named src.
func (p *parser) addData(data []byte, mods fileMods, src string) error {
	if mods.wordSplit {
		return p.addWords(strings.Fields(string(data)), mods, src)
	}
	sep := byte('\n')
	if mods.oldStyle && p.opts.From0 {
		sep = 0
	}
	for n, line := range bytes.Split(data, []byte{sep}) {
		s := strings.TrimSuffix(string(line), "\r")
		if s == "" || (sep == '\n' && (s[0] == '#' || s[0] == ';')) {
			continue
		}
		if err := p.addLine(s, mods); err != nil {
			return fmt.Errorf("%s line %d: %w", src, n+1, err)
		}
	}
	return nil
}

// addWords parses word-split rules; a bare rule prefix takes the next
// word as its pattern.
func (p *parser) addWords(words []string, mods fileMods, src string) error {
	for i := 0; i < len(words); i++ {
		w := words[i]
		if !mods.noPrefix && !mods.cvs && i+1 < len(words) && needsArg(w) {
			i++
			w += " " + words[i]
		}
		if err := p.addLine(w, mods); err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
	}
	return nil
}

// needsArg reports whether w is a rule prefix lacking its pattern.
func needsArg(w string) bool {
	h, err := splitHead(w)
	return err == nil && !h.hasArg && h.kind != '!' && !strings.Contains(h.mods, "C")
}

// addLine parses one rule in the syntax chosen by mods.
func (p *parser) addLine(s string, mods fileMods) error {
	switch {
	case (mods.noPrefix || mods.cvs || mods.oldStyle) && s == "!":
		p.clear()
		return nil
	case mods.noPrefix || mods.cvs:
		return p.addPattern(s, mods.include, "", mods)
	case mods.oldStyle:
		if len(s) >= 2 && (s[0] == '-' || s[0] == '+') && s[1] == ' ' {
			return p.addPattern(s[2:], s[0] == '+', "", mods)
		}
		return p.addPattern(s, mods.include, "", mods)
	}
	return p.addRule(s, mods)
}

// addPattern adds an include or exclude rule with modifier letters ml.
func (p *parser) addPattern(pat string, include bool, ml string, mods fileMods) error {
	r := &Rule{Include: include, Pattern: pat, Sides: mods.sides, Perishable: mods.perishable,
		AbsPath: mods.abs, XAttr: mods.xattr, noInherit: mods.noInherit}
	for i := 0; i < len(ml); i++ {
		switch ml[i] {
		case '!':
			r.Negate = true
		case '/':
			r.AbsPath = true
		case 'p':
			r.Perishable = true
		case 'x':
			r.XAttr = true
		case 's', 'r':
			if mods.sides != 0 {
				return errors.New("rules in this merge file must not specify a side")
			}
			r.Sides |= map[byte]Side{'s': SideSender, 'r': SideReceiver}[ml[i]]
		}
	}
	r.m = compilePattern(pat, p.dir)
	p.items = append(p.items, item{rule: r})
	return nil
}

// readMerge reads a merge file through the parser's reader.
func (p *parser) readMerge(name string) ([]byte, error) {
	if p.read == nil {
		return nil, fmt.Errorf("cannot read merge file %q: no reader", name)
	}
	data, err := p.read(name)
	if err != nil {
		return nil, fmt.Errorf("reading merge file %q: %w", name, err)
	}
	return data, nil
}

// isNotExist reports whether err means a missing file.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// mergeBase is the per-directory file name of a dir-merge rule: a name
// with a directory part ("/.rsync-filter") is looked up by its base name.
func mergeBase(name string) string {
	if strings.Contains(name, "/") {
		return path.Base(name)
	}
	return name
}
