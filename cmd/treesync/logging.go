package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"
)

// Logging: every log event goes to stderr at the level -q/-v/-vv choose
// (warnings by default), and, with --log-file, also to that file (as
// rsync's --log-file adds to the normal output) at info level or more
// (debug with -vv), where each change made is recorded too. --log-format
// picks text (the default) or JSON lines for both. Nothing is logged to
// stdout.

// logLevels returns the stderr level and the log-file level.
func logLevels(verbosity int, quiet bool) (stderrLevel, fileLevel zerolog.Level) {
	stderrLevel, fileLevel = zerolog.WarnLevel, zerolog.InfoLevel
	switch {
	case quiet:
		stderrLevel = zerolog.ErrorLevel
	case verbosity >= 2:
		stderrLevel, fileLevel = zerolog.DebugLevel, zerolog.DebugLevel
	case verbosity == 1:
		stderrLevel = zerolog.InfoLevel
	}
	return stderrLevel, fileLevel
}

// levelWriter passes on the events at min level or more.
type levelWriter struct {
	w   io.Writer
	min zerolog.Level
}

func (l levelWriter) Write(p []byte) (int, error) { return l.w.Write(p) }

func (l levelWriter) WriteLevel(level zerolog.Level, p []byte) (int, error) {
	if level < l.min {
		return len(p), nil
	}
	return l.w.Write(p)
}

// logSink formats events for one destination.
func logSink(w io.Writer, format string, withTime bool) io.Writer {
	if format == "json" {
		return w
	}
	parts := []string{zerolog.LevelFieldName, zerolog.MessageFieldName}
	if withTime {
		parts = append([]string{zerolog.TimestampFieldName}, parts...)
	}
	return zerolog.ConsoleWriter{Out: w, NoColor: true, PartsOrder: parts, TimeFormat: logTimeFormat}
}

// logTimeFormat is the time of log lines, to the millisecond.
const logTimeFormat = "2006-01-02T15:04:05.000Z07:00"

// timeHook stamps each event with the time to the millisecond (zerolog's
// own Timestamp follows a package-wide format, in whole seconds).
var timeHook = zerolog.HookFunc(func(e *zerolog.Event, _ zerolog.Level, _ string) {
	e.Str(zerolog.TimestampFieldName, time.Now().Format(logTimeFormat))
})

// runLog is the run's logger and the log file it may hold open.
type runLog struct {
	log  zerolog.Logger
	file *os.File        // nil without --log-file
	rec  *zerolog.Logger // the log file's own logger (change records), or nil
}

// buildLog makes the logger from --log-format, --log-file, -q and -v.
func buildLog(c *cli.Context, verbosity int, stderr io.Writer) (*runLog, error) {
	format := c.String("log-format")
	if format != "text" && format != "json" {
		return nil, fmt.Errorf("--log-format must be text or json, not %q", format)
	}
	errLevel, fileLevel := logLevels(verbosity, c.Bool("quiet"))
	rl := &runLog{}
	sinks := []io.Writer{levelWriter{logSink(stderr, format, false), errLevel}}
	minLevel := errLevel
	if f := openLogFile(c, c.String("log-file"), stderr); f != nil {
		rl.file = f
		fileSink := logSink(f, format, true)
		sinks = append(sinks, levelWriter{fileSink, fileLevel})
		minLevel = min(minLevel, fileLevel)
		rec := zerolog.New(fileSink).Hook(timeHook)
		rl.rec = &rec
	}
	rl.log = zerolog.New(zerolog.MultiLevelWriter(sinks...)).Level(minLevel).Hook(timeHook)
	return rl, nil
}

// openLogFile opens --log-file path for appending, if given. One that
// cannot be opened is noted on stderr and left out: rsync goes on
// without it (exit 0), and so does treesync.
func openLogFile(c *cli.Context, path string, stderr io.Writer) *os.File {
	if path == "" {
		return nil
	}
	f, err := openOperatorFile(c, path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		fmt.Fprintf(stderr, "treesync: --log-file: %v: not logging to a file\n", err)
		return nil
	}
	return f
}

// close closes the log file, if any.
func (rl *runLog) close() error {
	if rl.file == nil {
		return nil
	}
	if err := rl.file.Close(); err != nil {
		return fmt.Errorf("closing the log file: %w", err)
	}
	return nil
}
