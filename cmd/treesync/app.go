package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/treesync/treesync/executor"
	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = "dev"

// usageError marks command-line mistakes (exit 1).
type usageError struct{ error }

// run is main without the process: it parses args, runs the sync and
// returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if !slices.Contains(args, "--json") {
		code, _ := runApp(ctx, args, stdout, stderr) // (stdout as it is: a terminal shows progress in place)
		return code
	}
	out := &watchedWriter{w: stdout}
	code, err := runApp(ctx, args, out, stderr)
	if code != executor.ExitOK && !out.used {
		// Stopped before the run (a usage error, a rules file that
		// cannot be read): the summary all the same, with the code.
		res := &executor.Result{ExitCode: code, Stats: &executor.Stats{}, Fatal: err}
		if werr := writeSummary(stdout, res, false); werr != nil {
			fmt.Fprintf(stderr, "treesync: %v\n", werr)
		}
	}
	return code
}

// watchedWriter is w, noting whether anything was written to it.
type watchedWriter struct {
	w    io.Writer
	used bool
}

func (ww *watchedWriter) Write(p []byte) (int, error) {
	ww.used = ww.used || len(p) > 0
	return ww.w.Write(p)
}

// runApp is run but for a summary left unwritten: it returns the exit
// code and the error that ended the run before it started, if one did.
func runApp(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	code := executor.ExitOK
	verbosity := 0
	app := &cli.App{
		Name:                   "treesync",
		Usage:                  "mirror directory trees fast: a parallel, rsync-compatible sync engine",
		UsageText:              "treesync [OPTIONS] SRC... DST\n\n" + usageExamples,
		HideVersion:            true, // its default -v alias is rsync's --verbose
		UseShortOptionHandling: true,
		HideHelpCommand:        true,
		Writer:                 stdout,
		ErrWriter:              stderr,
		Flags:                  appFlags(showsHelp(args)),
		Action: func(c *cli.Context) error {
			if c.Bool("version") {
				fmt.Fprintln(stdout, "treesync", versionString())
				return nil
			}
			if handled, err := infoAction(c, stdout); handled {
				return err
			}
			var err error
			code, err = runSync(ctx, c, args, verbosity, stdout, stderr)
			return err
		},
	}
	app.OnUsageError = func(_ *cli.Context, err error, _ bool) error { return usageError{err} }
	args = reorderArgs(args, app.Flags)
	verbosity = countVerbose(args, app.Flags)
	err := app.RunContext(ctx, args)
	if err != nil {
		fmt.Fprintf(stderr, "treesync: %v\n", err)
		var ue usageError
		if errors.As(err, &ue) || strings.Contains(err.Error(), "flag provided but not defined") {
			fmt.Fprintln(stderr, "treesync: see 'treesync --help'")
			return executor.ExitUsage, err
		}
		if code == executor.ExitOK {
			code = executor.ExitUsage
		}
	}
	return code, err
}

const usageExamples = `Examples:
   treesync -a --delete src/ /backup/src/      mirror the contents of src
   treesync -a src /backup/                    copy the directory src itself into /backup
   treesync -ai --dry-run src/ dst/            show what would change, change nothing
   treesync -a --delete --json --log-file=/var/log/treesync.log src/ /backup/
                                               a cron job: JSON summary on stdout, a log file
   treesync --capabilities src/ /backup/       what the two filesystems support, how files would be copied
   treesync --completion=bash > /etc/bash_completion.d/treesync`

func versionString() string {
	v := Version
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (commit " + s.Value[:12] + ")"
			}
		}
		v += " " + bi.GoVersion
	}
	return v
}

