package executor

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
)

// hookFS is the real kernel with a hook called before each new file is
// copied, with the directory it is created in and its name.
type hookFS struct {
	kernelFS
	beforeCopy    func(dir, name string)
	afterExchange func() // (nil: none)
}

func (h *hookFS) RenameExchange(od int, o string, nd int, n string) error {
	err := h.kernelFS.RenameExchange(od, o, nd, n)
	if err == nil && h.afterExchange != nil {
		h.afterExchange()
	}
	return err
}

func (h *hookFS) CopyToNew(src int, st platform.Stat, dirfd int, name string, perm uint32, dev uint64, done <-chan struct{}) (int, platform.CopyResult, error) {
	dir, _ := filepathFromFd(dirfd)
	h.beforeCopy(dir, name)
	return h.kernelFS.CopyToNew(src, st, dirfd, name, perm, dev, done)
}

// CopyToUnnamed calls beforeCopy with the source's name: an unnamed
// copy has none of its own yet.
func (h *hookFS) CopyToUnnamed(src int, st platform.Stat, dirfd int, perm uint32, dev uint64, done <-chan struct{}) (int, platform.CopyResult, bool, error) {
	dir, _ := filepathFromFd(dirfd)
	srcPath, _ := filepathFromFd(src)
	h.beforeCopy(dir, filepath.Base(srcPath))
	return h.kernelFS.CopyToUnnamed(src, st, dirfd, perm, dev, done)
}

func runHooked(t *testing.T, ctx context.Context, h *hookFS, sources []string, dst string, with ...func(*Options)) *Result {
	t.Helper()
	opts := Options{
		Policy: planner.Policy{Recursive: true, Perms: true, Times: true},
		Jobs:   2, Log: zerolog.New(zerolog.SyncWriter(&bytes.Buffer{})), Umask: 0o022,
	}
	for _, f := range with {
		f(&opts)
	}
	opts.fs = h
	ex := New(opts)
	h.copier = ex.copier
	return ex.Run(ctx, sources, dst)
}

func writeFiles(t *testing.T, root string, files ...string) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("data of "+f), 0o640); err != nil {
			t.Fatal(err)
		}
	}
}

// A new directory is filled under a temporary name, its files created
// under their own names, and renamed into place when they are in.
func TestStagedDirectory(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	writeFiles(t, src, "top", "n/e", "n/f", "n/m/g")
	var mu sync.Mutex
	dirs := map[string]string{} // file name -> directory it was created in
	h := &hookFS{beforeCopy: func(dir, name string) {
		mu.Lock()
		defer mu.Unlock()
		dirs[name] = dir
		if name == "f" {
			if _, err := os.Lstat(filepath.Join(dst, "n")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("n is visible under its own name before its files are in (%v)", err)
			}
		}
	}}
	res := runHooked(t, context.Background(), h, []string{src + "/"}, dst)
	if res.ExitCode != ExitOK {
		t.Fatalf("exit code %d: %v", res.ExitCode, res.Errors)
	}
	for _, f := range []string{"e", "f", "g"} {
		if !planner.IsTempName(filepath.Base(dirs[f])) {
			t.Errorf("%s was created in %s, not in a temporary directory", f, dirs[f])
		}
	}
	for _, f := range []string{"top", "n/e", "n/f", "n/m/g"} {
		assertContent(t, dst, f, "data of "+f)
	}
	assertSameMeta(t, src, dst, "n", "n/m", "n/e")
	assertNoTemporaries(t, dst)
}

func assertSameMeta(t *testing.T, src, dst string, rels ...string) {
	t.Helper()
	for _, rel := range rels {
		a, errA := os.Lstat(filepath.Join(src, rel))
		b, errB := os.Lstat(filepath.Join(dst, rel))
		if errA != nil || errB != nil {
			t.Errorf("%s: %v %v", rel, errA, errB)
			continue
		}
		if a.Mode() != b.Mode() || !a.ModTime().Equal(b.ModTime()) {
			t.Errorf("%s: mode %v mtime %v, want %v %v", rel, b.Mode(), b.ModTime(), a.Mode(), a.ModTime())
		}
	}
}

