package hashing

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
)

// data returns n deterministic pseudo-random bytes.
func data(n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(1, uint64(n)))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// errAfter returns its data, then fails with err at offset fail.
type errAfter struct {
	data []byte
	fail int64
	err  error
}

func (r *errAfter) ReadAt(p []byte, off int64) (int, error) {
	if off >= r.fail {
		return 0, r.err
	}
	n := copy(p, r.data[off:min(int64(len(r.data)), r.fail)])
	if off+int64(n) >= r.fail {
		return n, r.err
	}
	return n, nil
}

// eofWithData returns the last bytes together with io.EOF, as ReadAt may.
type eofWithData struct{ data []byte }

func (r eofWithData) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(r.data)) {
		return 0, io.EOF
	}
	n := copy(p, r.data[off:])
	if off+int64(n) == int64(len(r.data)) {
		return n, io.EOF
	}
	return n, nil
}

// A reader may return its last bytes together with io.EOF.
func TestEqualEOFWithData(t *testing.T) {
	for _, n := range []int{1, CompareSize, CompareSize + 3} {
		b := data(n)
		if eq, err := New().Equal(eofWithData{b}, bytes.NewReader(bytes.Clone(b))); err != nil || !eq {
			t.Errorf("%d bytes with EOF: %v, %v", n, eq, err)
		}
	}
}

// EqualPrefix compares the first n bytes, which both must hold.
func TestEqualPrefix(t *testing.T) {
	c := New()
	b := data(2*CompareSize + 10)
	longer := append(bytes.Clone(b), 1, 2, 3)
	changedLate := bytes.Clone(b)
	changedLate[2*CompareSize+5] ^= 1
	for _, tc := range []struct {
		name string
		a, b []byte
		n    int64
		want bool
	}{
		{"zero bytes", nil, []byte{1}, 0, true},
		{"a prefix of a longer file", b, longer, int64(len(b)), true},
		{"across a chunk boundary", b, longer, CompareSize + 1, true},
		{"a difference past the prefix", b, changedLate, 2 * CompareSize, true},
		{"a difference inside the prefix", b, changedLate, 2*CompareSize + 6, false},
		{"one side shorter than n", b, longer, int64(len(longer)), false},
		{"both shorter than n", b, bytes.Clone(b), int64(len(b)) + 1, false},
	} {
		got, err := c.EqualPrefix(bytes.NewReader(tc.a), bytes.NewReader(tc.b), tc.n)
		if err != nil || got != tc.want {
			t.Errorf("%s: EqualPrefix(n=%d) = %v, %v; want %v", tc.name, tc.n, got, err, tc.want)
		}
	}
}

func TestEqual(t *testing.T) {
	c := New()
	b := data(8*CompareSize + 100)
	changed := bytes.Clone(b)
	changed[8*CompareSize+50] ^= 1
	tests := []struct {
		name string
		a, b []byte
		want bool
	}{
		{name: "both empty", a: nil, b: []byte{}, want: true},
		{name: "equal", a: b, b: bytes.Clone(b), want: true},
		{name: "one bit differs", a: b, b: changed, want: false},
		{name: "prefix", a: b, b: b[:len(b)-1], want: false},
		{name: "empty and not", a: nil, b: []byte{0}, want: false},
		{name: "zero bytes vs empty", a: make([]byte, 8), b: nil, want: false},
		{name: "ends on a chunk boundary", a: b[:2*CompareSize], b: bytes.Clone(b[:2*CompareSize]), want: true},
		{name: "one byte past a chunk", a: b[:CompareSize+1], b: b[:CompareSize], want: false},
		{name: "last byte differs", a: b, b: append(bytes.Clone(b[:len(b)-1]), b[len(b)-1]^0x80), want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, swap := range []bool{false, true} {
				x, y := tc.a, tc.b
				if swap {
					x, y = y, x
				}
				got, err := c.Equal(bytes.NewReader(x), bytes.NewReader(y))
				if err != nil || got != tc.want {
					t.Errorf("Equal(swap=%v) = %v, %v; want %v", swap, got, err, tc.want)
				}
			}
		})
	}
}

// shortReader returns at most 1000 bytes per ReadAt without an error, as
// io.ReaderAt permits only at the end; Equal must not take that for EOF.
type shortReader struct{ r *bytes.Reader }

func (s shortReader) ReadAt(p []byte, off int64) (int, error) {
	if len(p) > 1000 {
		p = p[:1000]
	}
	n, err := s.r.ReadAt(p, off)
	if errors.Is(err, io.EOF) && n > 0 {
		err = nil
	}
	return n, err
}

