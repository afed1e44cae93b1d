package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/treesync/treesync/executor"
	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
)

// runInfo runs infoAction the way the app's Action does, on a cli.App with
// the real flags.
func runInfo(t *testing.T, args ...string) (bool, string, error) {
	t.Helper()
	var out bytes.Buffer
	var handled bool
	var actionErr error
	app := &cli.App{Name: "treesync", Usage: "mirror directory trees", Flags: appFlags(true), Writer: &out,
		HideHelpCommand: true, Action: func(c *cli.Context) error {
			handled, actionErr = infoAction(c, &out)
			return nil
		}}
	if err := app.RunContext(context.Background(), append([]string{"treesync"}, args...)); err != nil {
		t.Fatal(err)
	}
	return handled, out.String(), actionErr
}

func TestInfoActionPassesSyncsThrough(t *testing.T) {
	if handled, out, err := runInfo(t, "-a", "src/", "dst/"); handled || out != "" || err != nil {
		t.Errorf("a sync must not be handled: %v %q %v", handled, out, err)
	}
}

func TestCompletionScripts(t *testing.T) {
	for shell, want := range map[string][]string{
		"bash": {"complete -o filenames -o nospace -F _treesync treesync", " --json ", " --delete ", " -a "},
		"zsh":  {"#compdef treesync", "'--json'", "'--log-format=:value:_files'", "'*:path:_files'"},
		"fish": {"complete -c treesync -l archive -s a -d 'archive mode", "complete -c treesync -l log-file -r"},
	} {
		handled, out, err := runInfo(t, "--completion="+shell)
		if !handled || err != nil {
			t.Fatalf("%s: handled %v, err %v", shell, handled, err)
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s completion lacks %q:\n%s", shell, w, out)
			}
		}
		if strings.Contains(out, "man-page") {
			t.Errorf("%s completion offers the hidden --man-page", shell)
		}
	}
	_, _, err := runInfo(t, "--completion=tcsh")
	var ue usageError
	if !errors.As(err, &ue) {
		t.Errorf("an unknown shell is a usage error, got %v", err)
	}
}

func TestManPage(t *testing.T) {
	handled, out, err := runInfo(t, "--man-page")
	if !handled || err != nil {
		t.Fatalf("handled %v, err %v", handled, err)
	}
	for _, w := range []string{".TH TREESYNC 1", ".SS Output\n", "\\fB\\-\\-json\\fR\nprint one JSON object",
		"\\fB\\-\\-log\\-format\\fR=\\fIFORMAT\\fR\n", "\\fB\\-\\-archive\\fR, \\fB\\-a\\fR\n", ".SH EXIT STATUS\n.TP\n.B 0\nsuccess\n", ".B 23\n"} {
		if !strings.Contains(out, w) {
			t.Errorf("man page lacks %q", w)
		}
	}
}

