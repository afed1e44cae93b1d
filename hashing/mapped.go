package hashing

import (
	"bytes"
	"errors"
	"fmt"
	"runtime/debug"
)

// ErrReadFault reports a mapped page that could not be read: its file
// shrank while it was compared, or the read failed (an I/O error).
var ErrReadFault = errors.New("read fault: the file shrank or could not be read while compared")

// EqualMapped compares two memory-mapped files. Reading a mapping past
// its file's end faults, as does a page the disk fails to read; such a
// fault becomes ErrReadFault instead of ending the process.
func EqualMapped(a, b []byte) (same bool, err error) {
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
