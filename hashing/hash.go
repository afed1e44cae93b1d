package hashing

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/treesync/treesync/platform"
)

// CompareSize is the chunk Equal reads from each side: two chunks stay
// in a core's cache while they are compared. Measured on the Go tree
// (15,036 files, both sides in the page cache, 4 workers, wall ms, three
// runs): 32 KiB 107-115, 128 KiB 105-109, 256 KiB 108-120, 1 MiB
// 110-114; hashing both sides with xxhash64 instead took 121-133.
const CompareSize = 128 << 10

// Comparer compares file contents with pooled buffers; safe for
// concurrent use.
type Comparer struct {
	pairs sync.Pool // *[2][]byte of CompareSize
	// Progress, when set, grows by the bytes compared (of one side), for
	// watchers of a run's activity.
	Progress *atomic.Int64
}

// add counts n bytes compared.
func (c *Comparer) add(n int64) {
	if c.Progress != nil && n > 0 {
		c.Progress.Add(n)
	}
}

// New returns a Comparer.
func New() *Comparer {
	c := &Comparer{}
	c.pairs.New = func() any {
		return &[2][]byte{make([]byte, CompareSize), make([]byte, CompareSize)}
	}
	return c
}

// Equal reports whether a and b hold the same bytes (and as many).
func (c *Comparer) Equal(a, b io.ReaderAt) (bool, error) {
	return c.compare(a, b, -1, -1)
}

// EqualFiles reports whether the open files a and b, both of size bytes
// when they were listed, hold the same bytes: through memory mappings
// from mapMin bytes, else (or when they cannot be mapped, or their size
// changed) by reading both into buffers. A page a mapping could not
// read sends the comparison to the reads, which tell a file that shrank
// (not the same) from a hole on a full tmpfs: a mapping's fault there
// wants a page the filesystem has no room for, where read returns zeros
// (seed 99288: -c on a full tmpfs failed the file).
func (c *Comparer) EqualFiles(a, b int, size int64) (bool, error) {
	if size >= mapMin {
		same, handled, err := equalMapped(a, b, size, c.add)
		if handled && !errors.Is(err, ErrReadFault) {
			return same, err
		}
	}
	return c.compare(platform.FdReader(a), platform.FdReader(b), -1, size)
}

// EqualPrefix reports whether the first n bytes of a and b are the same;
// both must hold at least n. With n < 0 it compares all of both. Both
// sides are local, so comparing the bytes beats hashing each: no digest
// arithmetic, and it stops at the first difference.
func (c *Comparer) EqualPrefix(a, b io.ReaderAt, n int64) (bool, error) {
	return c.compare(a, b, n, -1)
}

// compare compares the first n bytes of a and b (all of both when n < 0)
// chunk by chunk. With end >= 0, the size both had when listed, the read
// reaching end asks for one byte more, and coming back short exactly at
// end counts as the end of the file: a file of one chunk is read once,
// not once more to find its end; a file grown past end still shows.
func (c *Comparer) compare(a, b io.ReaderAt, n, end int64) (bool, error) {
	bp := c.pairs.Get().(*[2][]byte)
	defer c.pairs.Put(bp)
	for off := int64(0); n < 0 || off < n; off += CompareSize {
		size := int64(CompareSize)
		if n >= 0 {
			size = min(size, n-off)
		}
		if end >= off {
			size = min(size, end-off+1)
		}
		ba, bb := bp[0][:size], bp[1][:size]
		na, errA := readUntil(a, ba, off, end)
		nb, errB := readUntil(b, bb, off, end)
		if err := errors.Join(errA, errB); err != nil {
			return false, err
		}
		if na != nb || !bytes.Equal(ba[:na], bb[:nb]) {
			return false, nil
		}
		c.add(int64(na))
		if na < len(ba) {
			return n < 0, nil // both ended here: short of a prefix of n
		}
	}
	return true, nil
}

// readUntil reads len(buf) bytes at off, fewer only at the end of r, or
// when a read comes back short exactly at end (when end >= 0).
func readUntil(r io.ReaderAt, buf []byte, off, end int64) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := r.ReadAt(buf[n:], off+int64(n))
		n += k
		if errors.Is(err, io.EOF) || (err == nil && k == 0) {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("read at %d: %w", off+int64(n), err)
		}
		if off+int64(n) == end {
			return n, nil
		}
	}
	return n, nil
}
