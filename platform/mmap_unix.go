//go:build unix

package platform

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// MapFile maps length bytes of the open file fd from off (a multiple of
// the page size) read-only and shared: reading the mapping reads the page
// cache itself, with no copy into a buffer. Reading a page past the
// file's end (it shrank) raises SIGBUS; callers guard their reads with
// debug.SetPanicOnFault. Pages are mapped as they are read: MAP_POPULATE
// made -c no faster.
func MapFile(fd int, off int64, length int) ([]byte, error) {
	b, err := unix.Mmap(fd, off, length, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("mmap %d bytes at %d: %w", length, off, err)
	}
	return b, nil
}

// UnmapFile releases a mapping made by MapFile.
func UnmapFile(b []byte) error {
	if err := unix.Munmap(b); err != nil {
		return fmt.Errorf("munmap: %w", err)
	}
	return nil
}
