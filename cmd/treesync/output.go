package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/treesync/treesync/executor"
)

// output is everything a run shows besides the itemize lines: the log,
// the end-of-run statistics, machine-readable records and progress.
//
// stdout belongs to one reader at a time. With --json (or
// --json-changes=-) it carries only the machine-readable output, and the
// human output -- itemize and -v lines, --stats, progress -- goes to
// stderr instead. Warnings and errors always go to stderr (and the log
// file), never to stdout.
type output struct {
	c       *cli.Context
	opts    *executor.Options
	stdout  io.Writer // machine-readable output (--json, --json-changes=-)
	human   io.Writer // itemize, -v, --stats, progress: stdout, or stderr when stdout is machine-readable
	stderr  io.Writer
	log     *runLog
	changes *changeWriter
	chFile  *os.File // the --json-changes file, if not stdout
	prog    *progress
	ex      *executor.Executor // set by start, before the run
	// progress is --progress (or --info's); stats is rsync's level of
	// statistics: 1 the closing sent/total size lines (-v), 2 also
	// --stats' fields; logFormat is --log-file-format.
	progress  bool
	stats     int
	logFormat string
}

// outputFlags are the options of this file's features.
func outputFlags() []cli.Flag {
	return []cli.Flag{
		boolFlag("json", "", "print one JSON object summing up the run on stdout, and nothing else there (itemize, -v and --stats go to stderr)", catOutput),
		&cli.StringFlag{Name: "json-changes", Category: catOutput,
			Usage: "write one JSON line per change (the itemize letters as fields) to `FILE` (- for stdout, not with --json)"},
		&cli.StringFlag{Name: "log-format", Value: "text", Category: catOutput,
			Usage: "`FORMAT` of log lines on stderr and in --log-file: text or json"},
		&cli.StringFlag{Name: "log-file-format", Category: catOutput,
			Usage: "write each change to --log-file as rsync does: time, [pid] and the change in `FORMAT` (--out-format's escapes), instead of a log record"},
		&cli.StringFlag{Name: "log-file", Category: catOutput,
			Usage: "also log to `FILE` (appended): info and up, plus one line per change, as rsync's --log-file"},
		boolFlag("progress", "", "show files and bytes done of the exact totals, rate and ETA (counts first by a dry-run pass)", catOutput),
		boolFlag("human-readable", "", "--stats and --list-only sizes in units of 1000 (1.23M), twice of 1024; -h with other options, as in rsync (-h alone shows this help); --no-h: no digit groups", catOutput),
		hiddenFlag("no-human-readable"),
		&cli.StringFlag{Name: "stderr", Category: catOutput,
			Usage: "`MODE` errors (the default) or client: itemize, -v, --stats and progress on stdout; all: on stderr with the errors (--msgs2stderr: all)"},
		&cli.StringFlag{Name: "outbuf", Category: catOutput,
			Usage: "`MODE` of stdout's buffering: N or L (each line as it comes, the default) or B (64 KiB blocks: faster for long -v or -i output to a file or pipe)"},
		&cli.StringSliceFlag{Name: "info", Category: catOutput,
			Usage: "rsync's `FLAGS`, comma-separated or repeated: progress2 (--progress), progress0, stats1 (-v's closing sent/total size lines), stats2 (--stats), stats0, name1 (the names -v lists), name0 (none, as with --info=progress2 --info=name0), nonreg0 (no 'skipping non-regular file' lines), skip (why -u, --ignore-existing, --existing, --max/min-size leave a file, as -vv), del ('deleting NAME' without -v), backup (each backup made, as -vv), remove (each source file --remove-source-files removes, as -vv); ALL or allN, NONE (all0); symsafe (taken: -v prints unsafe symlinks, as in rsync 3.5); flist0, misc0, mount0, copy0 (treesync prints none of those); help (the list)"},
		boolFlag("capabilities", "", "print what the filesystems of SRC and DST support and how treesync would copy between them, then exit", catOutput),
		&cli.StringFlag{Name: "completion", Category: catOutput,
			Usage: "print a completion script for `SHELL` (bash, zsh or fish) and exit"},
		&cli.BoolFlag{Name: "man-page", Hidden: true, Usage: "print the manual page (roff) and exit"},
	}
}

// infoLevel is one of --info's flags: unset (0), off (-1) or its level
// (1 and up).
type infoLevel int8

func (l infoLevel) or(def bool) bool { return l > 0 || (l == 0 && def) }

// info is what --info sets (a later flag overrides an earlier one, as in
// rsync).
type info struct{ progress, stats, name, nonreg, skip, del, backup, remove infoLevel }