func TestCapabilities(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	writeTree(t, src, map[string]string{"f": "data"})
	if err := os.Mkdir(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	handled, out, err := runInfo(t, "--capabilities", src, dst)
	if !handled || err != nil {
		t.Fatalf("handled %v, err %v", handled, err)
	}
	for _, w := range []string{"source:", "destination:", "same filesystem:", "reflink in destination:",
		"copy_file_range in destination:", "sparse files (SEEK_DATA/SEEK_HOLE):", "xattrs (user.*):",
		"POSIX ACLs:", "mtime precision:", "copy method:"} {
		if !strings.Contains(out, "\n"+w) && !strings.HasPrefix(out, w) {
			t.Errorf("report lacks %q:\n%s", w, out)
		}
	}
	if runtime.GOOS == "linux" && (!strings.Contains(out, "same filesystem:") || strings.Contains(out, "unknown (")) {
		t.Errorf("on Linux the filesystems are known:\n%s", out)
	}
	if runtime.GOOS == "linux" && !regexp.MustCompile(`(?m)^copy method: +(reflink|copy_file_range)$`).MatchString(out) {
		t.Errorf("within one Linux filesystem the kernel copies (or clones):\n%s", out)
	}
	for _, d := range []string{src, dst} {
		entries, _ := os.ReadDir(d)
		if d == dst && len(entries) != 0 || d == src && len(entries) != 1 {
			t.Errorf("probes left files behind or touched the source in %s: %v", d, entries)
		}
	}
	if _, _, err := runInfo(t, "--capabilities", src); err == nil {
		t.Error("--capabilities with one path must fail")
	}
}

func TestChooseMethod(t *testing.T) {
	no := errors.New("no")
	cases := []struct {
		r    capReport
		opt  string
		want string
	}{
		{capReport{sameFS: true}, "", "reflink"},
		{capReport{sameFS: true}, "never", "buffered"},
		{capReport{sameFS: true, reflink: no}, "", "copy_file_range"},
		{capReport{sameFS: false}, "", "buffered"},
		{capReport{sameFS: false, kernelPairTested: true}, "", "copy_file_range"},
		{capReport{sameFS: false}, "always", "none: --reflink=always fails, the pair cannot clone"},
		{capReport{sameFS: true, reflink: no, kernel: no}, "", "buffered"},
	}
	for i, c := range cases {
		cp, err := copyOptionsFor(c.opt)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.r.chooseMethod(cp); got != c.want {
			t.Errorf("case %d: got %q, want %q", i, got, c.want)
		}
	}
}

// copyOptionsFor parses --reflink=value through the real flags.
func copyOptionsFor(reflink string) (cp platform.CopyOptions, err error) {
	app := &cli.App{Flags: appFlags(true), Action: func(c *cli.Context) error {
		cp, err = copyOptions(c)
		return nil
	}}
	args := []string{"treesync"}
	if reflink != "" {
		args = append(args, "--reflink="+reflink)
	}
	if rerr := app.Run(args); rerr != nil {
		return cp, rerr
	}
	return cp, err
}

func TestProgressLine(t *testing.T) {
	cases := []struct {
		files, tf, bytes, tb int64
		el                   time.Duration
		final                bool
		want                 string
	}{
		{1, 4, 1 << 20, 4 << 20, time.Second, false, "1/4 files  1.0 MiB/4.0 MiB   25%  1.0 MiB/s  ETA 0:00:03"},
		{0, 2, 0, 10, time.Second, false, "0/2 files  0 B/10 B    0%  0 B/s  ETA --:--:--"},
		{3, 2, 30, 10, 2 * time.Second, true, "3/3 files  30 B/30 B  100%  15 B/s  in 0:00:02"},
		{0, 0, 0, 0, 0, true, "0/0 files  0 B/0 B  100%  0 B/s  in 0:00:00"},
		{1, 2, 0, 0, time.Hour, false, "1/2 files  0 B/0 B   50%  0 B/s  ETA --:--:--"},
	}
	for _, c := range cases {
		if got := progressLine(c.files, c.tf, c.bytes, c.tb, c.el, c.final); got != c.want {
			t.Errorf("got  %q\nwant %q", got, c.want)
		}
	}
}

// TestChangeWriterConcurrent: records written from many goroutines stay
// whole lines.
func TestChangeWriterConcurrent(t *testing.T) {
	var buf bytes.Buffer
	cw := &changeWriter{w: &buf}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				cw.write(executor.Change{Op: planner.OpCopy, Kind: planner.KindFile, Itemize: ">f.st......",
					Flags: planner.ChangeSize | planner.ChangeTime, Path: fmt.Sprintf("d%d/f%d", g, i)})
			}
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 1600 || cw.firstError() != nil {
		t.Fatalf("%d lines, error %v", len(lines), cw.firstError())
	}
	for _, l := range lines {
		var r changeRecord
		if err := json.Unmarshal([]byte(l), &r); err != nil || !r.Size || !r.Time || r.New || r.Op != "transfer" {
			t.Fatalf("bad line %q: %v", l, err)
		}
	}
}

func TestChangeRecordNames(t *testing.T) {
	r := newChangeRecord(executor.Change{Op: planner.OpLink, Kind: planner.KindFile, Path: "a\xffb", Target: "x"})
	if r.Op != "hardlink" || r.Type != "file" || r.PathBytes != "Yf9i" || r.Target != "x" || r.TargetBytes != "" {
		t.Errorf("%+v", r)
	}
	r = newChangeRecord(executor.Change{Op: planner.OpSymlink, Kind: planner.KindSymlink, Path: "l", Target: "a\xffb"})
	if r.Op != "create" || r.Type != "symlink" || r.PathBytes != "" || r.TargetBytes != "Yf9i" {
		t.Errorf("a target not valid UTF-8: %+v", r)
	}
	for k, want := range map[planner.Kind]string{planner.KindDir: "dir", planner.KindSymlink: "symlink",
		planner.KindChar: "device", planner.KindFIFO: "special", planner.KindSocket: "special"} {
		if got := typeName(k); got != want {
			t.Errorf("typeName(%v) = %q, want %q", k, got, want)
		}
	}
	for op, want := range map[planner.Op]string{planner.OpDelete: "delete", planner.OpMeta: "attrs",
		planner.OpDir: "attrs", planner.OpMkdir: "create", planner.OpSpecial: "create"} {
		if got := opName(op); got != want {
			t.Errorf("opName(%v) = %q, want %q", op, got, want)
		}
	}
}

// rsync's --info flags for messages treesync never prints are taken at
// level 0 (what is so anyway) and refused above it; the others keep
// their levels.
func TestReadInfoLevels(t *testing.T) {
	i, err := readInfo([]string{"flist0,misc0", "mount0,copy0", "stats2,skip", "del1", "backup0"})
	if err != nil || i.stats != 2 || i.skip != 1 || i.del != 1 || i.backup != -1 {
		t.Errorf("readInfo = %+v, %v", i, err)
	}
	for _, bad := range []string{"flist1", "misc2", "bogus0", "alll"} {
		if _, err := readInfo([]string{bad}); err == nil {
			t.Errorf("--info=%s accepted", bad)
		}
	}
	// ALL and NONE set every flag; symsafe is taken at any level.
	if i, err := readInfo([]string{"ALL2,symsafe3", "name0"}); err != nil || i.stats != 2 || i.progress != 2 || i.name != -1 {
		t.Errorf("readInfo(ALL2,symsafe3 name0) = %+v, %v", i, err)
	}
	if i, err := readInfo([]string{"NONE"}); err != nil || i.nonreg != -1 || i.stats != -1 {
		t.Errorf("readInfo(NONE) = %+v, %v", i, err)
	}
}
