//go:build linux

package e2e

import (
	"strings"
	"testing"

	"github.com/treesync/treesync/e2e/tree"
)

// TestRemoveSourceFilesVsRsync runs --remove-source-files as rsync does
// on copies of one source: the source files transferred or found up to
// date go (symlinks and fifos too, directories stay), those left out
// (-u newer at the destination, --max-size, --existing, excluded, a dry
// run) stay; names of one file in several directories are linked at the
// destination even when the other names left the source before their
// directory was listed (-H, directories listed three names at a time).
func TestRemoveSourceFilesVsRsync(t *testing.T) {
	at := tree.At(100, 0)
	source := []tree.Node{
		{Path: "new", Data: []byte("new"), Mtime: at}, {Path: "same", Data: []byte("same"), Mtime: at},
		{Path: "newer", Data: []byte("older"), Mtime: at}, {Path: "big", Data: make([]byte, 3000), Mtime: at},
		{Path: "l", Kind: tree.Symlink, Target: "new", Mtime: at}, {Path: "p", Kind: tree.Fifo, Mtime: at},
		{Path: "skip.o", Data: []byte("excluded"), Mtime: at},
		{Path: "a", Kind: tree.Dir, Mtime: at}, {Path: "a/h1", Data: []byte("linked"), Mtime: at},
		{Path: "b", Kind: tree.Dir, Mtime: at}, {Path: "b/x1", Data: []byte("x"), Mtime: at}, {Path: "b/x2", Data: []byte("y"), Mtime: at},
		{Path: "b/x3", Data: []byte("z"), Mtime: at}, {Path: "b/z", Kind: tree.Hardlink, Target: "a/h1"},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	stale := []tree.Node{
		{Path: "same", Data: []byte("same"), Mtime: at}, {Path: "newer", Data: []byte("newer!"), Mtime: tree.At(200, 0)},
		{Path: ".", Kind: tree.Dir, Mtime: at},
	}
	t.Setenv("TREESYNC_LIST_WINDOW", "3")
	for _, opts := range [][]string{{"-a"}, {"-aH"}, {"-aHu", "--max-size=2000", "--exclude=*.o"},
		{"-a", "--existing"}, {"-an"}, {"-ac"}, {"-aL"}} {
		t.Run(strings.Join(opts, " "), func(t *testing.T) {
			compareTreesWithRsync(t, append(opts, "--remove-source-files"), source, stale)
		})
	}
}
