package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"
)

// infoAction runs the options that print something and exit instead of
// syncing: --completion, --man-page and --capabilities. It reports
// whether it handled the command line.
func infoAction(c *cli.Context, stdout io.Writer) (bool, error) {
	switch {
	case wantsInfoHelp(c.StringSlice("info")):
		_, err := io.WriteString(stdout, infoHelp)
		return true, err
	case c.String("completion") != "":
		return true, writeCompletion(stdout, c.String("completion"), c.App.Flags)
	case c.Bool("man-page"):
		return true, writeMan(stdout, c.App)
	case c.Bool("capabilities"):
		paths := c.Args().Slice()
		if len(paths) != 2 {
			return true, usageError{fmt.Errorf("--capabilities needs exactly SRC and DST, got %d paths", len(paths))}
		}
		cp, err := copyOptions(c)
		if err != nil {
			return true, usageError{err}
		}
		r, err := probeCapabilities(paths[0], paths[1], cp)
		if err != nil {
			return true, fmt.Errorf("--capabilities: %w", err)
		}
		return true, r.write(stdout)
	}
	return false, nil
}

// optionNames lists the visible options as --long and -s words, sorted.
func optionNames(flags []cli.Flag) []string {
	var names []string
	for _, f := range flags {
		if vf, ok := f.(cli.VisibleFlag); ok && !vf.IsVisible() {
			continue
		}
		for _, n := range f.Names() {
			if len(n) == 1 {
				names = append(names, "-"+n)
			} else {
				names = append(names, "--"+n)
			}
		}
	}
	names = append(names, "--help", "-h")
	sort.Strings(names)
	return names
}

// valueNames lists the options that take a value, without dashes.
func valueNames(flags []cli.Flag) []string {
	var names []string
	for n := range valueFlags(flags) {
		if len(n) > 1 {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// writeCompletion prints a completion script for shell; the option
// names come from the flag list, so the scripts never go stale.
func writeCompletion(w io.Writer, shell string, flags []cli.Flag) error {
	var script string
	switch shell {
	case "bash":
		script = bashCompletion(flags)
	case "zsh":
		script = zshCompletion(flags)
	case "fish":
		script = fishCompletion(flags)
	default:
		return usageError{fmt.Errorf("--completion must be bash, zsh or fish, not %q", shell)}
	}
	_, err := io.WriteString(w, script)
	return err
}

func bashCompletion(flags []cli.Flag) string {
	return fmt.Sprintf(`# bash completion for treesync: source it, or put it in
# /etc/bash_completion.d/treesync
_treesync() {
    local cur="${COMP_WORDS[COMP_CWORD]}"
    case "$cur" in
    --reflink=*) COMPREPLY=($(compgen -W "auto always never" -- "${cur#*=}")); return ;;
    --log-format=*) COMPREPLY=($(compgen -W "text json" -- "${cur#*=}")); return ;;
    --completion=*) COMPREPLY=($(compgen -W "bash zsh fish" -- "${cur#*=}")); return ;;
    -*) COMPREPLY=($(compgen -W "%s" -- "$cur")); return ;;
    esac
    COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -o nospace -F _treesync treesync
`, strings.Join(optionNames(flags), " "))
}

func zshCompletion(flags []cli.Flag) string {
	var b strings.Builder
	b.WriteString("#compdef treesync\n# zsh completion for treesync: put it in a directory of $fpath as _treesync\n_arguments -s \\\n")
	values := map[string]bool{}
	for _, n := range valueNames(flags) {
		values[n] = true
	}
	for _, n := range optionNames(flags) {
		arg := ""
		if values[strings.TrimLeft(n, "-")] {
			arg = "=:value:_files"
		}
		fmt.Fprintf(&b, "  '%s%s' \\\n", n, arg)
	}
	b.WriteString("  '*:path:_files'\n")
	return b.String()
}

func fishCompletion(flags []cli.Flag) string {
	var b strings.Builder
	b.WriteString("# fish completion for treesync: put it in ~/.config/fish/completions/treesync.fish\n")
	for _, f := range flags {
		if vf, ok := f.(cli.VisibleFlag); ok && !vf.IsVisible() {
			continue
		}
		b.WriteString("complete -c treesync")
		for _, n := range f.Names() {
			if len(n) == 1 {
				fmt.Fprintf(&b, " -s %s", n)
			} else {
				fmt.Fprintf(&b, " -l %s", n)
			}
		}
		if takesValue(f) {
			b.WriteString(" -r")
		}
		if df, ok := f.(cli.DocGenerationFlag); ok && df.GetUsage() != "" {
			fmt.Fprintf(&b, " -d %s", fishQuote(df.GetUsage()))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func fishQuote(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}
