package platform

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"
)

// fakeCalls counts and scripts the kernel calls of a Copier.
type fakeCalls struct {
	clones, ranges atomic.Int32
	cloneErr       error
	// rangeFn decides each copy_file_range call (call number from 1);
	// nil means the real call.
	rangeFn func(call int32, src int, roff *int64, dst int, woff *int64, n int) (int, error)
}

func (f *fakeCalls) install(c *Copier) {
	real := defaultKernelCalls()
	c.sys.clone = func(dst, src int) error {
		f.clones.Add(1)
		if f.cloneErr != nil {
			return f.cloneErr
		}
		return real.clone(dst, src)
	}
	c.sys.copyRange = func(src int, roff *int64, dst int, woff *int64, n int) (int, error) {
		call := f.ranges.Add(1)
		if f.rangeFn != nil {
			return f.rangeFn(call, src, roff, dst, woff, n)
		}
		return real.copyRange(src, roff, dst, woff, n)
	}
}

// copyOne copies data through c into a new file and returns the result
// and the copied bytes.
func copyOne(t *testing.T, c *Copier, data []byte) (CopyResult, []byte, error) {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return copyPath(t, c, src, dir)
}

func copyPath(t *testing.T, c *Copier, src, dir string) (CopyResult, []byte, error) {
	t.Helper()
	res, err := copyInto(t, c, src, dir)
	if err != nil {
		if _, statErr := os.Lstat(filepath.Join(dir, "dst")); statErr == nil {
			t.Errorf("a failed copy left its file behind")
		}
		return res, nil, err
	}
	got, _ := os.ReadFile(filepath.Join(dir, "dst"))
	return res, got, nil
}

// copyInto copies the file src into dir/dst through c.
func copyInto(t *testing.T, c *Copier, src, dir string) (CopyResult, error) {
	t.Helper()
	sfd, err := unix.Open(src, unix.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(sfd)
	st, _ := Fstat(sfd)
	dfd, _ := OpenRoot(dir)
	defer unix.Close(dfd)
	fd, res, err := c.CopyToNew(sfd, st, dfd, "dst", 0o600, st.Dev, nil)
	if err == nil {
		unix.Close(fd)
	}
	return res, err
}

func payload(n int) []byte { return bytes.Repeat([]byte("treesync!"), n/9+1)[:n] }

func TestCloneRefusalsFallBack(t *testing.T) {
	cases := []struct {
		name      string
		err       error
		wantCache bool // the refusal holds for the device pair
	}{
		{"EXDEV", unix.EXDEV, true},
		{"EOPNOTSUPP", unix.EOPNOTSUPP, true},
		{"ENOTTY", unix.ENOTTY, true},
		{"EINVAL", unix.EINVAL, true},
		{"EPERM (per file)", unix.EPERM, false},
		{"ETXTBSY (per file)", unix.ETXTBSY, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCopier(CopyOptions{})
			f := &fakeCalls{cloneErr: tc.err}
			f.install(c)
			data := payload(100 << 10)
			for i := 0; i < 2; i++ {
				res, got, err := copyOne(t, c, data)
				if err != nil || !bytes.Equal(got, data) || res.Method != MethodKernel {
					t.Fatalf("copy %d: %v, method %v, equal %v", i, err, res.Method, bytes.Equal(got, data))
				}
			}
			if want := map[bool]int32{true: 1, false: 2}[tc.wantCache]; f.clones.Load() != want {
				t.Errorf("clone tried %d times, want %d", f.clones.Load(), want)
			}
		})
	}
}

func TestCloneTerminalErrorsFail(t *testing.T) {
	for _, e := range []error{unix.ENOSPC, unix.EDQUOT} {
		c := NewCopier(CopyOptions{})
		(&fakeCalls{cloneErr: e}).install(c)
		if _, _, err := copyOne(t, c, payload(4096)); !errors.Is(err, e) {
			t.Errorf("clone %v: got %v", e, err)
		}
	}
}

