// Package walker lists the source and destination trees in lockstep,
// directory by directory, with a bounded pool of listers.
//
// Each directory pair is a Dir: it holds open descriptors for the source
// and destination directories, so every entry is stat'ed relative to its
// directory (no full-path lookups, no PATH_MAX limit, no symlink
// following). A Dir stays alive while anything inside it is pending —
// its own listing, its subdirectories, work handed to the executor — and
// when the last piece completes the walker calls Options.OnDone (where
// directory metadata is applied, so the deepest directories finish first)
// and releases its parent. Memory therefore holds the walk frontier and
// the work in flight, never the whole tree.
//
// A directory of more names than Options.Window is read whole (names
// only, sorted) and then stat-ed and visited a window of names at a
// time, both sides of a name in the same window: its entries are never
// all in memory at once (Pair.First and Pair.Last let the visitor decide
// what concerns the whole directory, such as deletions, at the end).
package walker
