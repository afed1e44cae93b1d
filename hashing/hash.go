package hashing

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/cespare/xxhash/v2"
)

// Digest is an xxhash64 of a file's contents.
type Digest uint64

func (d Digest) String() string { return fmt.Sprintf("%016x", uint64(d)) }

// BufferSize is the read size: large enough that the hash runs at
// memory speed and the syscall cost per byte is negligible.
const BufferSize = 1 << 20

// Hasher hashes files with pooled buffers; safe for concurrent use.
type Hasher struct {
	bufs  sync.Pool // *[]byte of BufferSize, for Sum
	pairs sync.Pool // *[2][]byte of CompareSize, for Equal
}

// New returns a Hasher.
func New() *Hasher {
	h := &Hasher{}
	h.bufs.New = func() any {
		b := make([]byte, BufferSize)
		return &b
	}
	h.pairs.New = func() any {
		return &[2][]byte{make([]byte, CompareSize), make([]byte, CompareSize)}
	}
	return h
}

// Sum hashes r from offset 0 to its end and returns the digest and the
// number of bytes read.
func (h *Hasher) Sum(r io.ReaderAt) (Digest, int64, error) {
	return h.SumRange(r, -1)
}

// SumRange hashes the first n bytes of r (all of it when n < 0).
func (h *Hasher) SumRange(r io.ReaderAt, n int64) (Digest, int64, error) {
	bp := h.bufs.Get().(*[]byte)
	defer h.bufs.Put(bp)
	d := xxhash.New()
	var off int64
	for n < 0 || off < n {
		buf := *bp
		if n >= 0 && n-off < int64(len(buf)) {
			buf = buf[:n-off]
		}
		k, err := r.ReadAt(buf, off)
		_, _ = d.Write(buf[:k])
		off += int64(k)
		if errors.Is(err, io.EOF) || (err == nil && k == 0) {
			break
		}
		if err != nil {
			return 0, off, fmt.Errorf("read at %d: %w", off, err)
		}
	}
	return Digest(d.Sum64()), off, nil
}

// CompareSize is the chunk Equal reads from each side: two chunks stay
// in a core's cache while they are compared. Measured on the Go tree
// (15,036 files, both sides in the page cache, 4 workers, wall ms, three
// runs): 32 KiB 107-115, 128 KiB 105-109, 256 KiB 108-120, 1 MiB
// 110-114; hashing both sides instead took 121-133.
const CompareSize = 128 << 10

// Equal reports whether a and b hold the same bytes. Both sides are
// local, so comparing the bytes beats hashing each: no digest arithmetic,
// and it stops at the first difference.
func (h *Hasher) Equal(a, b io.ReaderAt) (bool, error) {
	bp := h.pairs.Get().(*[2][]byte)
	defer h.pairs.Put(bp)
	ba, bb := bp[0], bp[1]
	for off := int64(0); ; off += int64(len(ba)) {
		na, errA := readFull(a, ba, off)
		nb, errB := readFull(b, bb, off)
		if err := errors.Join(errA, errB); err != nil {
			return false, err
		}
		if na != nb || !bytes.Equal(ba[:na], bb[:nb]) {
			return false, nil
		}
		if na < len(ba) {
			return true, nil // both ended here
		}
	}
}

// readFull reads len(buf) bytes at off, fewer only at the end of r.
func readFull(r io.ReaderAt, buf []byte, off int64) (int, error) {
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
	}
	return n, nil
}
