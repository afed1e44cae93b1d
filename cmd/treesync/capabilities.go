package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/treesync/treesync/platform"
)

// --capabilities SRC DST: what the two filesystems support and how
// treesync would copy between them. It never writes into SRC: the
// probes create (and remove) temporary files in DST only.

// capReport is the outcome of the probes.
type capReport struct {
	src, dst         string // the directories probed
	srcFS, dstFS     string
	srcDev, dstDev   uint64
	sameFS           bool
	reflink, kernel  error // in DST
	kernelPair       error // from a file of SRC into DST (nil when untested)
	kernelPairTested bool
	sparse, xattr    error
	acl              error
	mtime            string
	method           string
}

// probeDir returns the directory to probe for path: path itself, its
// parent for a file, or its nearest existing ancestor when it does not
// exist yet (the destination is created by the run).
func probeDir(path string) (string, error) {
	p := filepath.Clean(path)
	for {
		st, err := os.Stat(p)
		if err == nil && st.IsDir() {
			return p, nil
		}
		if err == nil {
			return filepath.Dir(p), nil
		}
		if !errors.Is(err, os.ErrNotExist) || filepath.Dir(p) == p {
			return "", fmt.Errorf("stat %s: %w", p, err)
		}
		p = filepath.Dir(p)
	}
}

func deviceOf(dir string) (uint64, error) {
	fd, err := platform.OpenRoot(dir)
	if err != nil {
		return 0, err
	}
	defer platform.Close(fd)
	st, err := platform.Fstat(fd)
	if err != nil {
		return 0, fmt.Errorf("fstat %s: %w", dir, err)
	}
	return st.Dev, nil
}

// firstSourceFile returns a non-empty regular file directly in dir, or "".
func firstSourceFile(dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		if info, err := e.Info(); err == nil && info.Size() > 0 {
			return filepath.Join(dir, e.Name())
		}
	}
	return ""
}