// silent reports rsync's --info flags for messages treesync does not
// print (the file list's, miscellaneous ones, mount points skipped,
// local copies): their level 0 asks for what is so anyway.
func silent(name string) bool {
	return name == "flist" || name == "misc" || name == "mount" || name == "copy"
}

// infoHelp is what --info=help prints: rsync's list, as treesync has it.
const infoHelp = `Use OPT or OPT1 for level 1 output, OPT2 for level 2, etc.; OPT0 silences.

BACKUP     Mention files backed up
DEL        Mention deletions on the receiving side
NAME       Mention 1) updated file/dir names, 2) unchanged names
NONREG     Mention skipped non-regular files (default 1, 0 disables)
PROGRESS   Mention 1) per-file progress or 2) total transfer progress
REMOVE     Mention files removed on the sending side
SKIP       Mention files skipped due to transfer overrides (levels 1-2)
STATS      Mention statistics at end of run (levels 1-3)
SYMSAFE    Accepted; unsafe symlinks are mentioned with -v (as rsync 3.5)

ALL        Set all --info options (e.g. all4)
NONE       Silence all --info options (same as all0)
HELP       Output this help message

COPY, FLIST, MISC and MOUNT take 0 only: treesync has none of those
lines (a local copy sends no file list, copies nothing by delta).
`

// wantsInfoHelp reports --info=help among values.
func wantsInfoHelp(values []string) bool {
	for _, v := range values {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), "help") {
				return true
			}
		}
	}
	return false
}

// readInfo reads --info's values: FLAG or FLAGn (0 off), comma-separated.
func readInfo(values []string) (info, error) {
	var i info
	flags := map[string]*infoLevel{"progress": &i.progress, "stats": &i.stats, "name": &i.name, "nonreg": &i.nonreg,
		"skip": &i.skip, "del": &i.del, "backup": &i.backup, "remove": &i.remove}
	for _, v := range values {
		for _, f := range strings.Split(v, ",") {
			f = strings.ToLower(strings.TrimSpace(f))
			if f == "" {
				continue
			}
			name := strings.TrimRight(f, "0123456789")
			level := infoLevel(1)
			if n, err := strconv.Atoi(f[len(name):]); err == nil {
				level = infoLevel(min(n, 9))
			}
			if level == 0 {
				level = -1
			}
			p, ok := flags[name]
			switch {
			case name == "all" || name == "none":
				if name == "none" {
					level = -1
				}
				for _, p := range flags {
					*p = level
				}
			case name == "symsafe":
				// rsync 3.5's own lines go with -v whatever its level
			case !ok && level < 0 && silent(name):
				// what treesync never prints is off already (flist0: rsync's
				// "building file list")
			case !ok:
				return i, fmt.Errorf("--info: unsupported flag %q (--info=help lists them)", f)
			default:
				*p = level
			}
		}
	}
	return i, nil
}

// statsLevel is rsync's: 1 under -v, 2 under --stats, what --info=statsN
// says when given, none under -q.
func statsLevel(c *cli.Context, info infoLevel, verbosity int, quiet bool) int {
	level := 0
	switch {
	case quiet:
		return 0
	case info != 0:
		return max(int(info), 0)
	case c.Bool("stats"):
		level = 2
	case verbosity > 0:
		level = 1
	}
	return level
}

// newOutput sets up the run's output from the options; it may set
// opts.Log, opts.Out and opts.OnChange.
func newOutput(c *cli.Context, opts *executor.Options, verbosity int, stdout, stderr io.Writer) (*output, error) {
	i, err := readInfo(c.StringSlice("info"))
	if err != nil {
		return nil, err
	}
	if i.name != 0 {
		opts.NoNames = i.name < 0                     // --info=name0: -v's deletions, not its names
		opts.Verbose = max(opts.Verbose, int(i.name)) // name1: names without -v
	}
	opts.HideNonreg = i.nonreg < 0
	opts.SkipNotes, opts.ShowDeletes, opts.BackupNotes, opts.RemoveNotes = i.skip > 0, i.del > 0, i.backup > 0, i.remove > 0
	if c.Bool("capabilities") || c.Bool("man-page") || c.String("completion") != "" {
		// infoAction handles these before any sync: never run one with them.
		return nil, errors.New("--capabilities, --completion and --man-page take no sync")
	}
	o := &output{c: c, opts: opts, stdout: stdout, human: stdout, stderr: stderr, logFormat: c.String("log-file-format"),
		progress: i.progress.or(c.Bool("progress")) && !opts.Quiet, stats: statsLevel(c, i.stats, verbosity, opts.Quiet)}
	if err := o.openChanges(); err != nil {
		return nil, err
	}
	if err := o.routeHuman(); err != nil {
		o.closeChanges()
		return nil, err
	}
	rl, err := buildLog(c, verbosity, stderr)
	if err != nil {
		o.closeChanges()
		return nil, err
	}
	o.log = rl
	opts.Log = rl.log
	opts.Out = o.human
	if o.changes != nil || rl.rec != nil {
		opts.OnChange = o.onChange
	}
	if o.logFormat != "" && rl.file == nil {
		o.closeChanges()
		return nil, errors.New("--log-file-format needs --log-file")
	}
	return o, nil
}

