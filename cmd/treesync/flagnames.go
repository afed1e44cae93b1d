package main

import "github.com/urfave/cli/v2"

// urfave/cli v2 computes a flag's names with a regexp each time it asks,
// and before every action it asks for every name of every flag while
// looking each one up among all flags: O(flags²) regexps, 1.9 ms of a
// 4.8 ms --version (BenchmarkVersion). The wrappers below answer Names()
// from a slice computed once; every other method is the embedded flag's.

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

// withCachedNames wraps each flag of a known type; others pass unchanged.
func withCachedNames(flags []cli.Flag) []cli.Flag {
	out := make([]cli.Flag, len(flags))
	for i, f := range flags {
		out[i] = cachedNames(f)
	}
	return out
}

func cachedNames(f cli.Flag) cli.Flag {
	names := f.Names()
	switch f := f.(type) {
	case *cli.BoolFlag:
		return namedBool{f, names}
	case *cli.StringFlag:
		return namedString{f, names}
	case *cli.StringSliceFlag:
		return namedStrings{f, names}
	case *cli.IntFlag:
		return namedInt{f, names}
	case *cli.Float64Flag:
		return namedFloat{f, names}
	case *cli.DurationFlag:
		return namedDuration{f, names}
	}
	return f
}

// takesValue reports whether a flag needs an argument (every flag but a
// boolean one).
func takesValue(f cli.Flag) bool {
	df, ok := f.(cli.DocGenerationFlag)
	return ok && df.TakesValue()
}
