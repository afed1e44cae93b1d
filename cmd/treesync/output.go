package main

import (
	"io"

	"github.com/urfave/cli/v2"

	"github.com/treesync/treesync/executor"
)

// output is everything a run shows besides the itemize lines: the log,
// the end-of-run statistics, machine-readable records and progress.
type output struct {
	c      *cli.Context
	stdout io.Writer
	stderr io.Writer
}

// outputFlags are the options of this file's features.
func outputFlags() []cli.Flag { return nil }

// newOutput sets up the run's output from the options; it may set
// opts.Log, opts.Out and opts.OnChange.
func newOutput(c *cli.Context, opts *executor.Options, verbosity int, stdout, stderr io.Writer) (*output, error) {
	opts.Log = newLogger(stderr, verbosity, c.Bool("quiet"))
	opts.Out = stdout
	return &output{c: c, stdout: stdout, stderr: stderr}, nil
}

// start is called once the executor exists, before the run.
func (o *output) start(*executor.Executor) {}

// finish reports the result of the run.
func (o *output) finish(res *executor.Result, dryRun bool) {
	if o.c.Bool("stats") {
		writeStats(o.stdout, res, dryRun)
	}
}
