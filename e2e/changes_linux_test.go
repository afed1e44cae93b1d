//go:build linux

package e2e

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// jsonChanges is a --json-changes file for treesync's runs in the
// random comparison (the seeds with seed % 97 == 61): whatever the
// options, its records must be the changes the itemized lines list.
type jsonChanges struct{ runs }

// record is a --json-changes line as a user's program reads it.
type record struct {
	Path, Op, Type, Itemize, Target                                   string
	PathBase64                                                        string `json:"path_base64"`
	TargetBase64                                                      string `json:"target_base64"`
	New, Checksum, Size, Time, Perms, Owner, Group, Atime, Acl, Xattr bool
}

// changesFile makes a file for --json-changes in dir, which the runs'
// user may write.
func changesFile(t *testing.T, dir string) string {
	t.Helper()
	jdir := filepath.Join(dir, "json")
	must(t, os.Mkdir(jdir, 0o777))
	must(t, os.Chmod(jdir, 0o777))
	return filepath.Join(jdir, "changes.json")
}

// checkChanges checks the records in file against the itemized lines
// of stdout (all but -ii's unchanged ones): the same lines, made from
// the records' letters, names and targets, and fields that say what the
// letters say.
func checkChanges(t *testing.T, file, stdout string, eightBit bool) {
	t.Helper()
	data, err := os.ReadFile(file)
	must(t, err)
	var got []string
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if line == "" {
			continue
		}
		var r record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("--json-changes line %q: %v", line, err)
		}
		if msg := r.inconsistent(); msg != "" {
			t.Errorf("--json-changes record %s: %s", line, msg)
		}
		got = append(got, r.itemLine(t, eightBit))
	}
	var want []string
	for _, l := range strings.Split(stdout, "\n") {
		if itemLine.MatchString(l) && strings.TrimSpace(l[2:11]) != "" {
			want = append(want, l)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("--json-changes records differ from the itemized lines\nrecords:\n%s\nlines:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// itemLine is the itemized line the record stands for.
func (r record) itemLine(t *testing.T, eightBit bool) string {
	raw := func(s, b64 string) string {
		if b64 == "" {
			return s
		}
		b, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Errorf("base64 %q: %v", b64, err)
		}
		return string(b)
	}
	l := r.Itemize + " " + rsyncName(raw(r.Path, r.PathBase64), eightBit)
	switch {
	case r.Op == "hardlink":
		l += " => " + rsyncName(raw(r.Target, r.TargetBase64), eightBit)
	case r.Type == "symlink" && r.Target != "":
		l += " -> " + rsyncName(raw(r.Target, r.TargetBase64), eightBit)
	}
	return l
}

// inconsistent says where the record's fields disagree with its
// itemize letters ("" where they agree).
func (r record) inconsistent() string {
	if len(r.Itemize) != 11 {
		return "itemize string not 11 letters"
	}
	if r.Op == "delete" {
		return ""
	}
	types := map[byte]string{'f': "file", 'd': "dir", 'L': "symlink", 'D': "device", 'S': "special"}
	if types[r.Itemize[1]] != r.Type {
		return "type " + r.Type
	}
	newLetters := strings.TrimLeft(r.Itemize[2:], "+") == ""
	if r.New != newLetters {
		return "new differs from the letters"
	}
	if r.New {
		return ""
	}
	fields := []bool{r.Checksum, r.Size, r.Time, r.Perms, r.Owner, r.Group, r.Atime, r.Acl, r.Xattr}
	for i, set := range fields {
		if c := r.Itemize[2+i]; set != (c != '.' && c != ' ') {
			return "field " + string("cstpoguax"[i]) + " differs from the letters"
		}
	}
	return ""
}

// progressShown runs treesync with --progress (the seeds with seed % 101
// == 71): where the run succeeds, its last progress line must show all
// of its exact totals done, and as many files as it itemizes sent.
type progressShown struct{ runs }

// progressLine is a --progress line: files done/total, bytes done/total.
var progressLine = regexp.MustCompile(`(\d+)/(\d+) files +(\S+ \S+)/(\S+ \S+) +(\d+)%`)

// checkProgress checks treesync's last progress line (of a run that
// started: not exit 1, a usage error).
func checkProgress(t *testing.T, r result) {
	t.Helper()
	if r.code == 1 {
		return
	}
	out := r.stdout + "\n" + r.stderr // (under --json on stderr)
	lines := progressLine.FindAllStringSubmatch(out, -1)
	if len(lines) == 0 {
		t.Errorf("no progress line\n%s", r)
		return
	}
	last := lines[len(lines)-1]
	sent := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, ">f") && itemLine.MatchString(l) {
			sent++
		}
	}
	if r.code == 0 && (last[1] != last[2] || last[3] != last[4] || last[5] != "100" || last[2] != strconv.Itoa(sent)) {
		t.Errorf("last progress line %q, %d files itemized as sent\n%s", last[0], sent, r)
	}
}

