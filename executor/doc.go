// Package executor carries out the planner's actions on the destination.
//
// Run resolves the command line's roots, walks each source in lockstep
// with the destination (package walker; several sources one after the
// other, merged as rsync merges them into one file list: overlay.go),
// plans every directory pair
// (package planner) and executes the plan: directories and deletes inline
// in the walker's listers, file copies on a bounded pool of workers. The
// workers get a directory's items in batches where new files are created
// by name, as the directory's lock serialises those, and one item at a
// time otherwise (see batchBytes).
//
// Each regular file is written to a temporary name in its destination
// directory (or, when new, as an unnamed file where the filesystem
// favours it), given its owner, mode and times on the open descriptor,
// and renamed (or linked) into place only when the source did not change
// meanwhile and the destination entry is still the one the planner saw.
// A directory the run creates is staged instead (stage.go): made under a
// temporary name, filled with files under their own names, and renamed
// into place when they are in.
// Directory metadata is applied when everything inside a directory is
// done, so deepest first; its group and setgid bit, which what is made
// inside inherits, before anything is (inheritEarly). Per-file errors are recorded and the run goes
// on; errors no file can get around (ENOSPC, EROFS, a vanished destination
// root) cancel the run.
//
// Other ways of writing, as rsync's options ask: in the file's own inode
// (--inplace, --append: copy.go's copyInPlace and appendTo), every copy
// held under its temporary name until the end (--delay-updates:
// delay.go). Around the copies: source files removed once their
// directory is done (--remove-source-files: removesource.go), missing
// arguments ignored or deleted (missing.go), the lines -i, -v and
// --out-format print (report.go, outformat.go).
package executor
