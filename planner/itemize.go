package planner

// OpLink is the itemize-only operation of a file hard-linked to another
// member of its group ("hf" lines); OpLocal that of a file copied from a
// reference directory ("cf" lines). The planner never emits them.
const (
	OpLink  Op = 100
	OpLocal Op = 101
)

// Itemize returns rsync's 11-character change string (YXcstpoguax) for
// an action that was carried out; change is the final set of changes
// (the executor may add ChangeContent after a checksum comparison).
func Itemize(op Op, k Kind, change Change, pol Policy) string {
	if op == OpDelete {
		return "*deleting  "
	}
	b := []byte{updateLetter(op), k.Letter(), '.', '.', '.', '.', '.', '.', '.', '.', '.'}
	if change&ChangeNew != 0 {
		for i := 2; i < len(b); i++ {
			b[i] = '+'
		}
		return string(b)
	}
	set := func(i int, flag Change, letter byte) {
		if change&flag != 0 {
			b[i] = letter
		}
	}
	set(2, ChangeContent, 'c')
	set(3, ChangeSize, 's')
	if pol.Times {
		set(4, ChangeTime, 't')
	} else {
		set(4, ChangeTime, 'T')
	}
	set(5, ChangePerms, 'p')
	set(6, ChangeOwner, 'o')
	set(7, ChangeGroup, 'g')
	set(8, ChangeAtime, 'u')
	set(9, ChangeACL, 'a')
	set(10, ChangeXattr, 'x')
	if b[0] != '>' && string(b[2:]) == "........." {
		copy(b[2:], "         ") // rsync blanks a local change with nothing to show
	}
	return string(b)
}

func updateLetter(op Op) byte {
	switch op {
	case OpCopy:
		return '>'
	case OpMeta, OpDir:
		return '.'
	case OpLink:
		return 'h'
	}
	return 'c'
}
