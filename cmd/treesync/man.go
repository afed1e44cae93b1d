package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/treesync/treesync/executor"
)

// writeMan prints the manual page in roff, built from the app's flags
// (grouped by category), its usage text (the examples) and the exit codes.
// urfave/cli's own ToMan lists every option in the synopsis, which with
// ninety options is unreadable, so the page is written here.
func writeMan(w io.Writer, app *cli.App) error {
	var b strings.Builder
	fmt.Fprintf(&b, ".TH TREESYNC 1 \"\" \"treesync %s\" \"User Commands\"\n", roff(Version))
	fmt.Fprintf(&b, ".SH NAME\ntreesync \\- %s\n", roff(app.Usage))
	b.WriteString(".SH SYNOPSIS\n.B treesync\n[\\fIOPTIONS\\fR] \\fISRC\\fR... \\fIDST\\fR\n")
	b.WriteString(".SH DESCRIPTION\n" + roff(manDescription) + "\n")
	manOptions(&b, app.VisibleFlags())
	if i := strings.Index(app.UsageText, "Examples:"); i >= 0 {
		b.WriteString(".SH EXAMPLES\n.nf\n" + roff(strings.TrimSpace(app.UsageText[i+len("Examples:"):])) + "\n.fi\n")
	}
	manExitCodes(&b)
	b.WriteString(".SH SEE ALSO\n.BR rsync (1),\n.BR cp (1)\n")
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("writing the manual page: %w", err)
	}
	return nil
}

const manDescription = `treesync mirrors one directory tree onto another, in parallel, with rsync's options and trailing-slash rule: SRC/ means the contents of SRC, SRC means the directory itself inside DST. It copies by reflink, copy_file_range or a buffered copy, whichever is fastest between the two filesystems, writes every file under a temporary name, or unnamed (O_TMPFILE), and renames or links it into place only when complete; a new directory is filled under a temporary name and renamed into place when its files are in. Warnings and errors go to standard error; with --json standard output holds one JSON object only.`

// manOptions writes one section per flag category, in the help's order.
func manOptions(b *strings.Builder, flags []cli.Flag) {
	byCat := map[string][]cli.Flag{}
	var cats []string
	for _, f := range flags {
		cat := ""
		if cf, ok := f.(cli.CategorizableFlag); ok {
			cat = cf.GetCategory()
		}
		if _, seen := byCat[cat]; !seen {
			cats = append(cats, cat)
		}
		byCat[cat] = append(byCat[cat], f)
	}
	sort.Strings(cats)
	b.WriteString(".SH OPTIONS\n")
	for _, cat := range cats {
		if cat != "" {
			fmt.Fprintf(b, ".SS %s\n", roff(cat))
		}
		for _, f := range byCat[cat] {
			manFlag(b, f)
		}
	}
}

func manFlag(b *strings.Builder, f cli.Flag) {
	df, ok := f.(cli.DocGenerationFlag)
	if !ok {
		return
	}
	placeholder, usage := unquoteUsage(df.GetUsage())
	var names []string
	for _, n := range f.Names() {
		dash := "\\-\\-"
		if len(n) == 1 {
			dash = "\\-"
		}
		name := "\\fB" + dash + roff(n) + "\\fR"
		if df.TakesValue() {
			if placeholder == "" {
				placeholder = "VALUE"
			}
			sep := "="
			if len(n) == 1 {
				sep = " "
			}
			name += sep + "\\fI" + roff(placeholder) + "\\fR"
		}
		names = append(names, name)
	}
	fmt.Fprintf(b, ".TP\n%s\n%s\n", strings.Join(names, ", "), roff(usage))
}

func manExitCodes(b *strings.Builder) {
	b.WriteString(".SH EXIT STATUS\n")
	for _, code := range []int{executor.ExitOK, executor.ExitUsage, executor.ExitSelect, executor.ExitUnsupported, executor.ExitFileIO,
		executor.ExitSignal, executor.ExitPartial, executor.ExitVanished, executor.ExitDelLimit, executor.ExitLockHeld,
		executor.ExitTimeout} {
		msg := "success"
		if code != executor.ExitOK {
			msg = exitMessage(code)
		}
		fmt.Fprintf(b, ".TP\n.B %d\n%s\n", code, roff(msg))
	}
}

// roff escapes text for a roff body: backslashes, dashes, and a leading
// dot or quote.
func roff(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			lines[i] = `\&` + l
		}
	}
	return strings.Join(lines, "\n")
}

// unquoteUsage splits "copy `N` files" into the placeholder N and "copy N files".
func unquoteUsage(usage string) (string, string) {
	i := strings.IndexByte(usage, '`')
	if i < 0 {
		return "", usage
	}
	j := strings.IndexByte(usage[i+1:], '`')
	if j < 0 {
		return "", usage
	}
	name := usage[i+1 : i+1+j]
	return name, usage[:i] + name + usage[i+2+j:]
}