func TestReflinkAlwaysFailsClearly(t *testing.T) {
	c := NewCopier(CopyOptions{Reflink: ReflinkAlways})
	(&fakeCalls{cloneErr: unix.EXDEV}).install(c)
	if _, _, err := copyOne(t, c, payload(4096)); !errors.Is(err, ErrCannotClone) {
		t.Fatalf("got %v, want ErrCannotClone", err)
	}
}

func TestReflinkNeverAndBufferedAvoidKernel(t *testing.T) {
	for _, o := range []CopyOptions{{Reflink: ReflinkNever}, {Method: CopyBuffered}} {
		c := NewCopier(o)
		f := &fakeCalls{}
		f.install(c)
		data := payload(300 << 10)
		res, got, err := copyOne(t, c, data)
		if err != nil || !bytes.Equal(got, data) || res.Method != MethodBuffered {
			t.Fatalf("%+v: %v method %v", o, err, res.Method)
		}
		if f.clones.Load()+f.ranges.Load() != 0 {
			t.Errorf("%+v: kernel calls made: clone %d, copy_file_range %d", o, f.clones.Load(), f.ranges.Load())
		}
	}
}

func TestCopyFileRangeFallbacks(t *testing.T) {
	half := func(call int32, src int, roff *int64, dst int, woff *int64, n int) (int, error) {
		return unix.CopyFileRange(src, roff, dst, woff, max(n/2, 1), 0) // short copies
	}
	cases := []struct {
		name       string
		fn         func(int32, int, *int64, int, *int64, int) (int, error)
		wantMethod Method
		wantErr    error
		cached     bool
	}{
		{"ENOSYS", func(int32, int, *int64, int, *int64, int) (int, error) { return 0, unix.ENOSYS }, MethodBuffered, nil, true},
		{"EXDEV", func(int32, int, *int64, int, *int64, int) (int, error) { return 0, unix.EXDEV }, MethodBuffered, nil, true},
		{"EINVAL", func(int32, int, *int64, int, *int64, int) (int, error) { return 0, unix.EINVAL }, MethodBuffered, nil, false},
		{"first call copies 0", func(int32, int, *int64, int, *int64, int) (int, error) { return 0, nil }, MethodBuffered, nil, false},
		{"short copies", half, MethodKernel, nil, false},
		{"EIO after progress", func(call int32, s int, r *int64, d int, w *int64, n int) (int, error) {
			if call == 1 {
				return half(call, s, r, d, w, n)
			}
			return 0, unix.EIO
		}, MethodBuffered, nil, false},
		{"ENOSPC", func(int32, int, *int64, int, *int64, int) (int, error) { return 0, unix.ENOSPC }, 0, unix.ENOSPC, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCopier(CopyOptions{Method: CopyKernel})
			f := &fakeCalls{rangeFn: tc.fn}
			f.install(c)
			data := payload(1<<20 + 123)
			res, got, err := copyOne(t, c, data)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("got %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil || !bytes.Equal(got, data) || res.Method != tc.wantMethod {
				t.Fatalf("err %v, method %v (want %v), equal %v", err, res.Method, tc.wantMethod, bytes.Equal(got, data))
			}
			before := f.ranges.Load()
			_, _, _ = copyOne(t, c, data)
			if cached := f.ranges.Load() == before; cached != tc.cached {
				t.Errorf("refusal cached = %v, want %v", cached, tc.cached)
			}
		})
	}
}

func TestSparseCopyKeepsHoles(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "sparse")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, off := range []int64{0, 32 << 20, 63 << 20} {
		if _, err := f.WriteAt(payload(64<<10), off); err != nil {
			t.Fatal(err)
		}
	}
	_ = f.Truncate(80 << 20)
	f.Close()
	for _, o := range []CopyOptions{{}, {Method: CopyBuffered}} {
		c := NewCopier(o)
		res, got, err := copyPath(t, c, src, dir)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := os.ReadFile(src)
		if !bytes.Equal(got, want) {
			t.Fatalf("%+v: content differs", o)
		}
		var s1, s2 unix.Stat_t
		_ = unix.Stat(src, &s1)
		_ = unix.Stat(filepath.Join(dir, "dst"), &s2)
		if s2.Blocks > s1.Blocks || res.HoleBytes == 0 {
			t.Errorf("%+v: copy has %d blocks (source %d), holes skipped %d", o, s2.Blocks, s1.Blocks, res.HoleBytes)
		}
		os.Remove(filepath.Join(dir, "dst"))
	}
}

