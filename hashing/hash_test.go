package hashing

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/cespare/xxhash/v2"
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

func TestSum(t *testing.T) {
	h := New()
	for _, n := range []int{0, 1, 31, 32, 33, 4096, BufferSize - 1, BufferSize, BufferSize + 1, 3*BufferSize + 17} {
		b := data(n)
		d, got, err := h.Sum(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("Sum(%d bytes): %v", n, err)
		}
		if got != int64(n) {
			t.Errorf("Sum(%d bytes) read %d", n, got)
		}
		if want := Digest(xxhash.Sum64(b)); d != want {
			t.Errorf("Sum(%d bytes) = %v, want %v", n, d, want)
		}
	}
}

func TestSumKnownValues(t *testing.T) {
	h := New()
	for _, tc := range []struct {
		in   string
		want string
	}{
		// XXH64 with seed 0.
		{"", "ef46db3751d8e999"},
		{"a", "d24ec4f1a98c6e5b"},
	} {
		d, _, err := h.Sum(strings.NewReader(tc.in))
		if err != nil || d.String() != tc.want {
			t.Errorf("Sum(%q) = %v, %v; want %s", tc.in, d, err, tc.want)
		}
	}
}

func TestDigestString(t *testing.T) {
	if got := Digest(0xab).String(); got != "00000000000000ab" {
		t.Errorf("String = %q", got)
	}
}

func TestSumRange(t *testing.T) {
	h := New()
	b := data(2*BufferSize + 5)
	for _, n := range []int64{0, 1, 100, BufferSize, BufferSize + 1, int64(len(b))} {
		d, got, err := h.SumRange(bytes.NewReader(b), n)
		if err != nil || got != n {
			t.Fatalf("SumRange(%d) read %d, %v", n, got, err)
		}
		if want := Digest(xxhash.Sum64(b[:n])); d != want {
			t.Errorf("SumRange(%d) = %v, want %v", n, d, want)
		}
	}
	// A negative length hashes everything.
	if d, got, err := h.SumRange(bytes.NewReader(b), -1); err != nil || got != int64(len(b)) || d != Digest(xxhash.Sum64(b)) {
		t.Errorf("SumRange(-1) = %v, %d, %v", d, got, err)
	}
	// Asking for more than there is stops at the end, and says how much
	// was read.
	d, got, err := h.SumRange(bytes.NewReader(b[:10]), 100)
	if err != nil || got != 10 || d != Digest(xxhash.Sum64(b[:10])) {
		t.Errorf("SumRange(100) of 10 bytes = %v, %d, %v", d, got, err)
	}
}

func TestSumEmpty(t *testing.T) {
	d, n, err := New().Sum(bytes.NewReader(nil))
	if err != nil || n != 0 || d != Digest(xxhash.Sum64(nil)) {
		t.Errorf("Sum(empty) = %v, %d, %v", d, n, err)
	}
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

func TestSumReaderError(t *testing.T) {
	boom := errors.New("boom")
	b := data(3 * BufferSize)
	for _, fail := range []int64{0, 10, BufferSize, BufferSize + 10} {
		_, n, err := New().Sum(&errAfter{data: b, fail: fail, err: boom})
		if !errors.Is(err, boom) {
			t.Errorf("fail at %d: err = %v, want %v", fail, err, boom)
		}
		if n != fail {
			t.Errorf("fail at %d: read %d", fail, n)
		}
	}
	// io.ErrUnexpectedEOF is an error, not an end.
	if _, _, err := New().Sum(&errAfter{data: b, fail: 5, err: io.ErrUnexpectedEOF}); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("ErrUnexpectedEOF: err = %v", err)
	}
}

func TestSumEOFWithData(t *testing.T) {
	for _, n := range []int{1, BufferSize, BufferSize + 3} {
		b := data(n)
		d, got, err := New().Sum(eofWithData{b})
		if err != nil || got != int64(n) || d != Digest(xxhash.Sum64(b)) {
			t.Errorf("%d bytes with EOF: %v, %d, %v", n, d, got, err)
		}
	}
}

func TestEqual(t *testing.T) {
	h := New()
	b := data(BufferSize + 100)
	changed := bytes.Clone(b)
	changed[BufferSize+50] ^= 1
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
				got, err := h.Equal(bytes.NewReader(x), bytes.NewReader(y))
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
	h := New()
	b := data(3*CompareSize + 7)
	changed := bytes.Clone(b)
	changed[2*CompareSize+3] ^= 1
	if eq, err := h.Equal(shortReader{bytes.NewReader(b)}, bytes.NewReader(bytes.Clone(b))); err != nil || !eq {
		t.Errorf("same bytes, short reads: %v, %v", eq, err)
	}
	if eq, err := h.Equal(shortReader{bytes.NewReader(b)}, shortReader{bytes.NewReader(changed)}); err != nil || eq {
		t.Errorf("one byte differs, short reads: %v, %v", eq, err)
	}
}

func TestEqualError(t *testing.T) {
	h := New()
	errA, errB := errors.New("a failed"), errors.New("b failed")
	good := bytes.NewReader(data(100))
	if eq, err := h.Equal(&errAfter{data: data(100), fail: 3, err: errA}, good); eq || !errors.Is(err, errA) {
		t.Errorf("a fails: %v, %v", eq, err)
	}
	if eq, err := h.Equal(good, &errAfter{data: data(100), fail: 3, err: errB}); eq || !errors.Is(err, errB) {
		t.Errorf("b fails: %v, %v", eq, err)
	}
	eq, err := h.Equal(&errAfter{fail: 0, err: errA}, &errAfter{fail: 0, err: errB})
	if eq || !errors.Is(err, errA) || !errors.Is(err, errB) {
		t.Errorf("both fail: %v, %v", eq, err)
	}
}

// One Hasher is shared by many goroutines (run with -race).
func TestHasherConcurrent(t *testing.T) {
	h := New()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			b := data(1000*i + BufferSize/2)
			for range 4 {
				d, _, err := h.Sum(bytes.NewReader(b))
				if err != nil || d != Digest(xxhash.Sum64(b)) {
					t.Errorf("goroutine %d: %v, %v", i, d, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkSum(b *testing.B) {
	for _, bc := range []struct {
		name string
		size int
	}{{"4KiB", 4 << 10}, {"16MiB", 16 << 20}} {
		b.Run(bc.name, func(b *testing.B) {
			h := New()
			r := bytes.NewReader(data(bc.size))
			b.SetBytes(int64(bc.size))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := h.Sum(r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEqual16MiB(b *testing.B) {
	h := New()
	x := data(16 << 20)
	ra, rb := bytes.NewReader(x), bytes.NewReader(bytes.Clone(x))
	b.SetBytes(2 * int64(len(x)))
	b.ReportAllocs()
	for b.Loop() {
		if eq, err := h.Equal(ra, rb); err != nil || !eq {
			b.Fatal(eq, err)
		}
	}
}