// runSync turns the parsed options into an executor run.
func runSync(ctx context.Context, c *cli.Context, args []string, verbosity int, stdout, stderr io.Writer) (int, error) {
	paths := c.Args().Slice()
	listOnly := c.Bool("list-only") || len(paths) == 1 // rsync lists a source given alone
	if len(paths) == 0 {
		return executor.ExitUsage, usageError{errors.New("need at least one source and a destination: treesync [OPTIONS] SRC... DST")}
	}
	if err := emptyPath(paths); err != nil {
		return executor.ExitUsage, usageError{err}
	}
	if len(paths) == 1 {
		paths = append(paths, "") // (the destination a listing has not)
	}
	if code, err := checkAccepted(c); err != nil {
		if code == executor.ExitUsage {
			return code, usageError{err}
		}
		fmt.Fprintf(stderr, "treesync: %v\n", err)
		return code, nil
	}
	stop, err := stopDeadline(c.Int("stop-after"), c.String("stop-at"), time.Now())
	if err != nil {
		return executor.ExitUsage, usageError{err}
	}
	if spec := c.String("copy-as"); spec != "" {
		if err := copyAs(spec); err != nil {
			return executor.ExitUsage, usageError{err}
		}
	}
	opts, err := buildOptions(c, verbosity, stdout, stderr)
	if err != nil {
		return executor.ExitUsage, usageError{err}
	}
	opts.SkipMountPoints = countOption(args, c.App.Flags, 'x', "--one-file-system") > 1 // -xx
	opts.ItemizeAll = countOption(args, c.App.Flags, 'i', "--itemize-changes") > 1      // -ii
	opts.Policy.ListCurrent = opts.Policy.ListCurrent || opts.ItemizeAll
	if opts.Filter, err = buildFilter(c, args); err != nil {
		if pe := new(fs.PathError); errors.As(err, &pe) {
			// a rules file that cannot be read: exit 11, as rsync
			fmt.Fprintf(stderr, "treesync: %v\n", err)
			return executor.ExitFileIO, nil
		}
		return executor.ExitUsage, usageError{err}
	}
	sources, err := filesFromOptions(c, &opts, paths[:len(paths)-1])
	if err != nil {
		return executor.ExitUsage, usageError{err}
	}
	sources, err = relativeOptions(c, &opts, sources)
	if err != nil {
		return executor.ExitUsage, usageError{err}
	}
	opts.PruneEmptyDirs = c.Bool("prune-empty-dirs")
	opts.CopyDevices = c.Bool("copy-devices")
	opts.MkPath = c.Bool("mkpath")
	if opts.FilesFrom != nil || opts.Lists != nil {
		opts.Policy.Recursive = true // walk to the listed paths; the list decides
	}
	out, err := newOutput(c, &opts, verbosity, stdout, stderr)
	if err != nil {
		return executor.ExitUsage, usageError{err}
	}
	if listOnly {
		res := runList(ctx, opts, sources, humanLevel(c), out.human)
		if out.stats >= 1 {
			writeTotals(out.human, res, 0, false, humanLevel(c)) // (-v, as rsync's listing)
		}
		if err := out.flushHuman(); err != nil {
			fmt.Fprintf(stderr, "treesync: %v\n", err)
		}
		return reportExit(res, stderr), nil
	}
	signalsReady(ctx) // before anything changes the destination
	ex := executor.New(opts)
	out.start(ex, sources, paths[len(paths)-1])
	res := runWatched(ctx, ex, time.Duration(c.Int("timeout"))*time.Second, stop, sources, paths[len(paths)-1], stderr)
	out.finish(res, opts.DryRun)
	return reportExit(res, stderr), nil
}

// emptyPath refuses an empty source or destination argument, as rsync
// does: it names no file (the current directory is ".").
func emptyPath(paths []string) error {
	for i, p := range paths {
		switch {
		case p != "":
		case i == len(paths)-1 && i > 0:
			return errors.New(`empty destination argument (use "." for the current directory)`)
		default:
			return errors.New(`empty source argument (use "." for the current directory)`)
		}
	}
	return nil
}

// reportExit prints a failed run's exit code and returns it.
func reportExit(res *executor.Result, stderr io.Writer) int {
	if res.ExitCode != 0 {
		fmt.Fprintf(stderr, "treesync: %s (code %d)\n", exitMessage(res.ExitCode), res.ExitCode)
	}
	return res.ExitCode
}

