// Package filter implements rsync's filter rules (--filter, --exclude,
// --include, --exclude-from, --include-from, -C, -F, --delete-excluded)
// with rsync's meaning, as a pure matcher: nothing in the matcher touches
// the file system. Merge files are read through a ReadFunc supplied by the
// caller; os.go holds the only helpers that use package os.
//
// # Paths
//
// Every path given to the matcher is relative to the transfer root,
// "/"-separated, with no leading or trailing slash ("a/b/c.txt"). The
// transfer root is what rsync calls it: for "src/" it is src itself, for
// "src" (no trailing slash) it is src's parent, so paths start with "src/".
//
// # Sides
//
// Include/exclude rules apply to both sides by default. Sender-side rules
// (hide/show, or the s modifier) decide Excluded: whether a source entry
// takes part in the transfer. Receiver-side rules (protect/risk, or the r
// modifier) decide Protected: whether a destination entry that the source
// lacks must survive --delete. With Options.DeleteExcluded, rules that name
// no side become sender-only, so excluded destination entries are deleted
// unless a protect (or r) rule keeps them.
//
// A planner must therefore call Excluded for source entries and only
// Protected for destination entries that the source lacks (not
// Excluded||Protected: that would keep hidden files and break
// --delete-excluded).
//
// # Directories
//
// First matching rule wins. An excluded directory excludes everything
// beneath it, as in rsync, but the matcher does not check ancestors:
// Excluded is meant to be asked only for entries whose parent directories
// were included (the walker does not descend into an excluded directory).
// The same holds for Protected: a protected directory that the source
// lacks is not deleted and the caller must not descend into it. A protected
// directory that the source does have protects nothing beneath it (rsync
// checks each destination entry on its own).
//
// When a destination directory is deleted recursively, rsync re-checks
// every entry inside it against the receiver rules, ignoring perishable
// (p) rules; use ProtectedDeleting for that. A protected entry inside
// makes the directory undeletable ("cannot delete non-empty directory").
//
// # Per-directory merge files
//
// A dir-merge rule (":" or -F) is evaluated per directory. Rules are
// immutable values: the walker calls Enter for every directory it lists,
// top-down, starting with the root (dir ""), and uses the returned *Rules
// for the entries of that directory and as the parent of its
// subdirectories:
//
//	root, err := rules.Enter("", readerFor(""))
//	sub, err := root.Enter("a", readerFor("a"))
//	sub.Excluded("a/x.o", false)
//
// Rules read from a merge file in directory D apply to D's entries and
// (unless the n modifier was used) to everything below D; a child's rules
// come before inherited ones; the whole group sits where the dir-merge
// rule was in the parent list; anchored patterns ("/foo") are anchored at
// D. *Rules values are safe for concurrent use by many goroutines.
//
// rsync's receiver reads per-directory merge files from the destination
// directory; callers who want exactly that keep two chains, one entered
// with a source reader (for Excluded) and one with a destination reader
// (for Protected), and combine them with Split.
package filter