// openChanges opens the --json-changes destination.
func (o *output) openChanges() error {
	path := o.c.String("json-changes")
	switch {
	case path == "":
		return nil
	case path == "-" && o.c.Bool("json"):
		return errors.New("--json-changes=- and --json cannot share stdout: give --json-changes a file")
	case path == "-":
		o.changes = &changeWriter{w: o.stdout}
		return nil
	}
	f, err := openOperatorFile(o.c, path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("--json-changes: %w", err)
	}
	o.chFile, o.changes = f, &changeWriter{w: f}
	return nil
}

func (o *output) closeChanges() error {
	if o.chFile == nil {
		return nil
	}
	if err := o.chFile.Close(); err != nil {
		return fmt.Errorf("closing --json-changes file: %w", err)
	}
	return nil
}

// onChange receives every change, from several goroutines at once.
func (o *output) onChange(ch executor.Change) {
	if o.changes != nil {
		o.changes.write(ch)
	}
	if o.logFormat != "" {
		o.logLine(o.logFormat, ch)
		return
	}
	if o.log.rec != nil {
		ev := o.log.rec.Info().Str("op", opName(ch.Op)).Str("itemize", ch.Itemize).Str("path", ch.Path)
		if ch.Target != "" {
			ev = ev.Str("target", ch.Target)
		}
		ev.Msg("change")
	}
}

// logLine writes a change to the log file as rsync's --log-file lines
// are: time, [pid], the change in the --log-file-format (one write, so
// the lines of concurrent changes stay whole in the appended file).
func (o *output) logLine(format string, ch executor.Change) {
	line, ok := o.ex.FormatChange(format, ch)
	if ok {
		_, _ = fmt.Fprintf(o.log.file, "%s [%d] %s\n", time.Now().Format("2006/01/02 15:04:05"), os.Getpid(), line)
	}
}

// start is called once the executor exists, before the run: with
// progress on, it counts the totals, then starts the display.
func (o *output) start(ex *executor.Executor, sources []string, dest string) {
	o.ex = ex
	if !o.progress {
		return
	}
	files, bytes := progressTotals(o.c.Context, *o.opts, append(slices.Clone(sources), dest))
	o.prog = startProgress(o.human, ex.Stats(), files, bytes)
}

// routeHuman sends the human output to stderr when stdout carries JSON
// or under --stderr=all, through a block buffer under --outbuf=B.
func (o *output) routeHuman() error {
	all, err := stderrAll(o.c.String("stderr"))
	if err != nil {
		return err
	}
	block, err := outbufBlock(o.c.String("outbuf"))
	if err != nil {
		return err
	}
	if all || o.c.Bool("json") || o.c.String("json-changes") == "-" {
		o.human = o.stderr
	}
	if block {
		o.human = newBlockWriter(o.human)
	}
	return nil
}

// flushHuman writes out what --outbuf=B holds.
func (o *output) flushHuman() error {
	if w, ok := o.human.(*blockWriter); ok {
		return w.Flush()
	}
	return nil
}

// finish reports the result of the run.
func (o *output) finish(res *executor.Result, dryRun bool) {
	if o.prog != nil {
		o.prog.stop()
	}
	if o.stats >= 2 {
		writeStats(o.human, res, dryRun, humanLevel(o.c))
	}
	if o.stats >= 1 {
		sent := res.Stats.TransferredBytes.Load()
		if dryRun {
			sent = 0 // nothing was written
		}
		writeTotals(o.human, res, sent, dryRun, humanLevel(o.c))
	}
	errs := []error{o.flushHuman()}
	if o.changes != nil {
		errs = append(errs, o.changes.firstError())
	}
	errs = append(errs, o.closeChanges())
	if o.c.Bool("json") {
		errs = append(errs, writeSummary(o.stdout, res, dryRun))
	}
	o.log.log.Info().Int("exit_code", res.ExitCode).Int64("files_transferred", res.Stats.Transferred.Load()).
		Int64("bytes_transferred", res.Stats.TransferredBytes.Load()).Int("errors", res.ErrCount).
		Float64("elapsed_seconds", res.Elapsed.Seconds()).Msg("run finished")
	errs = append(errs, o.log.close())
	if err := errors.Join(errs...); err != nil {
		fmt.Fprintf(o.stderr, "treesync: %v\n", err)
	}
}