func buildOptions(c *cli.Context, verbosity int, stdout, stderr io.Writer) (executor.Options, error) {
	pol, err := buildPolicy(c)
	if err != nil {
		return executor.Options{}, err
	}
	cp, err := copyOptions(c)
	if err != nil {
		return executor.Options{}, err
	}
	if c.Int("jobs") < 0 {
		return executor.Options{}, fmt.Errorf("--jobs must be at least 1")
	}
	tr, err := buildTransform(c, &pol)
	if err != nil {
		return executor.Options{}, err
	}
	o := executor.Options{
		Transform: tr, Policy: pol, Copy: cp, Jobs: c.Int("jobs"), DryRun: c.Bool("dry-run"), Fsync: c.Bool("fsync"),
		Itemize: c.Bool("itemize-changes"), EightBit: c.Bool("8-bit-output"), Verbose: verbosity, Quiet: c.Bool("quiet"), OutFormat: c.String("out-format"), OneFileSystem: c.Bool("one-file-system"),
		Links: linkMode(c), SkipUnsafe: c.Bool("safe-links"), KeepDirlinks: c.Bool("keep-dirlinks"),
		CopyDirlinks: c.Bool("copy-dirlinks"), InsecureLinks: c.Bool("insecure-links"),
		Umask: platform.Umask(), LockWait: c.Duration("lock-wait"), NoLock: c.Bool("no-lock"),
		PartialDir: partialDir(c), ListWindow: listWindow(os.Getenv),
	}
	o.ShowOwner, o.ShowGroup = idsAsked(c)
	if !filepath.IsAbs(o.PartialDir) {
		o.Policy.ProtectName = o.PartialDir // (an absolute one is no name in the tree)
	}
	if err := updateOptions(c, &o); err != nil {
		return o, err
	}
	backupOptions(c, &o)
	if err := altDestOptions(c, &o); err != nil {
		return o, err
	}
	return o, deleteOptions(c, &o)
}

// updateOptions reads how files are updated and sources treated:
// --inplace, --append(-verify), --remove-source-files and the missing
// arguments' options.
func updateOptions(c *cli.Context, o *executor.Options) error {
	o.RemoveSourceFiles = c.Bool("remove-source-files")
	o.Policy.ListCurrent = o.RemoveSourceFiles
	o.Policy.WriteDevices = c.Bool("write-devices")
	o.DelayUpdates = c.Bool("delay-updates")
	o.TempDir = c.String("temp-dir")
	o.NoImpliedDirs = c.Bool("no-implied-dirs")
	o.AppendVerify = c.Bool("append-verify")
	o.Policy.Append = c.Bool("append") || o.AppendVerify
	o.Inplace = c.Bool("inplace") || o.Policy.WriteDevices || o.Policy.Append // (as rsync's: a file --append-verify sends again is rewritten in place)
	switch {
	case c.Bool("delete-missing-args"):
		o.MissingArgs = executor.MissingDelete
	case c.Bool("ignore-missing-args"):
		o.MissingArgs = executor.MissingIgnore
	}
	if c.Bool("secluded-args") && c.Bool("old-args") {
		return errors.New("--secluded-args conflicts with --old-args") // as rsync
	}
	if o.Policy.ACLs && !o.Policy.Perms {
		// (rsync then keeps the ACLs' named entries with the destination's
		// permission bits, by rules of its own that differ between a file
		// it transfers, one it leaves and a new directory's contents)
		return errors.New("--no-perms after -A/--acls is not supported: -A implies --perms here (give --no-perms before -A, or leave out -A)")
	}
	if o.Policy.FakeSuper && o.Policy.ACLs {
		return errors.New("--fake-super cannot be used with -A/--acls here (rsync keeps the ACLs in user.rsync.%aacl; treesync does not yet)")
	}
	if o.Inplace && c.String("partial-dir") != "" {
		given := map[bool]string{true: "--append", false: "--inplace"}[o.Policy.Append] // (as rsync names it)
		return fmt.Errorf("%s and --partial-dir cannot be used together (a file updated in place has no partial copy)", given)
	}
	return delayConflicts(o)
}

