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
	dir := b.TempDir()
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
