package executor

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rs/zerolog"

	"github.com/treesync/treesync/planner"
)

// TestRunInWindows mirrors, in this process (under the race detector in
// make test), a tree whose directories are planned two names at a time:
// new and existing subdirectories, changed and extraneous files. The
// destination must end up holding what the source holds.
func TestRunInWindows(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	var files []string
	for i := range 7 {
		files = append(files, fmt.Sprintf("f%d", i), fmt.Sprintf("new%d/g%d", i%3, i), fmt.Sprintf("old/h%d", i))
	}
	writeFiles(t, src, files...)
	writeFiles(t, dst, "f1", "f3", "old/h2", "old/x1", "old/x2", "x0", "x9", "gone/y")
	opts := Options{
		Policy: planner.Policy{Recursive: true, Perms: true, Times: true, Delete: true},
		Jobs:   2, Log: zerolog.New(zerolog.SyncWriter(&bytes.Buffer{})), Umask: 0o022,
		ListWindow: 2,
	}
	res := New(opts).Run(context.Background(), []string{src + "/"}, dst)
	if res.ExitCode != ExitOK {
		t.Fatalf("exit code %d: %v", res.ExitCode, res.Errors)
	}
	if got, want := treeFiles(t, dst), treeFiles(t, src); !slices.Equal(got, want) {
		t.Errorf("destination holds\n%q\nwant\n%q", got, want)
	}
	for _, f := range files {
		assertContent(t, dst, f, "data of "+f)
	}
	assertNoTemporaries(t, dst)
}

// treeFiles lists the paths of root's regular files and directories.
func treeFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
