package hashing

import (
	"bytes"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/treesync/treesync/platform"
)

// ErrReadFault reports a mapped page that could not be read: its file
// shrank while it was compared, or the read failed (an I/O error).
var ErrReadFault = errors.New("read fault: the file shrank or could not be read while compared")

// equalMapping compares two memory-mapped files. Reading a mapping past
// its file's end faults, as does a page the disk fails to read; such a
// fault becomes ErrReadFault instead of ending the process.
func equalMapping(a, b []byte) (same bool, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if fault, ok := r.(interface{ Addr() uintptr }); ok {
			same, err = false, fmt.Errorf("%w: fault at %#x", ErrReadFault, fault.Addr())
			return
		}
		panic(r)
	}()
	return bytes.Equal(a, b), nil
}

// mapMin is the size from which -c compares files through mappings,
// mapWindow how much of each it maps at once (mapped page-cache pages
// count in peak RSS, which so stays flat in file size). Go tree, -c
// no-op on an ext4 image, alternating runs, medians: reading everything
// 178 ms; mapping whole files from 1 MiB (23 files, half the bytes) 170,
// from 256 KiB 171, from 64 KiB 194. Windows, 50 runs: none 168 ms,
// 1 MiB 161 (peak RSS 12.6 → 14.7 MB), 2 MiB 161 (20 MB), 8 MiB as
// good in another run (39 MB). The Go source tree alone (8 files over
// 1 MiB): no change within noise (60 runs). One 1 GiB file on the host:
// reading 390 ms, mapped 309, mapped and split in two lanes from
// splitMin 208 (rsync -c 519).
const (
	mapMin    = 1 << 20
	mapWindow = 1 << 20
	splitMin  = 32 << 20
)

// equalMapped compares two files of size bytes through read-only mappings:
// the page cache is read in place, where Equal copies it into buffers
// first. It declines (handled false) when either file's size is not size
// now or the files cannot be mapped, leaving them to Equal.
func equalMapped(src, dst int, size int64, add func(int64)) (same, handled bool, err error) {
	for _, fd := range []int{src, dst} {
		if st, err := platform.Fstat(fd); err != nil || st.Size != size {
			return false, false, nil
		}
	}
	same, mapped, err := equalWindow(src, dst, 0, int(min(mapWindow, size)))
	if !mapped {
		return false, false, nil
	}
	if err == nil && same {
		add(min(mapWindow, size))
	}
	if err != nil || !same || size <= mapWindow {
		return same, true, err
	}
	lanes := int64(1)
	if size >= splitMin {
		lanes = 2
	}
	same, err = equalWindows(src, dst, mapWindow, size, lanes, add)
	return same, true, err
}

// equalWindows compares the windows of src and dst from off to size on
// lanes goroutines, each taking every lanes-th window: one file's
// comparison is bound by memory reads, which two cores do faster. All
// stop at the first difference or error.
func equalWindows(src, dst int, off, size, lanes int64, add func(int64)) (bool, error) {
	var differs atomic.Bool
	errs := make([]error, lanes)
	var wg sync.WaitGroup
	for lane := range lanes {
		wg.Go(func() {
			for o := off + lane*mapWindow; o < size && !differs.Load(); o += lanes * mapWindow {
				same, _, err := equalWindow(src, dst, o, int(min(mapWindow, size-o)))
				if err != nil || !same {
					errs[lane] = err
					differs.Store(true)
				}
				add(min(mapWindow, size-o))
			}
		})
	}
	wg.Wait()
	err := errors.Join(errs...)
	return !differs.Load(), err
}

// equalWindow compares n bytes at off of src and dst; mapped is false when
// either could not be mapped (err says why).
func equalWindow(src, dst int, off int64, n int) (same, mapped bool, err error) {
	ms, err := platform.MapFile(src, off, n)
	if err != nil {
		return false, false, err
	}
	defer platform.UnmapFile(ms)
	md, err := platform.MapFile(dst, off, n)
	if err != nil {
		return false, false, err
	}
	defer platform.UnmapFile(md)
	same, err = equalMapping(ms, md)
	return same, true, err
}
