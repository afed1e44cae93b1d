package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"sync"
)

// stderrAll reads --stderr (rsync's mode, which may be shortened to any
// prefix of errors, all or client): all sends the human output (itemize,
// -v, --stats, progress, listings) to stderr with the errors. errors and
// client keep it on stdout: a local copy has no remote side whose
// messages the two differ on.
func stderrAll(mode string) (bool, error) {
	if mode == "" {
		return false, nil // not given
	}
	for _, m := range []string{"errors", "all", "client"} {
		if strings.HasPrefix(m, mode) {
			return m == "all", nil
		}
	}
	return false, fmt.Errorf("--stderr mode %q is not one of errors, all, or client", mode)
}

// outbufBlock reads --outbuf: N(one)/U(nbuffered) and L(ine) write each
// line as it comes (as treesync does anyway), B(lock)/F(ull) in 64 KiB
// blocks; the first letter decides, in either case, as in rsync.
func outbufBlock(mode string) (bool, error) {
	if mode == "" {
		return false, nil
	}
	switch mode[0] | 0x20 {
	case 'n', 'u', 'l':
		return false, nil
	case 'b', 'f':
		return true, nil
	}
	return false, fmt.Errorf("invalid --outbuf setting %q: specify N, L, or B", mode)
}

// blockWriter buffers writes in blocks for --outbuf=B; the executor's
// workers, the listers and the progress line all write to it.
type blockWriter struct {
	mu sync.Mutex
	b  *bufio.Writer
}

func newBlockWriter(w io.Writer) *blockWriter {
	return &blockWriter{b: bufio.NewWriterSize(w, 64<<10)}
}

func (w *blockWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *blockWriter) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Flush()
}
