package filter

import (
	"io"
	"os"
	"path/filepath"
)

// ReadOSFile reads a merge or *-from file by path; "-" reads standard
// input. It is a ready-made Options.ReadFile.
func ReadOSFile(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(name)
}

// DirReader returns a ReadFunc for Enter that reads names relative to
// the directory dir on the local file system.
func DirReader(dir string) ReadFunc {
	return func(name string) ([]byte, error) {
		return os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	}
}

// FromEnvironment fills the -C inputs of opts from $HOME/.cvsignore and
// $CVSIGNORE, and sets ReadFile to ReadOSFile when it is nil.
func FromEnvironment(opts Options) Options {
	if opts.ReadFile == nil {
		opts.ReadFile = ReadOSFile
	}
	if home, err := os.UserHomeDir(); err == nil {
		if data, err := os.ReadFile(filepath.Join(home, ".cvsignore")); err == nil {
			opts.CVSIgnoreHome = string(data)
		}
	}
	opts.CVSIgnoreEnv = os.Getenv("CVSIGNORE")
	return opts
}