// delayConflicts refuses what --delay-updates cannot go with: updates in
// place (as rsync refuses them), and, here, --remove-source-files, whose
// removals would not wait for the held copies.
func delayConflicts(o *executor.Options) error {
	switch {
	case !o.DelayUpdates:
		return nil
	case o.Inplace || o.Policy.Append:
		return errors.New("--delay-updates cannot be used with --inplace or --append")
	case o.RemoveSourceFiles:
		// (a stopped run drops the held copies: their sources must stay)
		return errors.New("--delay-updates cannot be used with --remove-source-files (not supported by treesync)")
	}
	return nil
}

// superUser reports whether the run acts as root: as its effective user
// says, unless --super or --no-super (the last of them: negations) says
// otherwise, as in rsync.
func superUser(c *cli.Context) bool {
	switch {
	case c.Bool("super"):
		return true
	case c.Bool("no-super"):
		return false
	}
	return platform.Geteuid() == 0
}

// archivePart reports a part of -a: asked for, implied by -a or by
// implied, unless a --no- form after it turned it off (see negations).
func archivePart(c *cli.Context, name string, implied bool) bool {
	return (c.Bool("archive") || c.Bool(name) || implied) && !c.Bool("no-"+name)
}

func buildPolicy(c *cli.Context) (planner.Policy, error) {
	on := func(name string) bool { return archivePart(c, name, false) }
	root := superUser(c)
	fake := c.Bool("fake-super") // acts as root, keeping in xattrs what it cannot set
	pol := planner.Policy{
		Recursive: on("recursive"), Dirs: c.Bool("dirs"), Links: on("links"), Perms: on("perms"), Executability: c.Bool("executability"),
		Times: on("times"), Owner: (root || fake) && on("owner"), Group: on("group"),
		// Not as root, devices cannot be made: skipped as rsync skips them.
		// --drop-D makes none (nodes there already are left alone).
		Devices: (root || fake) && on("devices") && !c.Bool("drop-D"), Specials: on("specials") && !c.Bool("drop-D"), FakeSuper: fake,
		Atimes: c.Bool("atimes"), HardLinks: c.Bool("hard-links"), Xattrs: c.Bool("xattrs"), ACLs: c.Bool("acls"), Root: root,
		Delete: c.Bool("delete"), Force: c.Bool("force"),
		SizeOnly: c.Bool("size-only"), IgnoreTimes: c.Bool("ignore-times"), Checksum: c.Bool("checksum"),
		Update: c.Bool("update"), IgnoreExisting: c.Bool("ignore-existing"), Existing: c.Bool("existing"),
		// Backups made beside the files change their directories' times,
		// so rsync leaves those times alone under -b without --backup-dir.
		OmitDirTimes:  c.Bool("omit-dir-times") || (c.Bool("backup") && c.String("backup-dir") == ""),
		OmitLinkTimes: c.Bool("omit-link-times"),
		AltExact:      len(c.StringSlice("compare-dest")) > 0 || len(c.StringSlice("link-dest")) > 0,
	}
	if !root && !fake {
		pol.MemberOf = platform.Groups()
	}
	w := c.Float64("modify-window")
	if w < 0 {
		w = 0 // rsync's -1 means "compare nanoseconds", which is the default here
	}
	pol.ModifyWindow = int64(math.Round(w * 1e9))
	var err error
	if pol.MaxSize, err = parseSize(c.String("max-size")); err != nil {
		return pol, fmt.Errorf("--max-size: %w", err)
	}
	if pol.MinSize, err = parseSize(c.String("min-size")); err != nil {
		return pol, fmt.Errorf("--min-size: %w", err)
	}
	return pol, nil
}

