package main

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// rsyncNegatable lists the options rsync 3.5 takes in a --no- form, by
// the name written after --no-.
const rsyncNegatable = "8 8-bit-output A acls append atimes backup blocking-io bwlimit " +
	"c checksum compress contimeout crtimes D d delay-updates devices dirs force from0 fuzzy g group " +
	"H hard-links h human-readable i i-r iconv ignore-errors inc-recursive inplace " +
	"insecure-links itemize-changes J l links m mkpath motd munge-links N numeric-ids " +
	"O o old-args omit-dir-times omit-link-times one-file-system open-noatime owner " +
	"p partial perms progress prune-empty-dirs R r recursive relative S s secluded-args " +
	"sparse specials t timeout times U v verbose W whole-file write-devices X x xattrs y z"

// archiveParts returns the options -a turns on, by their flags' names.
func archiveParts() []string {
	return []string{"recursive", "links", "perms", "times", "group", "owner", "devices", "specials"}
}

// negations resolves rsync's --no-OPTION forms in opts (the options of a
// reordered command line, values included), where each turns its option
// off at the point it stands: a later form of the option, or a later -a
// for a part of -a, turns it on again, and a repeated option (-v, -x, -h)
// counts again from none. urfave/cli sees the result: the option's forms
// before its last --no- are left out, and a --no-PART flag stands for a
// part of -a that stays off. A negated option treesync has no positive
// form of (--no-inc-recursive, --no-motd) asks for what treesync does
// anyway, and goes. -D and -P are written as the two options each means.
// takesValue is reorderArgs' (valueFlags); the map of flag names is
// built only for a command line with a --no- in it.
func negations(opts []string, flags []cli.Flag, takesValue map[string]bool) []string {
	opts = lastOfSettings(expandPairs(opts, takesValue))
	if !slices.ContainsFunc(opts, func(a string) bool { return strings.HasPrefix(a, "--no-") }) {
		return opts
	}
	primary := primaryNames(flags)
	last, found := lastNegation(opts, primary, takesValue)
	if !found {
		return opts
	}
	out := make([]string, 0, len(opts))
	for i := 0; i < len(opts); i++ {
		a := opts[i]
		if parts, ok := negated(a, primary); ok {
			if len(parts) == 1 && parts[0] == "human-readable" && i == last["human-readable"] {
				out = append(out, "--no-human-readable") // the level starts again from none
			}
			continue
		}
		kept, skipValue := dropNegated(a, i, last, primary, takesValue)
		if kept != "" {
			out = append(out, kept)
		}
		if needsNext(a, takesValue) && i+1 < len(opts) {
			i++
			if !skipValue {
				out = append(out, opts[i])
			}
		}
	}
	return append(out, impliedOff(opts, last, primary, takesValue)...)
}

// impliedOff returns a --no- flag for each option another implies (a
// part of -a; -o and -g, which --chown, --usermap and --groupmap imply)
// whose last --no- came after such an option, when no later option
// turned it on again.
func impliedOff(opts []string, last map[string]int, primary map[string]string, takesValue map[string]bool) []string {
	var out []string
	for _, p := range archiveParts() {
		at, ok := last[p]
		if !ok {
			continue
		}
		implied, again := false, false
		for i := 0; i < len(opts); i++ {
			names := append(turnsOn(opts[i], primary, takesValue), impliedBy(opts, i, primary)...)
			implied = implied || (i < at && slices.Contains(names, p))
			again = again || (i > at && slices.Contains(names, p))
			if needsNext(opts[i], takesValue) {
				i++
			}
		}
		if implied && !again {
			out = append(out, "--no-"+p)
		}
	}
	return out
}

// impliedBy returns the options the option at opts[i] implies: the parts
// of -a; -o for --usermap, -g for --groupmap, and for --chown each of the
// two it names.
func impliedBy(opts []string, i int, primary map[string]string) []string {
	a := opts[i]
	if strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.ContainsRune(a[1:], 'a') {
		return archiveParts() // (a cluster's letters before any value; -a has none)
	}
	name, value, hasValue := strings.Cut(strings.TrimPrefix(a, "--"), "=")
	if !hasValue && i+1 < len(opts) {
		value = opts[i+1]
	}
	switch primary[name] {
	case "archive":
		return archiveParts()
	case "usermap":
		return []string{"owner"}
	case "groupmap":
		return []string{"group"}
	case "chown":
		var parts []string
		u, g, _ := strings.Cut(value, ":")
		if u != "" {
			parts = append(parts, "owner")
		}
		if g != "" {
			parts = append(parts, "group")
		}
		return parts
	}
	return nil
}

// turnsOn returns the flag names option a gives: a long option's, or
// each letter's of a cluster (up to one that takes a value).
func turnsOn(a string, primary map[string]string, takesValue map[string]bool) []string {
	if name, ok := strings.CutPrefix(a, "--"); ok {
		name, _, _ = strings.Cut(name, "=")
		return []string{primary[name]}
	}
	if len(a) < 2 || a[0] != '-' {
		return nil
	}
	var names []string
	for j := 1; j < len(a); j++ {
		names = append(names, primary[a[j:j+1]])
		if takesValue[a[j:j+1]] {
			break
		}
	}
	return names
}