// An interrupted run renames what it staged into place with the files
// that are complete, and without the one being written. f is larger than
// the most a copy writes before it looks for an interruption.
func TestStagedDirectoryInterrupted(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	writeFiles(t, src, "n/e")
	if err := os.WriteFile(filepath.Join(src, "n/f"), bytes.Repeat([]byte("f"), 65<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := &hookFS{beforeCopy: func(_, name string) {
		if name == "f" {
			cancel() // f's copy sees the run interrupted
		}
	}}
	res := runHooked(t, ctx, h, []string{src + "/"}, dst)
	if res.ExitCode != ExitSignal {
		t.Fatalf("exit code %d, want %d (%v)", res.ExitCode, ExitSignal, res.Errors)
	}
	assertContent(t, dst, "n/e", "data of n/e")
	if _, err := os.Lstat(filepath.Join(dst, "n/f")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("n/f, interrupted, exists (%v)", err)
	}
	assertNoTemporaries(t, dst)
}

// A directory a killed run left under a temporary name is removed with
// everything in it, and a symlink in it is not followed.
func TestStaleStagedDirectoryRemoved(t *testing.T) {
	src, dst, outside := t.TempDir(), t.TempDir(), t.TempDir()
	writeFiles(t, src, "a")
	stale := filepath.Join(dst, planner.TempName(0xbadf00d))
	writeFiles(t, stale, "x", "sub/y", "sub/"+planner.TempName(1))
	writeFiles(t, outside, "keep")
	if err := os.Symlink(outside, filepath.Join(stale, "sub", "link")); err != nil {
		t.Fatal(err)
	}
	h := &hookFS{beforeCopy: func(string, string) {}}
	res := runHooked(t, context.Background(), h, []string{src + "/"}, dst)
	if res.ExitCode != ExitOK {
		t.Fatalf("exit code %d: %v", res.ExitCode, res.Errors)
	}
	if _, err := os.Lstat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale directory still there (%v)", err)
	}
	assertContent(t, outside, "keep", "data of keep")
	assertContent(t, dst, "a", "data of a")
}

// Two sources filling the same new directory: the second's listing must
// not take the first's directory, still being filled, for a stale one.
func TestStagedDirectoryTwoSources(t *testing.T) {
	src1, src2, dst := t.TempDir(), t.TempDir(), t.TempDir()
	writeFiles(t, src1, "s/a", "s/deep/b")
	writeFiles(t, src2, "s/c", "s/deep/d")
	h := &hookFS{beforeCopy: func(string, string) {}}
	res := runHooked(t, context.Background(), h, []string{src1 + "/", src2 + "/"}, dst)
	if res.ExitCode != ExitOK {
		t.Fatalf("exit code %d: %v", res.ExitCode, res.Errors)
	}
	for _, f := range []string{"s/a", "s/deep/b", "s/c", "s/deep/d"} {
		assertContent(t, dst, f, "data of "+f)
	}
	assertNoTemporaries(t, dst)
}

// --delay-updates: no copy is under its name before the transfer is
// over (a file updated and a new one are checked while the last file is
// copied); then all are, with the directory's time as the run set it.
func TestDelayUpdates(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	writeFiles(t, src, "a", "b", "z")
	if err := os.WriteFile(filepath.Join(dst, "a"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	calls := 0 // copies are written under temporary names: the third is the last
	h := &hookFS{beforeCopy: func(dir, name string) {
		if calls++; calls != 3 {
			return
		}
		if got, _ := os.ReadFile(filepath.Join(dst, "a")); string(got) != "old" {
			t.Errorf("a is %q before the end of the transfer", got)
		}
		if _, err := os.Lstat(filepath.Join(dst, "b")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("b is under its name before the end of the transfer (%v)", err)
		}
	}}
	res := runHooked(t, context.Background(), h, []string{src + "/"}, dst, func(o *Options) { o.Jobs, o.DelayUpdates = 1, true })
	if res.ExitCode != ExitOK || calls != 3 {
		t.Fatalf("exit code %d, %d copies: %v", res.ExitCode, calls, res.Errors)
	}
	for _, f := range []string{"a", "b", "z"} {
		if got, _ := os.ReadFile(filepath.Join(dst, f)); string(got) != "data of "+f {
			t.Errorf("%s: %q after the run", f, got)
		}
	}
	s, _ := os.Stat(src)
	if d, _ := os.Stat(dst); !d.ModTime().Equal(s.ModTime()) {
		t.Errorf("destination time %v, source %v", d.ModTime(), s.ModTime())
	}
}

// --temp-dir: every copy is written there, then renamed into place.
func TestTempDir(t *testing.T) {
	src, dst, tmp := t.TempDir(), t.TempDir(), t.TempDir()
	writeFiles(t, src, "a", "d/b")
	var dirs []string
	h := &hookFS{beforeCopy: func(dir, name string) { dirs = append(dirs, dir) }}
	res := runHooked(t, context.Background(), h, []string{src + "/"}, dst, func(o *Options) { o.Jobs, o.TempDir = 1, tmp })
	if res.ExitCode != ExitOK || len(dirs) != 2 {
		t.Fatalf("exit code %d, %d copies: %v", res.ExitCode, len(dirs), res.Errors)
	}
	for _, d := range dirs {
		if d != tmp {
			t.Errorf("a copy was written in %s, not in the temp dir %s", d, tmp)
		}
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("%d entries left in the temp dir", len(entries))
	}
	for _, f := range []string{"a", "d/b"} {
		if got, _ := os.ReadFile(filepath.Join(dst, f)); string(got) != "data of "+f {
			t.Errorf("%s: %q", f, got)
		}
	}
}

// A new directory is made with the permissions it is to have where they
// let its owner fill it (a run stopped before it is done leaves them
// right: a rerun without -p would keep 0700), owner-only where not.
func TestNewDirectoryMadeWithItsMode(t *testing.T) {
	for _, c := range []struct {
		name        string
		perms       bool
		mode, while os.FileMode
	}{
		{"-p", true, 0o755, 0o755},
		{"without -p", false, 0o777, 0o755}, // (the umask's 022)
		{"not writable", true, 0o555, 0o700},
	} {
		t.Run(c.name, func(t *testing.T) {
			src, dst := t.TempDir(), t.TempDir()
			writeFiles(t, src, "n/f")
			if err := os.Chmod(filepath.Join(src, "n"), c.mode); err != nil {
				t.Fatal(err)
			}
			var while os.FileMode
			h := &hookFS{beforeCopy: func(dir, name string) {
				if st, err := os.Stat(dir); err == nil && name == "f" {
					while = st.Mode().Perm()
				}
			}}
			res := runHooked(t, context.Background(), h, []string{src + "/"}, dst, func(o *Options) { o.Policy.Perms = c.perms })
			if res.ExitCode != ExitOK {
				t.Fatalf("exit code %d: %v", res.ExitCode, res.Errors)
			}
			if while != c.while {
				t.Errorf("n is %v while its files are copied, want %v", while, c.while)
			}
			st, err := os.Stat(filepath.Join(dst, "n"))
			if err != nil {
				t.Fatal(err)
			}
			if want := c.mode &^ map[bool]os.FileMode{true: 0, false: 0o022}[c.perms]; st.Mode().Perm() != want {
				t.Errorf("n ends as %v, want %v", st.Mode().Perm(), want)
			}
		})
	}
}

// A file that replaces a directory is copied first and then swapped with
// it in one step: the name never goes missing (a run stopped while the
// file is copied leaves the directory; a rerun under --existing would
// not fill an empty name). Where the directory cannot go (not empty,
// without --delete or --force), it is put back and the copy dropped.
func TestFileReplacesDirectoryInOneStep(t *testing.T) {
	for _, del := range []bool{true, false} {
		t.Run(map[bool]string{true: "--delete", false: "without --delete"}[del], func(t *testing.T) {
			src, dst := t.TempDir(), t.TempDir()
			writeFiles(t, src, "x")
			writeFiles(t, dst, "x/old")
			var there error = errors.New("not copied")
			h := &hookFS{beforeCopy: func(_, name string) {
				if planner.IsTempName(name) {
					_, there = os.Lstat(filepath.Join(dst, "x", "old"))
				}
			}}
			res := runHooked(t, context.Background(), h, []string{src + "/"}, dst, func(o *Options) { o.Policy.Delete = del })
			if there != nil {
				t.Errorf("x/old missing while x was copied: %v", there)
			}
			if del {
				if res.ExitCode != ExitOK {
					t.Fatalf("exit code %d: %v", res.ExitCode, res.Errors)
				}
				assertContent(t, dst, "x", "data of x")
			} else {
				if res.ExitCode != ExitPartial {
					t.Errorf("exit code %d, want %d (%v)", res.ExitCode, ExitPartial, res.Errors)
				}
				assertContent(t, dst, "x/old", "data of x/old")
			}
			assertNoTemporaries(t, dst)
		})
	}
}

// TestDirectorySwappedOnlyEmpty: a directory in the way of a file is
// emptied (--delete) or found empty (else it stays, and the file fails)
// before the file is swapped into its place, so that a run killed just
// after the swap leaves nothing of it under a temporary name, which the
// next run removes whole (seed 68838: x/old was lost so, without
// --delete).
func TestDirectorySwappedOnlyEmpty(t *testing.T) {
	for _, c := range []struct{ del, delay bool }{{true, false}, {false, false}, {true, true}, {false, true}} {
		del := c.del
		name := map[bool]string{true: "--delete", false: "without --delete"}[del] + map[bool]string{true: " --delay-updates"}[c.delay]
		t.Run(name, func(t *testing.T) {
			src, dst := t.TempDir(), t.TempDir()
			writeFiles(t, src, "x")
			writeFiles(t, dst, "x/old", "x/sub/deep")
			swaps := 0
			var there error
			h := &hookFS{beforeCopy: func(_, name string) {
				if planner.IsTempName(name) {
					_, there = os.Lstat(filepath.Join(dst, "x"))
				}
			}, afterExchange: func() {
				swaps++
				if held := heldUnderTemporaries(t, dst); len(held) > 0 {
					t.Errorf("just after the swap, under a temporary name: %q", held)
				}
			}}
			res := runHooked(t, context.Background(), h, []string{src + "/"}, dst, func(o *Options) { o.Policy.Delete, o.DelayUpdates = del, c.delay })
			if there != nil {
				t.Errorf("x missing while its file was copied: %v", there)
			}
			if del {
				if res.ExitCode != ExitOK || swaps != 1 {
					t.Fatalf("exit code %d, %d swaps: %v", res.ExitCode, swaps, res.Errors)
				}
				assertContent(t, dst, "x", "data of x")
			} else {
				if res.ExitCode != ExitPartial {
					t.Errorf("exit code %d, want %d (%v)", res.ExitCode, ExitPartial, res.Errors)
				}
				assertContent(t, dst, "x/old", "data of x/old")
				assertContent(t, dst, "x/sub/deep", "data of x/sub/deep")
			}
			assertNoTemporaries(t, dst)
		})
	}
}

// heldUnderTemporaries lists what the directories under root with
// temporary names hold.
func heldUnderTemporaries(t *testing.T, root string) []string {
	t.Helper()
	var held []string
	_ = filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err == nil && strings.Contains(p, "/.treesync.") && !planner.IsTempName(de.Name()) {
			held = append(held, p)
		}
		return nil
	})
	return held
}
