//go:build unix

package platform

import (
	"errors"
	"io"

	"golang.org/x/sys/unix"
)

func pread(fd int, p []byte, off int64) (int, error) {
	for {
		n, err := unix.Pread(fd, p, off)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		return n, err
	}
}

// WriteAllAt writes all of p to fd at offset off.
func WriteAllAt(fd int, p []byte, off int64) error { return pwriteAll(fd, p, off) }

func pwriteAll(fd int, p []byte, off int64) error {
	for len(p) > 0 {
		n, err := unix.Pwrite(fd, p, off)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return io.ErrShortWrite
		}
		p, off = p[n:], off+int64(n)
	}
	return nil
}
