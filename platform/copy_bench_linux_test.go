package platform

import (
	"fmt"
	"os"
	"path/filepath"
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
			b.Run(fmt.Sprintf("%dK/%s", size>>10, name), func(b *testing.B) { benchCopy(b, size, m) })
		}
	}
}

func benchCopy(b *testing.B, size int, m CopyMethod) {
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
	c := NewCopier(CopyOptions{Method: m})
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
			benchBuffered(b, 64<<20, size)
		})
	}
}

func benchBuffered(b *testing.B, fileSize, bufSize int) {
	dir := benchDir(b)
	src := filepath.Join(dir, "src")
	if err := os.WriteFile(src, payload(fileSize), 0o644); err != nil {
		b.Fatal(err)
	}
	sfd, _ := unix.Open(src, unix.O_RDONLY, 0)
	defer unix.Close(sfd)
	st, _ := Fstat(sfd)
	dfd, _ := OpenRoot(dir)
	defer unix.Close(dfd)
	c := NewCopier(CopyOptions{Method: CopyBuffered, BufferSize: bufSize})
	b.SetBytes(int64(fileSize))
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