// formatted runs both tools with an --out-format that itemizes and adds
// fields after the name (the seeds with seed % 103 == 83): the lines
// are compared as -i's, and each line both print must carry the same
// fields.
type formatted struct{ runs }

// fieldsFormat is formatted's --out-format: -i's line, then the fields.
const fieldsFormat = "--out-format=%i %n%L|%o|%B|%U|%G|%l|%M"

// cutFields takes the fields off the itemized lines of out, and returns
// them by line.
func cutFields(out *string) map[string]string {
	fields := map[string]string{}
	lines := strings.Split(*out, "\n")
	for i, l := range lines {
		if itemLine.MatchString(l) {
			if main, f, ok := strings.Cut(l, "|"); ok {
				lines[i], fields[main] = main, f
			}
		}
	}
	*out = strings.Join(lines, "\n")
	return fields
}

// checkFields compares the fields of the lines both tools print.
func checkFields(t *testing.T, got, want map[string]string) {
	t.Helper()
	for line, f := range got {
		if w, ok := want[line]; ok && w != f {
			t.Errorf("--out-format fields of %q: %q, rsync %q", line, f, w)
		}
	}
}

// jsonSummary runs treesync with --json (the seeds with seed % 107 ==
// 43, but with reference trees, --stats or -P): the summary's exit code and counts must
// be the run's, as its itemized lines show them.
type jsonSummary struct{ runs }

// summary is what checkSummary reads of a --json summary.
type summary struct {
	ExitCode         *int `json:"exit_code"`
	FilesTransferred int  `json:"files_transferred"`
	Created, Deleted int
}

// takeSummary reads r's --json summary (its stdout), and gives r back,
// as stdout, the itemized lines --json sent to stderr.
func takeSummary(t *testing.T, r *result) summary {
	t.Helper()
	var s summary
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil || s.ExitCode == nil {
		t.Errorf("--json summary: %v\n%s", err, r)
		return s
	}
	var items []string
	for _, l := range strings.Split(r.stderr, "\n") {
		if itemLine.MatchString(l) {
			items = append(items, l)
		}
	}
	r.stdout = strings.Join(items, "\n") + "\n"
	return s
}

// checkSummary checks the counts of s against r's itemized lines: a
// file transferred for each ">f" line, one deleted for each
// "*deleting", one created for each line of pluses (and the
// destination directory, where the run made it).
func checkSummary(t *testing.T, s summary, r result) {
	t.Helper()
	var sent, deleted, created int
	for _, l := range strings.Split(r.stdout, "\n") {
		switch {
		case !itemLine.MatchString(l):
		case strings.HasPrefix(l, ">f"):
			sent++
		case strings.HasPrefix(l, "*deleting"):
			deleted++
		}
		if itemLine.MatchString(l) && l[2:11] == "+++++++++" {
			created++
		}
	}
	if strings.Contains(r.stderr, "created directory ") {
		created++
	}
	if s.ExitCode == nil {
		return
	}
	if got := [4]int{*s.ExitCode, s.FilesTransferred, s.Deleted, s.Created}; got != [4]int{r.code, sent, deleted, created} {
		t.Errorf("--json exit code, files transferred, deleted, created: %v; the run's: %v\n%s", got, [4]int{r.code, sent, deleted, created}, r)
	}
}
