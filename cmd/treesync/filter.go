package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/treesync/treesync/filter"
)

// filterFlagNames maps the options that make filter rules to their kind.
var filterFlagNames = map[string]string{
	"exclude": "exclude", "include": "include", "filter": "filter", "f": "filter",
	"exclude-from": "exclude-from", "include-from": "include-from",
}

// buildFilter collects the filter options in command-line order (rsync
// applies rules in the order given, which urfave/cli does not keep across
// different options) and compiles them.
func buildFilter(c *cli.Context, args []string) (*filter.Rules, error) {
	fargs := filterArgs(args)
	opts := filter.Options{DeleteExcluded: c.Bool("delete-excluded"), CVSExclude: c.Bool("cvs-exclude"),
		ReadFile: operatorReader(c)}
	if len(fargs) == 0 && !opts.CVSExclude {
		return nil, nil
	}
	if opts.CVSExclude {
		opts = filter.FromEnvironment(opts)
	}
	return filter.New(fargs, opts)
}

// filterArgs scans the (reordered) arguments for filter options.
func filterArgs(args []string) []filter.Arg {
	var out []filter.Arg
	for i := 1; i < len(args) && args[i] != "--"; i++ {
		a := args[i]
		if strings.HasPrefix(a, "--") {
			name, val, hasVal := strings.Cut(a[2:], "=")
			kind, ok := filterFlagNames[name]
			if !ok {
				continue
			}
			if !hasVal && i+1 < len(args) {
				i++
				val = args[i]
			}
			out = append(out, filter.Arg{Kind: kind, Value: val})
			continue
		}
		if len(a) > 1 && a[0] == '-' {
			var more []filter.Arg
			more, i = shortFilterArgs(args, i)
			out = append(out, more...)
		}
	}
	return out
}

// shortFilterArgs reads -F (repeatable, also inside clusters) and -f RULE
// from the short-option cluster args[i]; it returns the index of the last
// argument used.
func shortFilterArgs(args []string, i int) ([]filter.Arg, int) {
	var out []filter.Arg
	a := args[i]
	for j := 1; j < len(a); j++ {
		switch a[j] {
		case 'F':
			out = append(out, filter.Arg{Kind: "F"})
		case 'f':
			val := a[j+1:]
			if val == "" && i+1 < len(args) {
				i++
				val = args[i]
			}
			return append(out, filter.Arg{Kind: "filter", Value: val}), i
		case 'j':
			return out, i // a value follows; no more options in this cluster
		}
	}
	return out, i
}
