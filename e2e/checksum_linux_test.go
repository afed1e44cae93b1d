package e2e

import (
	"testing"

	"github.com/treesync/treesync/e2e/tree"
)

// TestChecksumLargeFilesLikeRsync covers -c on files big enough to be
// compared through memory mappings, in more than one window: equal files
// with other times, and same-size, same-time files that differ only in
// their first byte, in the ninth 1 MiB window, or in their last (below
// 32 MiB, so on one lane; hashing's TestEqualWindows covers two).
// rsync must agree on what is transferred and on the resulting tree.
func TestChecksumLargeFilesLikeRsync(t *testing.T) {
	const size = 9<<20 + 123
	data := func(flip int) []byte {
		b := make([]byte, size)
		for i := range b {
			b[i] = byte(i * 7)
		}
		if flip >= 0 {
			b[flip] ^= 1
		}
		return b
	}
	at := tree.At(100, 0)
	source := []tree.Node{
		{Path: "same", Data: data(-1), Mtime: tree.At(300, 0)},
		{Path: "first", Data: data(-1), Mtime: at},
		{Path: "window", Data: data(-1), Mtime: at},
		{Path: "last", Data: data(-1), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	stale := []tree.Node{
		{Path: "same", Data: data(-1), Mtime: at},
		{Path: "first", Data: data(0), Mtime: at},
		{Path: "window", Data: data(8<<20 + 1), Mtime: at},
		{Path: "last", Data: data(size - 1), Mtime: at},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	compareTreesWithRsync(t, []string{"-a", "-c"}, source, stale)
}
