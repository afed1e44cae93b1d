package planner

import "strings"

// UnsafeLink reports whether a symlink in directory dir (relative to the
// transfer root) with the given target points outside the transferred
// tree: an absolute target, or one whose ".." components climb above the
// root at any point (rsync's definition, used by --safe-links and
// --copy-unsafe-links).
func UnsafeLink(dir, target string) bool {
	if strings.HasPrefix(target, "/") {
		return true
	}
	depth := 0
	if dir != "" {
		depth = strings.Count(dir, "/") + 1
	}
	for _, c := range strings.Split(target, "/") {
		switch c {
		case "", ".":
		case "..":
			depth--
			if depth < 0 {
				return true
			}
		default:
			depth++
		}
	}
	return false
}
