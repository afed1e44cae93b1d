package main

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// reorderArgs moves options that follow the paths in front of them, as
// rsync accepts `treesync src/ dst/ --delete`; urfave/cli stops parsing
// options at the first path. Options that take a value keep it; "--"
// ends the options.
func reorderArgs(args []string, flags []cli.Flag) []string {
	if len(args) == 0 {
		return args
	}
	takesValue, forms := valueFlags(flags), boolForms(flags)
	opts, paths := []string{args[0]}, []string{}
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			paths = append(paths, args[i+1:]...)
			i = len(args)
		case len(a) > 2 && a[0] == '-' && a[1] != '-':
			opts = append(opts, humanReadable(splitCluster(a, takesValue))...)
			if needsNext(a, takesValue) && i+1 < len(args) {
				i++
				opts = append(opts, args[i])
			}
		case a == "-h" && len(args) > 2: // rsync's -h, but help when alone
			opts = append(opts, "--human-readable")
		case len(a) > 1 && a[0] == '-':
			opts = append(opts, oneForm(a, forms))
			if needsNext(a, takesValue) && i+1 < len(args) {
				i++
				opts = append(opts, args[i])
			}
		default:
			paths = append(paths, a)
		}
	}
	return append(append(negations(opts, flags, takesValue), "--"), paths...)
}

// needsNext reports whether option a takes its value from the next argument.
func needsNext(a string, takesValue map[string]bool) bool {
	if strings.HasPrefix(a, "--") {
		return !strings.Contains(a, "=") && takesValue[a[2:]]
	}
	// -j 4, or a cluster ending in a value option with nothing after it (-avj 4)
	last := a[len(a)-1:]
	for i := 1; i < len(a); i++ {
		if takesValue[a[i:i+1]] {
			return i == len(a)-1 && takesValue[last]
		}
	}
	return false
}

// boolForms maps each name of a boolean option to one form of it: its
// one-letter name where it has one (the form clusters use), else its
// name. urfave/cli refuses two forms of one option in a command line
// (-x --one-file-system, -v --verbose, --del --delete-during), which
// rsync takes.
func boolForms(flags []cli.Flag) map[string]string {
	m := map[string]string{}
	for _, f := range flags {
		if takesValue(f) {
			continue
		}
		names := f.Names()
		form := "--" + names[0]
		for _, n := range names {
			if len(n) == 1 {
				form = "-" + n
			}
		}
		for _, n := range names {
			m[dashes(n)] = form
		}
	}
	return m
}

// dashes writes an option name as given on a command line.
func dashes(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// oneForm returns the form boolForms gives the option a, or a as it is.
func oneForm(a string, forms map[string]string) string {
	if f, ok := forms[a]; ok {
		return f
	}
	return a
}

func valueFlags(flags []cli.Flag) map[string]bool {
	m := map[string]bool{}
	for _, f := range flags {
		if !takesValue(f) {
			continue
		}
		for _, n := range f.Names() {
			m[n] = true
		}
	}
	return m
}

// countVerbose counts -v options (-v, -vv, -av, --verbose) before "--":
// urfave/cli's own counter miscounts aliases.
func countVerbose(args []string, flags []cli.Flag) int {
	return countOption(args, flags, 'v', "--verbose")
}

// countOption counts a repeatable option given as short (in clusters
// too) or long, before "--".
func countOption(args []string, flags []cli.Flag, short rune, long string) int {
	takesValue := valueFlags(flags)
	n := 0
	for _, a := range args[1:] {
		switch {
		case a == "--":
			return n
		case a == long:
			n++
		case len(a) > 1 && a[0] == '-' && a[1] != '-':
			for _, c := range a[1:] {
				if takesValue[string(c)] {
					break // the rest of the cluster is a value
				}
				if c == short {
					n++
				}
			}
		}
	}
	return n
}

// splitCluster splits "-avfRULE" into "-avf" and "RULE": urfave/cli does
// not take a value attached to a short option inside a cluster.
func splitCluster(a string, takesValue map[string]bool) []string {
	for j := 1; j < len(a)-1; j++ {
		if takesValue[a[j:j+1]] {
			return []string{a[:j+1], a[j+1:]}
		}
	}
	return []string{a}
}

// humanReadable takes rsync's -h out of a split cluster (its flags, then
// maybe a value): -avh is -av --human-readable, as urfave/cli would take
// -h for help; -hh is --human-readable twice.
func humanReadable(parts []string) []string {
	flags := parts[0]
	n := strings.Count(flags, "h")
	if n == 0 {
		return parts
	}
	out := slices.Repeat([]string{"--human-readable"}, n)
	if rest := strings.ReplaceAll(flags, "h", ""); rest != "-" {
		out = append(out, rest)
	}
	return append(out, parts[1:]...)
}