// lastNegation maps each option's flag name to the index of its last
// --no- form (an option's value is none); found reports whether opts
// has any.
func lastNegation(opts []string, primary map[string]string, takesValue map[string]bool) (last map[string]int, found bool) {
	last = map[string]int{}
	for i := 0; i < len(opts); i++ {
		if parts, ok := negated(opts[i], primary); ok {
			found = true
			for _, p := range parts {
				last[p] = i
			}
		} else if needsNext(opts[i], takesValue) {
			i++
		}
	}
	return last, found
}

// negated reports whether a is a --no- form rsync takes, and the flags it
// turns off (none for an option treesync has only off). --no-super is
// an option of its own (lastOfSettings).
func negated(a string, primary map[string]string) ([]string, bool) {
	name, ok := strings.CutPrefix(a, "--no-")
	if !ok || !isNegatable(name) {
		return nil, false
	}
	switch name {
	case "h": // -h is help alone, so not the flag's alias
		return []string{"human-readable"}, true
	case "D":
		return []string{"devices", "specials"}, true
	case "append":
		return []string{"append", "append-verify"}, true
	}
	if p, ok := primary[name]; ok {
		return []string{p}, true
	}
	return nil, true
}

func isNegatable(name string) bool {
	for _, n := range strings.Fields(rsyncNegatable) {
		if n == name {
			return true
		}
	}
	return false
}

// dropNegated returns option a (at index i) without what a later --no-
// turns off: a long option goes whole (skipValue: with the value that
// follows it), a cluster loses those letters.
func dropNegated(a string, i int, last map[string]int, primary map[string]string, takesValue map[string]bool) (string, bool) {
	if strings.HasPrefix(a, "--") {
		name, _, _ := strings.Cut(a[2:], "=")
		if at, ok := last[primary[name]]; ok && at > i {
			return "", true
		}
		return a, false
	}
	if len(a) < 2 || a[0] != '-' {
		return a, false
	}
	kept := []byte{'-'}
	for j := 1; j < len(a); j++ {
		if takesValue[a[j:j+1]] {
			kept = append(kept, a[j:]...) // the rest is the value
			break
		}
		if at, ok := last[primary[a[j:j+1]]]; !ok || at < i {
			kept = append(kept, a[j])
		}
	}
	if len(kept) == 1 {
		return "", needsNext(a, takesValue)
	}
	return string(kept), false
}

// expandPairs writes -D as --devices --specials and -P as --partial
// --progress (in clusters too), so that --no- can take either half,
// rsync's old --msgs2stderr and --no-msgs2stderr as the --stderr modes
// they are (the last of them wins), and --old-dirs as what rsync defines
// it to be, -r --exclude='/*/*'.
func expandPairs(opts []string, takesValue map[string]bool) []string {
	// (-A turns --perms on where it stands, as rsync's: a later --no-p
	// turns that off, and ACLs are then kept without the permissions)
	pairs := map[byte][]string{'D': {"--devices", "--specials"}, 'P': {"--partial", "--progress"}, 'A': {"--acls", "--perms"}}
	var out []string
	for i := 0; i < len(opts); i++ {
		a := opts[i]
		switch a {
		case "--msgs2stderr":
			a = "--stderr=all"
		case "--no-msgs2stderr":
			a = "--stderr=client"
		case "--acls":
			out = append(out, a)
			a = "--perms"
		case "--old-dirs", "--old-d":
			out = append(out, "-r")
			a = "--exclude=/*/*"
		}
		if strings.HasPrefix(a, "--") || len(a) < 2 || a[0] != '-' {
			out = append(out, a)
			if needsNext(a, takesValue) && i+1 < len(opts) {
				i++
				out = append(out, opts[i])
			}
			continue
		}
		rest, extra := []byte{'-'}, []string(nil)
		for j := 1; j < len(a); j++ {
			if takesValue[a[j:j+1]] {
				rest = append(rest, a[j:]...)
				break
			}
			if p, ok := pairs[a[j]]; ok {
				extra = append(extra, p...)
			} else {
				rest = append(rest, a[j])
			}
		}
		out = append(out, extra...) // first: a value after the cluster stays next to it
		if len(rest) > 1 {
			out = append(out, string(rest))
		}
		if needsNext(a, takesValue) && i+1 < len(opts) {
			i++
			out = append(out, opts[i])
		}
	}
	return out
}

// primaryNames maps every name of every flag to its first name.
func primaryNames(flags []cli.Flag) map[string]string {
	m := map[string]string{}
	for _, f := range flags {
		names := f.Names()
		for _, n := range names {
			m[n] = names[0]
		}
	}
	return m
}

// lastOfSettings keeps the last of the options that set one setting in
// rsync, where the last given wins: --super, --no-super and
// --fake-super; --delete-during (--del) and --delete-delay, rsync's one
// "delete during" setting in two ways (combined with --delete-before or
// --delete-after, any is a usage error all the same).
func lastOfSettings(opts []string) []string {
	for _, setting := range [][]string{{"--super", "--no-super", "--fake-super"}, {"--delete-during", "--del", "--delete-delay"}} {
		opts = lastOf(opts, setting)
	}
	return opts
}

// lastOf keeps, of the options in setting, the last one opts give.
func lastOf(opts, setting []string) []string {
	last := -1
	for i, a := range opts {
		if slices.Contains(setting, a) {
			last = i
		}
	}
	if last < 0 {
		return opts
	}
	return slices.DeleteFunc(slices.Clone(opts), func(a string) bool { return slices.Contains(setting, a) && a != opts[last] })
}
