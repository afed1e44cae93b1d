package planner

// Op is what an Action does.
type Op uint8

// The operations.
const (
	OpCopy    Op = iota + 1 // write a regular file's data (new, changed or replacing another type)
	OpSymlink               // create or retarget a symlink
	OpSpecial               // create a fifo, socket or device node
	OpMeta                  // set mode, owner, times of an up-to-date entry in place
	OpMkdir                 // create a directory, then descend
	OpDir                   // descend into an existing directory (or one kept as a non-directory, --ignore-existing); fix its metadata after
	OpDelete                // remove an extraneous entry (a directory with its contents)
)

// Change is a set of itemize flags: what differs between source and destination.
type Change uint16

// The change flags, in rsync's YXcstpoguax order.
const (
	ChangeNew     Change = 1 << iota // the entry is created
	ChangeContent                    // checksum, symlink target or device number differs
	ChangeSize
	ChangeTime
	ChangePerms
	ChangeOwner
	ChangeGroup
	ChangeAtime
	ChangeACL
	ChangeXattr
)

// Action is one step toward the source's state for one name.
type Action struct {
	Op     Op
	Name   string // name in the directory
	Src    *Entry // the state wanted (nil for deletes)
	Dst    *Entry // the destination entry expected now (nil: expect none)
	Change Change
	// Verify asks the executor to compare contents (-c) before copying: when
	// they match, only metadata is applied.
	Verify bool
	// KeepIfDiffers, with Verify, leaves a file whose contents differ as
	// it is instead of copying it (--append with -c: a destination file
	// not shorter is only ever up to date or left alone).
	KeepIfDiffers bool
	// HardLink marks a file of a hard-link group under -H: the executor
	// copies the group's first member and links the others to it. Such a
	// file gets an action even when up to date (OpMeta with no Change), so
	// the executor can check that it is linked as in the source.
	HardLink bool
	// AltExact asks the executor to look in the reference trees first
	// (Policy.AltExact): an exact match there makes this existing file
	// redundant. With Op OpMeta and no Change the action exists for
	// that alone; the file is up to date otherwise.
	AltExact bool
	// Basis is, for a new file, the reference file (--compare-dest and
	// the like) it is transferred against; set by the executor. Without
	// -p rsync gives the copy its permissions, as an existing file's.
	Basis *Entry
}

// Skip is an entry left out, with rsync's reason.
type Skip struct {
	Name   string
	Reason string // e.g. "skipping non-regular file"
}

// DirPlan is the plan for one directory pair.
type DirPlan struct {
	Deletes []Action // extraneous destination entries, under --delete
	Items   []Action // non-directory entries to create, update or fix
	Subdirs []Action // OpMkdir or OpDir, in name order
	Skipped []Skip
	// Cleanup holds the stale temporaries of an interrupted earlier run:
	// files, and directories it was filling (staged, see executor).
	Cleanup []*Entry
	// DeletesHeld is set when --delete was asked but a listing failed here.
	DeletesHeld bool
	// Dangling holds the source symlinks the filter rules keep that were
	// to be followed and could not be: errors, and their names at the
	// destination are left alone.
	Dangling []*Entry
	// HasFiles is set when the source has a non-directory here that the
	// filter rules leave in, transferred or not: what keeps -m from
	// pruning a directory, as in rsync (which prunes its file list).
	HasFiles bool
	// Current holds, under Policy.ListCurrent, the source non-directories
	// the destination already has up to date (nothing to do for them).
	Current []*Entry
	// Unsafe holds the source symlinks --safe-links leaves out here.
	Unsafe []*Entry
	// Notes holds, under Policy.Notes, rsync's -vv lines for the
	// non-directories left as they are: up to date, or kept by a compare
	// option.
	Notes []Note
	// Left holds the indexes (in the source listing) of the entries the
	// plan leaves out: excluded, or dangling links to follow. The others
	// are rsync's file list (--stats counts them).
	Left []int32
}

// Note is one of rsync's -vv lines: the name, then why it is left ("is
// uptodate", "is newer", "exists", "is over max-size", "is under
// min-size"), or, Before, the reason first with the name quoted ("not
// creating new file").
type Note struct {
	Name, Why string
	Before    bool
}
