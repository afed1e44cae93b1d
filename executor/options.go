package executor

import (
	"io"
	"time"

	"github.com/rs/zerolog"

	"github.com/treesync/treesync/filter"
	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// Options configures a run.
type Options struct {
	Policy  planner.Policy
	Copy    platform.CopyOptions
	Jobs    int // copy workers; 0: as the destination's filesystem favours, else DefaultJobs
	Listers int // directory listers; 0 means the walker's default
	// ListWindow is how many names of a directory are listed and planned
	// at a time (walker.Options.Window); 0 means the walker's default.
	ListWindow int
	DryRun     bool // -n: change nothing, report what would be done
	Fsync      bool // fsync each file before its rename, each changed directory after
	// Itemize prints rsync's -i lines; Verbose prints names as rsync -v.
	// ItemizeAll (-ii) lists the unchanged entries too, with a blank
	// change string (".f          name"), as rsync; Policy.ListCurrent
	// must be set with it.
	Itemize    bool
	ItemizeAll bool
	Quiet      bool // -q: no informational lines (rsync's "skipping directory") nor -i, -v or --out-format lines
	Verbose    int
	// AppendVerify (--append-verify) checks, under the policy's Append,
	// the part a file has before appending to it.
	AppendVerify bool
	// TempDir (-T, --temp-dir) is where copies are written before they
	// are renamed into place (relative to DST when not absolute); it must
	// be on the destination's filesystem.
	TempDir string
	// DelayUpdates (--delay-updates) keeps every finished copy under its
	// temporary name until the transfer is over, then renames them all.
	DelayUpdates bool
	// Inplace (--inplace) rewrites changed files in their own inode
	// instead of replacing them (see copyInPlace).
	Inplace bool
	// RemoveSourceFiles (--remove-source-files) deletes each source
	// non-directory once the destination has it up to date; the policy's
	// ListCurrent must be set with it.
	RemoveSourceFiles bool
	// MissingArgs says what a source argument (or --files-from path)
	// the source lacks is: an error, ignored, or a deletion request.
	MissingArgs MissingArgs
	// EightBit (-8) prints bytes of invalid UTF-8 in names as they are.
	EightBit bool
	// NoImpliedDirs (--no-implied-dirs) leaves the directories that only
	// lead to listed paths as the destination has them (a symlink to a
	// directory there is followed), made with default attributes when
	// missing.
	NoImpliedDirs bool
	// Lists, when set, gives each source (same index) its own list and
	// name prefix in place of FilesFrom (-R).
	Lists []SourceList
	// NoNames (--info=name0) leaves out of -v's lines all but deletions.
	NoNames bool
	// HideNonreg (--info=nonreg0) leaves out the "skipping non-regular
	// file" lines rsync prints, as treesync does, unless -q.
	HideNonreg bool
	// SkipNotes (--info=skip) prints why a compare option leaves a file as
	// it is, as -vv does; ShowDeletes (--info=del) prints "deleting NAME"
	// lines without -v; BackupNotes (-vv, --info=backup) prints each
	// backup made; RemoveNotes (-vv, --info=remove) each source file
	// --remove-source-files removes.
	SkipNotes, ShowDeletes, BackupNotes, RemoveNotes bool
	// OutFormat (--out-format) is the format of the lines -i and -v print
	// (rsync's escapes; see formatLine); "" gives theirs.
	OutFormat string
	// ShowOwner and ShowGroup say what --out-format's %U and %G show:
	// the source's owner and group where -o and -g were asked for (by
	// themselves, -a, --chown or a map; kept or not), as rsync; else 0
	// and DEFAULT.
	ShowOwner, ShowGroup bool
	Out                  io.Writer // itemize and -v lines (stdout); nil discards
	Log                  zerolog.Logger
	// OneFileSystem is rsync's -x; SkipMountPoints its -xx, which leaves
	// out the directories on another device too (-x makes them empty).
	OneFileSystem   bool
	SkipMountPoints bool
	// Links, SkipUnsafe, CopyDirlinks and KeepDirlinks are
	// -L/--copy-unsafe-links, --safe-links, -k and -K (see walker.Options).
	Links        walker.LinkMode
	SkipUnsafe   bool
	CopyDirlinks bool
	KeepDirlinks bool
	// Umask applies to new entries whose permissions are not preserved.
	Umask uint32
	// Transform rewrites source modes and owners (--chmod, --chown).
	Transform *planner.Transform
	// DeleteMode, MaxDelete, IgnoreErrors, AllowEmptySource: see delete.go.
	DeleteMode DeleteMode
	// DeletesDecidedDuring marks a DeleteAfter that --delay-updates chose
	// (rsync then decides its deletes as it goes): per-directory merge
	// files are read before the transfer, not after it.
	DeletesDecidedDuring bool
	MaxDelete            DeleteLimit
	IgnoreErrors         bool // delete even after I/O errors
	AllowEmptySource     bool // let --delete empty the destination of an empty source
	// AltDests are --compare-dest/--copy-dest/--link-dest/--clone-dest
	// directories, used as AltMode says.
	AltDests []string
	AltMode  AltMode
	// InsecureLinks (--insecure-links) follows any symlink on the paths
	// the command line names for writing and reading (the destination,
	// --backup-dir, --temp-dir, the reference trees); without it only
	// root's and the running user's are followed (see trusted.go).
	InsecureLinks bool
	// Backup keeps replaced and deleted files: with the suffix beside
	// them, or under BackupDir (-b, --backup-dir, --suffix).
	Backup    bool
	BackupDir string
	Suffix    string
	// OnChange, when set, receives every change made (or, in a dry run,
	// that would be made): the same set as the -i lines. It is called from
	// several goroutines at once.
	OnChange func(Change)
	// Filter holds the include/exclude rules (nil: everything).
	Filter *filter.Rules
	// FilesFrom restricts the transfer to listed paths (--files-from).
	FilesFrom *filter.PathList
	// MkPath (--mkpath) creates the missing directories above the
	// destination, as rsync 3.2.3 does; else their absence is an error.
	MkPath bool
	// PruneEmptyDirs (-m) removes the directories this run created that
	// end up with nothing in them.
	PruneEmptyDirs bool
	// CopyDevices (--copy-devices) copies a source device's contents into
	// a regular file.
	CopyDevices bool
	// PartialDir keeps interrupted copies for a later resume: a directory
	// name relative to each destination directory ("" disables it).
	PartialDir string
	// LockWait is how long to wait for another run's lock on the
	// destination (0: fail at once); NoLock skips the lock.
	LockWait time.Duration
	NoLock   bool
	// ChangedRetries is how many times a file that changes while it is
	// copied is copied again before the run gives up on it.
	ChangedRetries int
	maxDeleteSet   bool
	fs             fsys // tests only: a fault-injecting kernel
}

// SetMaxDelete sets --max-delete; a Count of 0 deletes nothing (rsync).
func (o *Options) SetMaxDelete(l DeleteLimit) {
	o.MaxDelete, o.maxDeleteSet = l, true
}

// DefaultJobs is the number of copy workers when Options.Jobs is 0 and
// the destination's filesystem has no preference (platform.FavouredJobs).
// Measured on the project's 2-core machine with BenchmarkSync (a mirror
// of 2,000 small files on ext4, medians of 3×5 runs): 1 job 727 ms,
// 2 jobs 608 ms, 4 jobs 548 ms, 8 jobs 617 ms.
const DefaultJobs = 4

func (o *Options) fill() {
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.MaxDelete.Count == 0 && o.MaxDelete.Percent == 0 && !o.maxDeleteSet {
		o.MaxDelete.Count = -1
	}
	if o.ChangedRetries <= 0 {
		o.ChangedRetries = 3
	}
	// rsync -vv's lines for what is left as it is
	o.Policy.Notes = (o.Verbose >= 2 || o.SkipNotes) && !o.Quiet
	o.Policy.UptodateNotes = o.Verbose >= 2 && !o.Quiet
	o.BackupNotes = o.BackupNotes || o.Verbose >= 2
	o.RemoveNotes = o.RemoveNotes || o.Verbose >= 2
}

// SourceList is the list of paths below one source directory that -R
// transfers, and the prefix its names are printed with ("/" for absolute
// sources given without a "/./", as rsync prints them).
type SourceList struct {
	List       *filter.PathList
	NamePrefix string
	// FilesFrom marks a --files-from list: under --delete-missing-args a
	// listed path whose directory is missing too is still deleted at the
	// destination (with the warning) without -r, where rsync's -R and
	// a list with -r delete nothing.
	FilesFrom bool
}
