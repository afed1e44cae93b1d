package platform

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// DataExtents calls fn with the bounds [start, end) of each data extent of
// the open file fd below size, in order, found with SEEK_DATA and
// SEEK_HOLE. Every step moves forward and stops at size, so a file that
// changes meanwhile cannot make it spin. Errors from fn come back as they
// are; a failed seek as "seek data: ..." or "seek hole: ..." (EINVAL from
// SEEK_DATA: the filesystem cannot seek for data).
func DataExtents(fd int, size int64, fn func(start, end int64) error) error {
	for off := int64(0); off < size; {
		data, err := unix.Seek(fd, off, unix.SEEK_DATA)
		if errors.Is(err, unix.ENXIO) {
			return nil // only a hole remains
		}
		if err != nil {
			return fmt.Errorf("seek data: %w", err)
		}
		hole, err := unix.Seek(fd, data, unix.SEEK_HOLE)
		if err != nil {
			return fmt.Errorf("seek hole: %w", err)
		}
		hole = min(hole, size)
		if data >= hole {
			return nil
		}
		if err := fn(data, hole); err != nil {
			return err
		}
		off = hole
	}
	return nil
}