func TestEqualShortReads(t *testing.T) {
	c := New()
	b := data(3*CompareSize + 7)
	changed := bytes.Clone(b)
	changed[2*CompareSize+3] ^= 1
	if eq, err := c.Equal(shortReader{bytes.NewReader(b)}, bytes.NewReader(bytes.Clone(b))); err != nil || !eq {
		t.Errorf("same bytes, short reads: %v, %v", eq, err)
	}
	if eq, err := c.Equal(shortReader{bytes.NewReader(b)}, shortReader{bytes.NewReader(changed)}); err != nil || eq {
		t.Errorf("one byte differs, short reads: %v, %v", eq, err)
	}
}

func TestEqualError(t *testing.T) {
	c := New()
	errA, errB := errors.New("a failed"), errors.New("b failed")
	good := bytes.NewReader(data(100))
	if eq, err := c.Equal(&errAfter{data: data(100), fail: 3, err: errA}, good); eq || !errors.Is(err, errA) {
		t.Errorf("a fails: %v, %v", eq, err)
	}
	if eq, err := c.Equal(good, &errAfter{data: data(100), fail: 3, err: errB}); eq || !errors.Is(err, errB) {
		t.Errorf("b fails: %v, %v", eq, err)
	}
	eq, err := c.Equal(&errAfter{fail: 0, err: errA}, &errAfter{fail: 0, err: errB})
	if eq || !errors.Is(err, errA) || !errors.Is(err, errB) {
		t.Errorf("both fail: %v, %v", eq, err)
	}
}

// One Comparer is shared by many goroutines (run with -race).
func TestComparerConcurrent(t *testing.T) {
	c := New()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			b := data(1000*i + CompareSize/2)
			changed := bytes.Clone(b)
			changed[len(b)-1] ^= 1
			for range 4 {
				same, err := c.Equal(bytes.NewReader(b), bytes.NewReader(bytes.Clone(b)))
				differ, err2 := c.Equal(bytes.NewReader(b), bytes.NewReader(changed))
				if err != nil || err2 != nil || !same || differ {
					t.Errorf("goroutine %d: same %v, differ %v (%v, %v)", i, same, differ, err, err2)
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkEqual16MiB(b *testing.B) {
	c := New()
	x := data(16 << 20)
	ra, rb := bytes.NewReader(x), bytes.NewReader(bytes.Clone(x))
	b.SetBytes(2 * int64(len(x)))
	b.ReportAllocs()
	for b.Loop() {
		if eq, err := c.Equal(ra, rb); err != nil || !eq {
			b.Fatal(eq, err)
		}
	}
}

// countingReader reads like pread(2): a short read without an error at
// the end of the data, then 0 and io.EOF; it counts its reads.
type countingReader struct {
	data  []byte
	reads int
}

func (r *countingReader) ReadAt(p []byte, off int64) (int, error) {
	r.reads++
	if off >= int64(len(r.data)) {
		return 0, io.EOF
	}
	return copy(p, r.data[off:]), nil
}

// Given the listed size, a file is read once per chunk: the read that
// comes back short at that size is its end, with no read to find it.
// Growth past the listed size still shows.
func TestCompareListedSize(t *testing.T) {
	c := New()
	for _, size := range []int{0, 1, 4096, CompareSize - 1, CompareSize, 2*CompareSize + 9} {
		a, b := &countingReader{data: data(size)}, &countingReader{data: data(size)}
		same, err := c.compare(a, b, -1, int64(size))
		if !same || err != nil {
			t.Errorf("size %d, same bytes: %v, %v", size, same, err)
		}
		if want := size/CompareSize + 1; a.reads != want || b.reads != want {
			t.Errorf("size %d: %d and %d reads, want %d each", size, a.reads, b.reads, want)
		}
		grown := &countingReader{data: append(data(size), 1)}
		if same, err := c.compare(grown, &countingReader{data: data(size)}, -1, int64(size)); same || err != nil {
			t.Errorf("size %d, one side grown by a byte: %v, %v (want different)", size, same, err)
		}
		both := append(data(size), 1)
		if same, err := c.compare(&countingReader{data: both}, &countingReader{data: both}, -1, int64(size)); !same || err != nil {
			t.Errorf("size %d, both grown alike: %v, %v", size, same, err)
		}
	}
	// A short read that ends before the listed size is not the end.
	b := data(3 * 1000)
	if same, err := c.compare(shortReader{bytes.NewReader(b)}, &countingReader{data: b}, -1, int64(len(b))); !same || err != nil {
		t.Errorf("short reads before the listed size: %v, %v", same, err)
	}
	changed := bytes.Clone(b)
	changed[2500] ^= 1
	if same, err := c.compare(shortReader{bytes.NewReader(b)}, &countingReader{data: changed}, -1, int64(len(b))); same || err != nil {
		t.Errorf("short reads, a byte differs past the first: %v, %v", same, err)
	}
}
