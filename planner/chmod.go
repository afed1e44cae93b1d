package planner

import (
	"fmt"
	"strconv"
	"strings"
)

// Chmod is a parsed --chmod value: comma-separated clauses as chmod(1)'s
// symbolic and octal modes, each optionally prefixed with D (directories
// only) or F (everything else), applied in order.
type Chmod []chmodClause

type chmodClause struct {
	dirs, files bool // which kinds the clause applies to
	octal       int  // >= 0: set the permission bits to this
	who         uint32
	ops         []chmodOp
}

type chmodOp struct {
	op    byte // + - =
	perms string
}

// ParseChmod parses a --chmod value such as "D755,F644" or "u+rwX,g-w,o=".
func ParseChmod(s string) (Chmod, error) {
	var c Chmod
	for _, item := range strings.Split(s, ",") {
		cl, err := parseClause(item)
		if err != nil {
			return nil, fmt.Errorf("--chmod %q: %w", item, err)
		}
		c = append(c, cl)
	}
	return c, nil
}

func parseClause(s string) (chmodClause, error) {
	cl := chmodClause{dirs: true, files: true, octal: -1}
	switch {
	case strings.HasPrefix(s, "D"):
		cl.files, s = false, s[1:]
	case strings.HasPrefix(s, "F"):
		cl.dirs, s = false, s[1:]
	}
	if s == "" {
		return cl, fmt.Errorf("empty mode")
	}
	if s[0] >= '0' && s[0] <= '7' {
		v, err := strconv.ParseUint(s, 8, 32)
		if err != nil || v > 0o7777 {
			return cl, fmt.Errorf("bad octal mode")
		}
		cl.octal = int(v)
		return cl, nil
	}
	i := 0
	for ; i < len(s) && strings.IndexByte("ugoa", s[i]) >= 0; i++ {
		cl.who |= map[byte]uint32{'u': 0o4700, 'g': 0o2070, 'o': 0o1007, 'a': 0o7777}[s[i]]
	}
	if cl.who == 0 {
		cl.who = 0o7777
	}
	return cl, parseOps(&cl, s[i:])
}

func parseOps(cl *chmodClause, s string) error {
	if s == "" {
		return fmt.Errorf("missing +, - or =")
	}
	for s != "" {
		if strings.IndexByte("+-=", s[0]) < 0 {
			return fmt.Errorf("expected +, - or = at %q", s)
		}
		j := 1
		for j < len(s) && strings.IndexByte("rwxXst", s[j]) >= 0 {
			j++
		}
		cl.ops = append(cl.ops, chmodOp{op: s[0], perms: s[1:j]})
		s = s[j:]
	}
	return nil
}

// Apply returns mode (permission bits) changed by c for an entry that is
// a directory or not.
func (c Chmod) Apply(mode uint32, isDir bool) uint32 {
	for _, cl := range c {
		if (isDir && !cl.dirs) || (!isDir && !cl.files) {
			continue
		}
		if cl.octal >= 0 {
			mode = uint32(cl.octal)
			continue
		}
		for _, op := range cl.ops {
			bits := permBits(op.perms, mode, isDir) & cl.who
			switch op.op {
			case '+':
				mode |= bits
			case '-':
				mode &^= bits
			case '=':
				mode = mode&^cl.who | bits
			}
		}
	}
	return mode & 0o7777
}

func permBits(perms string, mode uint32, isDir bool) uint32 {
	var b uint32
	for i := 0; i < len(perms); i++ {
		switch perms[i] {
		case 'r':
			b |= 0o444
		case 'w':
			b |= 0o222
		case 'x':
			b |= 0o111
		case 'X':
			if isDir || mode&0o111 != 0 {
				b |= 0o111
			}
		case 's':
			b |= 0o6000
		case 't':
			b |= 0o1000
		}
	}
	return b
}
