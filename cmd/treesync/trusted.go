package main

import (
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/treesync/treesync/filter"
	"github.com/treesync/treesync/platform"
)

// openOperatorFile opens a file the command line names (--log-file,
// --json-changes, a rules file), following a symlink on its path only
// when root or the running user owns it, as rsync 3.5 does: a log
// written as root cannot be redirected over another file by a symlink
// someone else planted. --insecure-links follows any.
func openOperatorFile(c *cli.Context, path string, flags int, perm os.FileMode) (*os.File, error) {
	if c.Bool("insecure-links") {
		return os.OpenFile(path, flags, perm)
	}
	return platform.OpenFileTrusted(path, flags, uint32(perm))
}

// operatorReader reads --files-from, --exclude-from, --include-from and
// merge files ("-": standard input) as openOperatorFile opens them.
func operatorReader(c *cli.Context) func(name string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		if name == "-" {
			return filter.ReadOSFile(name)
		}
		f, err := openOperatorFile(c, name, os.O_RDONLY, 0)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return io.ReadAll(f)
	}
}
