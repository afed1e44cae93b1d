package executor

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/treesync/treesync/planner"
)

// faultTree makes a source tree and a stale destination: b and sub/d
// differ, x is extraneous.
func faultTree(t *testing.T) (src, dst string) {
	t.Helper()
	src, dst = t.TempDir(), t.TempDir()
	write := func(root, rel, data string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"a", "b", "c", "sub/d", "n/e"} {
		write(src, f, "new "+f+strings.Repeat(".", 1000))
	}
	// b is setuid: its copy always needs a chmod after the create.
	if err := os.Chmod(filepath.Join(src, "b"), os.ModeSetuid|0o755); err != nil {
		t.Fatal(err)
	}
	write(dst, "b", "old b")
	write(dst, "sub/d", "old d")
	write(dst, "x", "extraneous")
	return src, dst
}

func runFaulty(t *testing.T, src, dst string, faults ...fault) (*Result, *faultFS) {
	t.Helper()
	ffs := &faultFS{faults: faults}
	opts := Options{
		Policy: planner.Policy{Recursive: true, Perms: true, Times: true, Delete: true},
		Jobs:   2, Log: zerolog.New(zerolog.SyncWriter(&bytes.Buffer{})), Umask: 0o022,
	}
	opts.fs = ffs
	ex := New(opts)
	ffs.copier = ex.copier
	return ex.Run(context.Background(), []string{src + "/"}, dst), ffs
}

func TestFaults(t *testing.T) {
	cases := []struct {
		name     string
		faults   []fault
		wantCode int
		// intact lists destination files that must keep their old content.
		intact  []string
		absent  []string // new files that must not appear
		deletes bool     // the extraneous x is deleted all the same
	}{
		{name: "EIO on rename", faults: []fault{{"rename", "b", eio}}, wantCode: ExitPartial, intact: []string{"b"}},
		{name: "ENOSPC while copying", faults: []fault{{"copy", "b", enospc}}, wantCode: ExitFileIO, intact: []string{"b"}},
		{name: "EACCES opening a source", faults: []fault{{"open", "c", eacces}}, wantCode: ExitPartial},
		{name: "EXDEV while copying", faults: []fault{{"copy", "b", exdev}}, wantCode: ExitPartial, intact: []string{"b"}},
		{name: "short write", faults: []fault{{"copy", "d", errShortWrite}}, wantCode: ExitPartial, intact: []string{"sub/d"}},
		// n, the one new directory, is made under a temporary name.
		{name: "ENOSPC on mkdir", faults: []fault{{"mkdir", "*", enospc}}, wantCode: ExitFileIO, absent: []string{"n"}},
		{name: "EIO renaming a new directory into place", faults: []fault{{"rename", "n", eio}}, wantCode: ExitPartial, absent: []string{"n"}},
		{name: "short write in a new directory", faults: []fault{{"copy", "e", errShortWrite}}, wantCode: ExitPartial, absent: []string{"n/e"}},
		// A vanished source file is a warning (24); deletes still happen, as in rsync.
		{name: "vanished source", faults: []fault{{"open", "a", enoent}}, wantCode: ExitVanished, deletes: true},
		{name: "EPERM on chmod", faults: []fault{{"chmod", "*", eperm}}, wantCode: ExitPartial, intact: []string{"b"}},
		{name: "EIO naming a new file", faults: []fault{{"rename", "a", eio}}, wantCode: ExitPartial, absent: []string{"a"}},
		{name: "ENOSPC copying a new file", faults: []fault{{"copy", "e", enospc}}, wantCode: ExitFileIO, absent: []string{"n/e"}},
		{name: "short write of a new file", faults: []fault{{"copy", "c", errShortWrite}}, wantCode: ExitPartial, absent: []string{"c"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, dst := faultTree(t)
			res, ffs := runFaulty(t, src, dst, tc.faults...)
			if ffs.hits == 0 {
				t.Fatalf("the fault was never hit")
			}
			if res.ExitCode != tc.wantCode {
				t.Errorf("exit code %d, want %d (errors: %v, fatal: %v)", res.ExitCode, tc.wantCode, res.Errors, res.Fatal)
			}
			assertNoTemporaries(t, dst)
			if !tc.deletes {
				assertExists(t, dst, "x") // no deletes after an error
			}
			for _, f := range tc.intact {
				assertContent(t, dst, f, "old "+filepath.Base(f))
			}
			for _, f := range tc.absent {
				if _, err := os.Lstat(filepath.Join(dst, f)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s exists after its copy failed (%v)", f, err)
				}
			}
		})
	}
}

