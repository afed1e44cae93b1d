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

// SeekSize returns how far the open file fd reaches (a device's size,
// where its stat says 0), leaving its offset at the start.
func SeekSize(fd int) (int64, error) {
	size, err := unix.Seek(fd, 0, io.SeekEnd)
	if err == nil {
		_, err = unix.Seek(fd, 0, io.SeekStart)
	}
	return size, err
}

// WriteAllAt writes all of p to fd at offset off.
func WriteAllAt(fd int, p []byte, off int64) error { return pwriteAll(fd, p, off) }

// seekSet moves fd's offset to off.
func seekSet(fd int, off int64) error {
	_, err := unix.Seek(fd, off, io.SeekStart)
	return err
}

// writeAll writes all of p at fd's own offset (to a device that may not
// seek: a terminal).
func writeAll(fd int, p []byte) error {
	return writeFull(p, func(b []byte, _ int64) (int, error) { return unix.Write(fd, b) })
}

func pwriteAll(fd int, p []byte, off int64) error {
	return writeFull(p, func(b []byte, done int64) (int, error) { return unix.Pwrite(fd, b, off+done) })
}

// writeFull calls write until all of p is written, each time with what
// is left and how much was written before it; an interrupted call is
// made again, one that writes nothing is a short write.
func writeFull(p []byte, write func(b []byte, done int64) (int, error)) error {
	for done := int64(0); len(p) > 0; {
		n, err := write(p, done)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return io.ErrShortWrite
		}
		p, done = p[n:], done+int64(n)
	}
	return nil
}
