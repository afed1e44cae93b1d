package platform

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// BenchmarkSmallFile compares copy_file_range with one read and write for
// small files, create and close included: the numbers behind the choice
// of method for small files (see copy_linux.go).
func BenchmarkSmallFile(b *testing.B) {
	for _, size := range []int{1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10} {
		for _, m := range []CopyMethod{CopyKernel, CopyBuffered} {
			name := map[CopyMethod]string{CopyKernel: "copy_file_range", CopyBuffered: "buffered"}[m]
			b.Run(fmt.Sprintf("%dK/%s", size>>10, name), func(b *testing.B) { benchCopy(b, size, CopyOptions{Method: m}) })
		}
	}
}

// benchCopy copies one cached file of size bytes into a new file with a
// Copier of the given options, over and over.
func benchCopy(b *testing.B, size int, opts CopyOptions) {
	dir := benchDir(b)
	src := filepath.Join(dir, "src")
	if err := os.WriteFile(src, payload(size), 0o644); err != nil {
		b.Fatal(err)
	}
	sfd, _ := unix.Open(src, unix.O_RDONLY, 0)
	defer unix.Close(sfd)
	st, _ := Fstat(sfd)
	dfd, _ := OpenRoot(dir)
	defer unix.Close(dfd)
	c := NewCopier(opts)
	b.SetBytes(int64(size))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fd, _, err := c.CopyToNew(sfd, st, dfd, "dst", 0o600, st.Dev, nil)
		if err != nil {
			b.Fatal(err)
		}
		unix.Close(fd)
		unix.Unlinkat(dfd, "dst", 0)
	}
}

// BenchmarkBufferSize copies one cached 64 MiB file through the buffered
// path with several buffer sizes: the numbers behind DefaultBufferSize.
// TREESYNC_BENCH_DIR puts the files on another filesystem (e.g. tmpfs).
func BenchmarkBufferSize(b *testing.B) {
	for _, size := range []int{64 << 10, 128 << 10, 256 << 10, 1 << 20, 4 << 20} {
		b.Run(fmt.Sprintf("%dK", size>>10), func(b *testing.B) {
			benchCopy(b, 64<<20, CopyOptions{Method: CopyBuffered, BufferSize: size})
		})
	}
}

func benchDir(b *testing.B) string {
	if base := os.Getenv("TREESYNC_BENCH_DIR"); base != "" {
		dir, err := os.MkdirTemp(base, "bench")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(dir) })
		return dir
	}
	return b.TempDir()
}

// BenchmarkNewFile writes 20,000 new 3 KB files across 50 directories with
// 4 writers, either under a temporary name then renamed (named) or
// unnamed then linked (unnamed): the numbers behind unnamedFavoured. Run
// it with TREESYNC_BENCH_DIR on each filesystem of interest.
func BenchmarkNewFile(b *testing.B) {
	for _, unnamed := range []bool{false, true} {
		name := map[bool]string{false: "named+rename", true: "unnamed+link"}[unnamed]
		b.Run(name, func(b *testing.B) { benchNewFiles(b, unnamed) })
	}
}

func benchNewFiles(b *testing.B, unnamed bool) {
	const files, dirs, writers = 20000, 50, 4
	dir := benchDir(b)
	if err := os.WriteFile(filepath.Join(dir, "src"), payload(3000), 0o644); err != nil {
		b.Fatal(err)
	}
	sfd, _ := unix.Open(filepath.Join(dir, "src"), unix.O_RDONLY, 0)
	defer unix.Close(sfd)
	st, _ := Fstat(sfd)
	c := NewCopier(CopyOptions{})
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dfds := newFileDirs(b, dir, i, dirs)
		unix.Sync()
		b.StartTimer()
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for f := w; f < files; f += writers {
					newFile(b, c, sfd, st, dfds[f*dirs/files], fmt.Sprintf("f%d", f), unnamed)
				}
			}()
		}
		wg.Wait()
		b.StopTimer()
		for _, fd := range dfds {
			unix.Close(fd)
		}
		b.StartTimer()
	}
}

func newFileDirs(b *testing.B, base string, round, n int) []int {
	var fds []int
	for d := range n {
		p := filepath.Join(base, fmt.Sprintf("r%d/d%d", round, d))
		if err := os.MkdirAll(p, 0o755); err != nil {
			b.Fatal(err)
		}
		fd, _ := OpenRoot(p)
		fds = append(fds, fd)
	}
	return fds
}

func newFile(b *testing.B, c *Copier, sfd int, st Stat, dfd int, name string, unnamed bool) {
	if unnamed {
		// createUnnamed, not CopyToUnnamed: measure where it is not favoured too.
		fd, handled, err := createUnnamed(dfd, 0o644)
		if !handled || err != nil {
			b.Fatalf("unnamed file: handled %v, %v", handled, err)
		}
		if _, err := c.copyData(c.pair(st.Dev, 0), sfd, fd, st, nil); err != nil {
			b.Fatal(err)
		}
		if err := LinkUnnamed(fd, dfd, name); err != nil {
			b.Fatal(err)
		}
		unix.Close(fd)
		return
	}
	tmp := ".~tmp~" + name
	fd, _, err := c.CopyToNew(sfd, st, dfd, tmp, 0o644, 0, nil)
	if err != nil {
		b.Fatal(err)
	}
	unix.Close(fd)
	if err := RenameNoReplace(dfd, tmp, dfd, name); err != nil {
		b.Fatal(err)
	}
}
