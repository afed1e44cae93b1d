package main

import (
	"errors"
	"flag"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"
)

// urfave/cli v2 computes a flag's names with a regexp each time it asks,
// and before every action it asks for every name of every flag while
// looking each one up among all flags: O(flags²) regexps, 1.9 ms of a
// 4.8 ms --version (BenchmarkVersion). The wrappers below answer Names()
// from a slice computed once; every other method is the embedded flag's.
//
// Registering a flag (Apply) asks for its names once more through the
// regexp: a third of a --version's CPU. The Apply methods below do what
// cli.BoolFlag's and cli.StringFlag's do for treesync's flags, which
// read no environment variables or files and have no Destination or
// Count: one value per name, holding the flag's default.
//
// urfave/cli also renders every flag's help line at each start to group
// flags by category (4% of a small sync's CPU): a run that shows no help
// drops the categories first.

type namedBool struct {
	*cli.BoolFlag
	names []string
}

type namedString struct {
	*cli.StringFlag
	names []string
}

type namedStrings struct {
	*cli.StringSliceFlag
	names []string
}

type namedInt struct {
	*cli.IntFlag
	names []string
}

type namedFloat struct {
	*cli.Float64Flag
	names []string
}

type namedDuration struct {
	*cli.DurationFlag
	names []string
}

func (f namedBool) Names() []string     { return f.names }
func (f namedString) Names() []string   { return f.names }
func (f namedStrings) Names() []string  { return f.names }
func (f namedInt) Names() []string      { return f.names }
func (f namedFloat) Names() []string    { return f.names }
func (f namedDuration) Names() []string { return f.names }

func (f namedBool) Apply(set *flag.FlagSet) error {
	v := &boolValue{v: f.Value}
	for _, n := range f.names {
		set.Var(v, n, f.Usage)
	}
	return nil
}

func (f namedString) Apply(set *flag.FlagSet) error {
	for _, n := range f.names {
		set.String(n, f.Value, f.Usage)
	}
	return nil
}

// boolValue is a boolean flag's value, shared by its names (as the
// destination of cli.BoolFlag's values is), and how many times it was
// given (cli.Context.Count).
type boolValue struct {
	v bool
	n int
}

func (b *boolValue) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return errors.New("parse error") // as the flag package's own
	}
	b.v = v
	b.n++
	return nil
}

func (b *boolValue) Count() int { return b.n }

func (b *boolValue) Get() any         { return b.v }
func (b *boolValue) String() string   { return strconv.FormatBool(b.v) }
func (b *boolValue) IsBoolFlag() bool { return true }

// withCachedNames wraps each flag of a known type; others pass unchanged.
// Without categorized, the flags lose their help categories.
func withCachedNames(flags []cli.Flag, categorized bool) []cli.Flag {
	out := make([]cli.Flag, len(flags))
	for i, f := range flags {
		out[i] = cachedNames(f, categorized)
	}
	return out
}

func cachedNames(f cli.Flag, categorized bool) cli.Flag {
	switch f := f.(type) {
	case *cli.BoolFlag:
		f.Category = keep(f.Category, categorized)
		return namedBool{f, names(f.Name, f.Aliases)}
	case *cli.StringFlag:
		f.Category = keep(f.Category, categorized)
		return namedString{f, names(f.Name, f.Aliases)}
	case *cli.StringSliceFlag:
		f.Category = keep(f.Category, categorized)
		return namedStrings{f, names(f.Name, f.Aliases)}
	case *cli.IntFlag:
		f.Category = keep(f.Category, categorized)
		return namedInt{f, names(f.Name, f.Aliases)}
	case *cli.Float64Flag:
		f.Category = keep(f.Category, categorized)
		return namedFloat{f, names(f.Name, f.Aliases)}
	case *cli.DurationFlag:
		f.Category = keep(f.Category, categorized)
		return namedDuration{f, names(f.Name, f.Aliases)}
	}
	return f
}

func keep(category string, categorized bool) string {
	if categorized {
		return category
	}
	return ""
}

// names is cli.FlagNames for names without commas or spaces (all of
// treesync's), without its regexp.
func names(name string, aliases []string) []string {
	return append([]string{name}, aliases...)
}

// showsHelp reports whether args may ask for help or the manual page,
// which group the flags by category: -h or --help (alone or in a cluster
// of short options) or --man-page before "--". It may say yes wrongly
// (a value containing h), never no.
func showsHelp(args []string) bool {
	for _, a := range args[min(1, len(args)):] {
		switch {
		case a == "--":
			return false
		case a == "--help" || a == "--man-page":
			return true
		case len(a) > 1 && a[0] == '-' && a[1] != '-' && strings.ContainsRune(a, 'h'):
			return true
		}
	}
	return false
}

// takesValue reports whether a flag needs an argument (every flag but a
// boolean one).
func takesValue(f cli.Flag) bool {
	df, ok := f.(cli.DocGenerationFlag)
	return ok && df.TakesValue()
}