func TestZeroSizeFileWithContentIsRead(t *testing.T) {
	c := NewCopier(CopyOptions{})
	dir := t.TempDir()
	res, got, err := copyPath(t, c, "/proc/self/status", dir)
	if err != nil || len(got) == 0 || !bytes.Contains(got, []byte("Name:")) {
		t.Fatalf("err %v, %d bytes copied (method %v)", err, len(got), res.Method)
	}
}

// TestSparseOptionMakesHoles copies a file written in full (no holes)
// with runs of zeros under -S: each 4 KiB block holding only zeros is
// left unwritten, a block with one byte of data among zeros is written,
// and the contents read back the same.
func TestSparseOptionMakesHoles(t *testing.T) {
	dir := t.TempDir()
	data := make([]byte, 50*holeBlock+1000) // ends in zeros inside a block
	copy(data, payload(2*holeBlock))        // blocks 0 and 1
	copy(data[18*holeBlock+10:], "x")       // one byte in block 18
	src := filepath.Join(dir, "zeros")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, o := range []CopyOptions{{Sparse: true}, {Sparse: true, Method: CopyKernel}, {Sparse: true, Reflink: ReflinkNever}} {
		res, got, err := copyPath(t, NewCopier(o), src, dir)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("%+v: content differs", o)
		}
		var st unix.Stat_t
		_ = unix.Stat(filepath.Join(dir, "dst"), &st)
		if st.Blocks != 3*holeBlock/512 || res.Bytes != 3*holeBlock || res.HoleBytes != int64(len(data))-3*holeBlock {
			t.Errorf("%+v: %d blocks of 512 bytes (want %d), %d bytes written, %d of holes",
				o, st.Blocks, 3*holeBlock/512, res.Bytes, res.HoleBytes)
		}
		os.Remove(filepath.Join(dir, "dst"))
	}
}

func TestPwriteDataWritesOnlyDataBlocks(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := make([]byte, 3*holeBlock)
	p[0], p[len(p)-1] = 1, 2                      // in the first and last blocks, partial ones at offset 100
	for _, off := range []int64{100, holeBlock} { // p not aligned, then aligned
		_ = f.Truncate(0)
		_ = f.Truncate(off + int64(len(p)))
		n, err := pwriteData(int(f.Fd()), p, off)
		got := make([]byte, len(p))
		_, _ = f.ReadAt(got, off)
		if err != nil || !bytes.Equal(got, p) {
			t.Fatalf("off %d: %v, contents differ", off, err)
		}
		// at offset 100, p's first 3,996 bytes and last 100 are in file
		// blocks of their own; aligned, its first and last blocks are whole
		want := map[int64]int{100: holeBlock - 100 + 100, holeBlock: 2 * holeBlock}[off]
		if n != want {
			t.Errorf("off %d: wrote %d bytes, want %d", off, n, want)
		}
	}
}

// --preallocate reserves the file's blocks before its data is written,
// without changing its size; the copy is the same.
func TestPreallocate(t *testing.T) {
	c := NewCopier(CopyOptions{Preallocate: true})
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := c.preallocate(int(f.Fd()), 1<<20); err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	_ = unix.Fstat(int(f.Fd()), &st)
	if st.Size != 0 || st.Blocks < (1<<20)/512 {
		t.Errorf("after preallocating 1 MiB: size %d, %d blocks", st.Size, st.Blocks)
	}
	data := payload(3 << 20)
	_, got, err := copyOne(t, c, data)
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("copy with --preallocate: %v, contents equal %v", err, bytes.Equal(got, data))
	}
}