func TestFaultOnDeleteKeepsRunGoing(t *testing.T) {
	src, dst := faultTree(t)
	res, _ := runFaulty(t, src, dst, fault{"unlink", "x", eio})
	if res.ExitCode != ExitPartial {
		t.Fatalf("exit code %d, want %d", res.ExitCode, ExitPartial)
	}
	assertContent(t, dst, "b", "new b"+strings.Repeat(".", 1000))
	assertNoTemporaries(t, dst)
}

func TestNoFaultMirrorsAndDeletes(t *testing.T) {
	src, dst := faultTree(t)
	res, _ := runFaulty(t, src, dst)
	if res.ExitCode != ExitOK {
		t.Fatalf("exit code %d: %v", res.ExitCode, res.Errors)
	}
	if _, err := os.Lstat(filepath.Join(dst, "x")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("extraneous x not deleted: %v", err)
	}
	assertContent(t, dst, "sub/d", "new sub/d"+strings.Repeat(".", 1000))
}

func assertNoTemporaries(t *testing.T, root string) {
	t.Helper()
	_ = filepath.WalkDir(root, func(p string, de os.DirEntry, err error) error {
		if err == nil && planner.IsTempName(de.Name()) {
			t.Errorf("temporary left behind: %s", p)
		}
		return nil
	})
}

func assertExists(t *testing.T, root, rel string) {
	t.Helper()
	if _, err := os.Lstat(filepath.Join(root, rel)); err != nil {
		t.Errorf("%s: %v", rel, err)
	}
}

func assertContent(t *testing.T, root, rel, want string) {
	t.Helper()
	got, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil || string(got) != want {
		t.Errorf("%s = %.20q (%v), want %.20q", rel, got, err, want)
	}
}

// A directory made under --backup-dir gets its destination directory's
// mode as it is made, where that lets the owner fill it: a run cut short
// before its chmod (here: the chmod fails) leaves no 0700 directory for
// a later run to take as it is.
func TestBackupDirMadeWithItsMode(t *testing.T) {
	src, dst := faultTree(t)
	if err := os.Chmod(filepath.Join(src, "sub"), 0o751); err != nil { // (the mode the run gives sub)
		t.Fatal(err)
	}
	ffs := &faultFS{faults: []fault{{"chmod", "sub", eperm}}}
	opts := Options{
		Policy: planner.Policy{Recursive: true, Perms: true, Times: true},
		Jobs:   2, Log: zerolog.New(zerolog.SyncWriter(&bytes.Buffer{})), Umask: 0o022,
		Backup: true, BackupDir: filepath.Join(t.TempDir(), "bk"),
	}
	opts.fs = ffs
	ex := New(opts)
	ffs.copier = ex.copier
	ex.Run(context.Background(), []string{src + "/"}, dst)
	if ffs.hits == 0 {
		t.Fatal("the fault was never hit")
	}
	st, err := os.Stat(filepath.Join(opts.BackupDir, "sub"))
	if err != nil || st.Mode().Perm() != 0o751 {
		t.Fatalf("backup directory sub: %v, %v; want mode 751", st.Mode(), err)
	}
}

// Under --remove-source-files a source file goes only once its copy is
// in place under its final path: where a new directory could not be
// renamed into place (or a run is killed first), the files copied below
// it keep their sources.
func TestRemoveSourceOnlyWhatIsInPlace(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	for _, f := range []string{"p/c/f", "p/c/g", "p/h"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(src, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, f), []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ffs := &faultFS{faults: []fault{{"rename", "p", eio}, {"rename", "h", eio}}}
	opts := Options{
		Policy: planner.Policy{Recursive: true, Perms: true, Times: true},
		Jobs:   2, Log: zerolog.New(zerolog.SyncWriter(&bytes.Buffer{})), Umask: 0o022,
		RemoveSourceFiles: true,
	}
	opts.fs = ffs
	ex := New(opts)
	ffs.copier = ex.copier
	ex.Run(context.Background(), []string{src + "/"}, dst)
	for _, f := range []string{"p/c/f", "p/c/g", "p/h"} {
		_, serr := os.Lstat(filepath.Join(src, f))
		b, derr := os.ReadFile(filepath.Join(dst, f))
		if serr != nil && (derr != nil || string(b) != f) {
			t.Errorf("%s: source removed (%v) but the destination lacks it (%q, %v)", f, serr, b, derr)
		}
	}
}
