package main

import (
	"slices"

	"github.com/urfave/cli/v2"
)

const (
	catCopy    = "What to copy and preserve"
	catCompare = "Deciding what changed"
	catDelete  = "Deleting"
	catSafety  = "Safety and speed"
	catOutput  = "Output"
	catRsync   = "Accepted for rsync's command lines (no effect on a local copy, in rsync as here)"
)

func boolFlag(name, alias, usage, cat string) *cli.BoolFlag {
	f := &cli.BoolFlag{Name: name, Usage: usage, Category: cat}
	if alias != "" {
		f.Aliases = []string{alias}
	}
	return f
}

// hiddenFlag is a --no- flag of a part of -a, which only negations
// writes; the help tells of --no-OPTION once.
func hiddenFlag(name string) *cli.BoolFlag { return &cli.BoolFlag{Name: name, Hidden: true} }

// appFlags returns every option; categorized keeps their help
// categories (for --help and --man-page).
func appFlags(categorized bool) []cli.Flag {
	return withCachedNames(slices.Concat(syncFlags(), outputFlags(), acceptedFlags()), categorized)
}

func syncFlags() []cli.Flag {
	return []cli.Flag{
		boolFlag("archive", "a", "archive mode: the same as -rlptgoD", catCopy),
		boolFlag("recursive", "r", "recurse into directories", catCopy),
		boolFlag("links", "l", "copy symlinks as symlinks", catCopy),
		boolFlag("perms", "p", "preserve permissions (including setuid, setgid, sticky)", catCopy),
		boolFlag("times", "t", "preserve modification times (to the nanosecond)", catCopy),
		boolFlag("omit-dir-times", "O", "do not preserve the modification times of directories (implied by --backup without --backup-dir, as rsync)", catCopy),
		boolFlag("omit-link-times", "J", "do not preserve the modification times of symlinks", catCopy),
		boolFlag("group", "g", "preserve group (not as root: the groups you belong to)", catCopy),
		boolFlag("owner", "o", "preserve owner (as root)", catCopy),
		boolFlag("D", "", "the same as --devices --specials", catCopy),
		boolFlag("devices", "", "preserve character and block devices (as root)", catCopy),
		boolFlag("specials", "", "preserve fifos and sockets", catCopy),
		boolFlag("drop-D", "", "make no devices, fifos or sockets, whatever else asks for them: each is skipped as without -D (as rsync 3.5; for a wrapper that restricts what may be made)", catCopy),
		boolFlag("copy-devices", "", "copy the contents of a device into a regular file (a disk image from a block device); before --devices", catCopy),
		boolFlag("write-devices", "", "write a regular file's data into the device already at its destination name (an image onto a block device) instead of replacing the device; implies --inplace", catCopy),
		boolFlag("copy-links", "L", "copy what symlinks point to instead of the links", catCopy),
		boolFlag("copy-unsafe-links", "", "copy what symlinks pointing outside the tree point to", catCopy),
		boolFlag("safe-links", "", "leave out symlinks that point outside the tree", catCopy),
		boolFlag("insecure-links", "", "follow any symlink on the paths given for the destination, --backup-dir, --temp-dir, the reference trees, --log-file and the rules files (by default only root's and yours, as rsync 3.5)", catCopy),
		boolFlag("keep-dirlinks", "K", "treat a destination symlink to a directory as the directory", catCopy),
		boolFlag("hard-links", "H", "preserve hard links (also across directories)", catCopy),
		boolFlag("xattrs", "X", "preserve extended attributes (user.*; every namespace but system.* as root)", catCopy),
		boolFlag("acls", "A", "preserve POSIX ACLs (implies --perms)", catCopy),
		boolFlag("atimes", "U", "preserve access times", catCopy),
		boolFlag("super", "", "act as root even when not (-o, devices, every xattr namespace: what the kernel refuses fails)", catCopy),
		boolFlag("no-super", "", "act as a user other than root even as root (no owners, no devices, user.* xattrs, your groups)", catCopy),
		&cli.StringFlag{Name: "copy-as", Category: catCopy, Usage: "run the copy (both sides of it) as `USER[:GROUP]` (from root: to read and write only what USER may; without GROUP, USER's groups)"},
		boolFlag("fake-super", "", "keep owners, special bits, devices, fifos, sockets, symlinks and other namespaces' xattrs in user.rsync.* xattrs of regular files, as rsync (for backups by an ordinary user; on both sides)", catCopy),
		boolFlag("numeric-ids", "", "keep uids and gids as numbers (a local transfer shares one user database, so names map to the same numbers either way)", catCopy),
		&cli.StringFlag{Name: "usermap", Category: catCopy,
			Usage: "map owners: `FROM:TO,...` (FROM a name, a pattern such as r* or *, an ID or a range 5-10; TO a name or ID; the first match wins; implies -o)"},
		&cli.StringFlag{Name: "groupmap", Category: catCopy, Usage: "map groups as --usermap maps owners (`FROM:TO,...`; implies -g)"},
		&cli.StringFlag{Name: "chown", Category: catCopy, Usage: "set owner and group of every entry to `USER:GROUP` (either may be empty; implies -o/-g)"},
		&cli.StringFlag{Name: "chmod", Category: catCopy, Usage: "change permissions with `CHMOD` as rsync: e.g. D755,F644 or u+rwX,go-w"},
		boolFlag("one-file-system", "x", "do not cross filesystem boundaries", catCopy),

		boolFlag("checksum", "c", "compare contents (byte by byte) instead of size and mtime", catCompare),
		boolFlag("size-only", "", "skip files whose size matches, whatever their mtime", catCompare),
		boolFlag("ignore-times", "I", "transfer files even when size and mtime match", catCompare),
		boolFlag("update", "u", "skip files that are newer at the destination", catCompare),
		boolFlag("ignore-existing", "", "skip files that exist at the destination", catCompare),
		boolFlag("existing", "ignore-non-existing", "skip creating new files: only update what exists", catCompare),
		&cli.Float64Flag{Name: "modify-window", Category: catCompare,
			Usage: "treat mtimes within `SECONDS` as equal (default 0: exact to the nanosecond)"},
		&cli.StringFlag{Name: "max-size", Category: catCompare, Usage: "skip files larger than `SIZE` (K, M, G suffixes)"},
		&cli.StringFlag{Name: "min-size", Category: catCompare, Usage: "skip files smaller than `SIZE`"},

		&cli.StringSliceFlag{Name: "exclude", Category: catCopy, Usage: "exclude files matching `PATTERN` (rsync syntax)"},
		&cli.StringSliceFlag{Name: "include", Category: catCopy, Usage: "don't exclude files matching `PATTERN`"},
		&cli.StringSliceFlag{Name: "filter", Aliases: []string{"f"}, Category: catCopy, Usage: "add a filter `RULE` (rsync syntax: - + P R H S . : merge dir-merge)"},
		&cli.StringSliceFlag{Name: "exclude-from", Category: catCopy, Usage: "read exclude patterns from `FILE`"},
		&cli.StringSliceFlag{Name: "include-from", Category: catCopy, Usage: "read include patterns from `FILE`"},
		&cli.BoolFlag{Name: "F", Category: catCopy, Usage: "the same as --filter='dir-merge /.rsync-filter'; twice also excludes the .rsync-filter files"},
		boolFlag("old-dirs", "old-d", "the same as -r --exclude='/*/*', as rsync defines it", catCopy),
		boolFlag("dirs", "d", "without -r, copy the directories met (made, with their attributes), not what is in them; a SRC/ still gives its contents", catCopy),
		boolFlag("no-implied-dirs", "", "with -R or --files-from, leave the directories leading to the paths as the destination has them (a symlink there is followed; missing ones are made with default attributes)", catCopy),
		boolFlag("relative", "R", "keep each source's path at the destination (from after a /./ in it): the directories leading to it come along", catCopy),
		&cli.StringFlag{Name: "files-from", Category: catCopy, Usage: "transfer only the paths listed in `FILE` (relative to SRC, each kept from after a /./ in it; a listed DIR/ brings its entries; - reads stdin); -a no longer implies -r"},
		boolFlag("from0", "0", "--files-from lists are separated by NUL bytes, not newlines", catCopy),
		boolFlag("no-recursive", "", "turn -r off; --no-OPTION turns off any option rsync lets turn off (-v, -c, -H, -x, --progress, ...), where it stands: a later form of the option, or -a for its parts, turns it on again", catCopy),
		boolFlag("copy-dirlinks", "k", "copy what a source symlink to a directory points to, as that directory (other symlinks stay links)", catCopy),
		boolFlag("executability", "E", "without -p, keep whether each file is executable (x bits on where r is, or all off), as rsync", catCopy),
		hiddenFlag("no-links"), hiddenFlag("no-perms"), hiddenFlag("no-times"), hiddenFlag("no-group"),
		hiddenFlag("no-owner"), hiddenFlag("no-devices"), hiddenFlag("no-specials"),
		boolFlag("prune-empty-dirs", "m", "do not create directories that would end up empty", catCopy),
		boolFlag("mkpath", "", "create the missing directories above DST", catCopy),
		boolFlag("cvs-exclude", "C", "exclude files the way CVS would (rsync's list, ~/.cvsignore, $CVSIGNORE)", catCopy),
		boolFlag("delete-excluded", "", "also delete excluded files from the destination (implies --delete)", catDelete),
		boolFlag("delete", "", "delete destination entries the source lacks, after the transfer and only if nothing failed (as --delete-delay)", catDelete),
		boolFlag("delete-during", "del", "delete in each directory before its transfers (rsync's default; treesync's --delete waits until the transfer succeeded)", catDelete),
		boolFlag("delete-before", "", "delete everything extraneous before transferring", catDelete),
		boolFlag("delete-after", "", "delete after all transfers are done", catDelete),
		boolFlag("delete-delay", "", "find deletions during the transfer, delete after it", catDelete),
		boolFlag("ignore-errors", "", "delete even when I/O errors happened", catDelete),
		&cli.StringFlag{Name: "max-delete", Category: catDelete,
			Usage: "delete at most `N` entries (exit 25 when more were due), or N% of the destination's entries; 0 deletes nothing"},
		boolFlag("allow-empty-source", "", "let --delete empty the destination when the source root is empty or unreadable (refused by default: an unmounted disk looks like that)", catDelete),
		boolFlag("backup", "b", "keep replaced and deleted files (name~ beside them, or under --backup-dir)", catDelete),
		&cli.StringFlag{Name: "backup-dir", Category: catDelete, Usage: "keep backups under `DIR` (relative to DST), with the same relative paths"},
		&cli.StringFlag{Name: "suffix", Category: catDelete, Usage: "backup `SUFFIX` (default ~ without --backup-dir, none with it)"},
		boolFlag("force", "", "replace a non-empty directory by a non-directory", catDelete),
		boolFlag("ignore-missing-args", "", "a source argument (or --files-from path) that does not exist is no error", catDelete),
		boolFlag("delete-missing-args", "", "delete the destination name of a source argument (or --files-from path) that does not exist (a non-empty directory only with --delete or --force)", catDelete),

		&cli.StringSliceFlag{Name: "link-dest", Category: catCopy, Usage: "hard-link files unchanged from `DIR` (a previous snapshot; relative to DST; up to 20)"},
		&cli.StringSliceFlag{Name: "clone-dest", Category: catCopy, Usage: "reflink files unchanged from `DIR`: snapshots share blocks but not inodes (a copy where cloning is impossible)"},
		&cli.StringSliceFlag{Name: "copy-dest", Category: catCopy, Usage: "copy files unchanged from `DIR` locally instead of from the source"},
		&cli.StringSliceFlag{Name: "compare-dest", Category: catCopy, Usage: "skip files unchanged in `DIR`"},
		boolFlag("dry-run", "n", "change nothing; report what would be done", catSafety),
		&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Category: catSafety,
			Usage: "copy `N` files at once (default 4; onto btrfs 2, or 1 from the same subvolume; chosen by benchmark)"},
		&cli.StringFlag{Name: "reflink", Value: "auto", Category: catSafety,
			Usage: "`WHEN` to clone files: auto (where the filesystem can), always (or fail), never"},
		&cli.StringFlag{Name: "copy-method", Value: "auto", Category: catSafety,
			Usage: "`METHOD` for data (diagnostics): auto, kernel (copy_file_range, no reflink), buffered"},
		&cli.DurationFlag{Name: "lock-wait", Category: catSafety,
			Usage: "wait up to `DURATION` (e.g. 30s, 10m) for another run's lock on DST; default: fail at once with exit 26"},
		&cli.IntFlag{Name: "stop-after", Category: catSafety, Usage: "stop after `MINS` minutes (exit 30, as rsync); what was copied stays, a file under way is left out"},
		&cli.StringFlag{Name: "stop-at", Category: catSafety, Usage: "stop at `TIME`: y-m-dTh:m, m-dTh:m or h:m (the next such time), local time (exit 30)"},
		&cli.IntFlag{Name: "timeout", Category: catSafety,
			Usage: "stop with exit 30 when nothing progresses for `SECONDS` (no entry listed, no byte copied, nothing changed), as rsync's I/O timeout"},
		boolFlag("no-lock", "", "do not lock DST against concurrent treesync runs", catSafety),
		boolFlag("partial", "", "keep a file interrupted by a signal or an I/O error and resume it next time (in .treesync-partial/, or $RSYNC_PARTIAL_DIR as rsync)", catSafety),
		boolFlag("P", "", "the same as --partial --progress", catSafety),
		boolFlag("append", "", "for files that only grow (logs): write the part past a shorter destination file's end; leave one not shorter", catSafety),
		boolFlag("append-verify", "", "--append, checking the part already there first (a file that differs is copied whole)", catSafety),
		&cli.StringFlag{Name: "temp-dir", Aliases: []string{"T"}, Category: catSafety,
			Usage: "write copies in `DIR` (relative to DST), then rename them into place (from another filesystem, carried over into DST's directory first)"},
		boolFlag("delay-updates", "", "keep each finished copy under a temporary name until the transfer is over, then put them all in place at once", catSafety),
		boolFlag("inplace", "", "rewrite a changed file in its own inode instead of replacing it (its other names see the change; a stopped run leaves it part written)", catSafety),
		boolFlag("remove-source-files", "", "delete each source file (not directory) once the destination has it up to date; one changed since it was listed stays (an error)", catSafety),
		&cli.StringFlag{Name: "bwlimit", Category: catSafety,
			Usage: "write file data at most at `RATE` KiB per second over all copies (or with a K, M, G suffix; clones are not held)"},
		boolFlag("preallocate", "", "reserve each file's space before writing it (fallocate: fewer fragments); files with holes keep them", catSafety),
		boolFlag("sparse", "S", "turn blocks of zeros into holes, as well as keeping the source's holes (data then goes through a buffer; cloning comes first)", catSafety),
		&cli.StringFlag{Name: "partial-dir", Category: catSafety, Usage: "keep interrupted files in `DIR` (relative to each destination directory, or one absolute directory for all; implies --partial)"},
		boolFlag("fsync", "", "fsync each file before renaming it into place, and each changed directory", catSafety),

		boolFlag("verbose", "v", "list transferred files (-vv: more detail)", catOutput),
		boolFlag("quiet", "q", "print errors only", catOutput),
		boolFlag("itemize-changes", "i", "print a change summary per item, as rsync", catOutput),
		boolFlag("8-bit-output", "8", "print the bytes of names that are not UTF-8 as they are, not as \\#ooo", catOutput),
		&cli.StringFlag{Name: "out-format", Category: catOutput,
			Usage: "print each change in `FORMAT`, with rsync's escapes (%n name, %i itemize string, %L link target, %l length, %b bytes written, %o, %f, %B, %U, %G, %M, %t, %p); without %i, what -v lists"},
		boolFlag("stats", "", "print transfer statistics at the end", catOutput),
		boolFlag("list-only", "", "list the sources as ls -l would (what a source given alone does too), copying nothing", catOutput),
		boolFlag("version", "V", "print the version, commit and Go version", catOutput),
	}
}