func copyOptions(c *cli.Context) (platform.CopyOptions, error) {
	var o platform.CopyOptions
	switch c.String("reflink") {
	case "auto", "":
	case "always":
		o.Reflink = platform.ReflinkAlways
	case "never":
		o.Reflink = platform.ReflinkNever
	default:
		return o, fmt.Errorf("--reflink must be auto, always or never, not %q", c.String("reflink"))
	}
	switch c.String("copy-method") {
	case "auto", "":
	case "kernel":
		o.Method = platform.CopyKernel
	case "buffered":
		o.Method = platform.CopyBuffered
	default:
		return o, fmt.Errorf("--copy-method must be auto, kernel or buffered, not %q", c.String("copy-method"))
	}
	o.Sparse = c.Bool("sparse")
	o.Preallocate = c.Bool("preallocate")
	rate, err := parseRate(c.String("bwlimit"))
	if err != nil {
		return o, fmt.Errorf("--bwlimit: %w", err)
	}
	o.BytesPerSecond = rate
	return o, nil
}

// parseSize reads rsync-style sizes: 100, 10K, 1.5M, 2G (powers of 1024).
func parseSize(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	mult := 1.0
	switch strings.ToUpper(s[len(s)-1:]) {
	case "K":
		mult = 1 << 10
	case "M":
		mult = 1 << 20
	case "G":
		mult = 1 << 30
	case "T":
		mult = 1 << 40
	}
	if mult != 1 {
		s = s[:len(s)-1]
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return int64(v * mult), nil
}

// parseRate reads --bwlimit as rsync does: a number of KiB per second,
// or of bytes with a K, M or G suffix (powers of 1024); 0 means none.
func parseRate(s string) (int64, error) {
	if s != "" && s[len(s)-1] >= '0' && s[len(s)-1] <= '9' {
		s += "K"
	}
	return parseSize(s)
}

func exitMessage(code int) string {
	switch code {
	case executor.ExitUsage:
		return "syntax or usage error"
	case executor.ExitFileIO:
		return "error in file IO"
	case executor.ExitSignal:
		return "received SIGINT, SIGTERM, or SIGHUP"
	case executor.ExitPartial:
		return "some files/attrs were not transferred (see previous errors)"
	case executor.ExitVanished:
		return "some files vanished before they could be transferred"
	case executor.ExitDelLimit:
		return "the --max-delete limit stopped deletions"
	case executor.ExitSelect:
		return "errors selecting input/output files, dirs"
	case executor.ExitLockHeld:
		return "another run holds the destination lock"
	case executor.ExitTimeout:
		return "timeout in data send/receive"
	case executor.ExitUnsupported:
		return "requested action not supported"
	}
	return "error"
}

func linkMode(c *cli.Context) walker.LinkMode {
	switch {
	case c.Bool("copy-links"):
		return walker.LinksFollow
	case c.Bool("copy-unsafe-links"):
		return walker.LinksUnsafe
	}
	return walker.LinksKeep
}

// partialDir reads --partial and --partial-dir. --partial alone takes
// the directory RSYNC_PARTIAL_DIR names, as rsync does, but not with
// --inplace or --delay-updates (nor --write-devices, an --inplace).
func partialDir(c *cli.Context) string {
	if d := c.String("partial-dir"); d != "" {
		return d
	}
	if !c.Bool("partial") { // -P too (see expandPairs)
		return ""
	}
	inPlace := c.Bool("inplace") || c.Bool("delay-updates") || c.Bool("write-devices")
	if d := os.Getenv("RSYNC_PARTIAL_DIR"); d != "" && !inPlace {
		return d
	}
	return ".treesync-partial"
}

// listWindow reads TREESYNC_LIST_WINDOW, how many names of a directory
// are listed and planned at a time (0, the default, when unset or not a
// number): tests set it small to plan ordinary trees in many windows.
func listWindow(getenv func(string) string) int {
	n, err := strconv.Atoi(getenv("TREESYNC_LIST_WINDOW"))
	if err != nil || n < 0 {
		return 0
	}
	return n
}
