package hashing

import (
	"bytes"
	"errors"
	"fmt"
	"runtime/debug"
)

// ErrChanged reports a file that shrank while it was compared.
var ErrChanged = errors.New("file changed while compared")

// EqualMapped compares two memory-mapped files. Reading a mapping past
// its file's end faults; that fault (a file truncated meanwhile) becomes
// ErrChanged instead of ending the process.
func EqualMapped(a, b []byte) (same bool, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if fault, ok := r.(interface{ Addr() uintptr }); ok {
			same, err = false, fmt.Errorf("%w: fault at %#x", ErrChanged, fault.Addr())
			return
		}
		panic(r)
	}()
	return bytes.Equal(a, b), nil
}
