//go:build linux

package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// corpus returns the directory of corpus name on fs, building it once
// (a marker file records the scale it was built at).
func corpus(c config, fs *filesystem, name string) (string, error) {
	dir := filepath.Join(fs.root, "corpus-"+name)
	marker := dir + ".done"
	want := fmt.Sprintf("%g", c.scale)
	if got, err := os.ReadFile(marker); err == nil && string(got) == want {
		return dir, nil
	}
	_ = os.RemoveAll(dir)
	fmt.Printf("preparing corpus %s on %s...\n", name, fs.name)
	if err := buildCorpus(c, name, dir); err != nil {
		return "", fmt.Errorf("corpus %s: %w", name, err)
	}
	return dir, os.WriteFile(marker, []byte(want), 0o644)
}

func buildCorpus(c config, name, dir string) error {
	switch name {
	case "gosrc":
		return exec.Command("cp", "-a", filepath.Join(runtime.GOROOT(), "src"), dir).Run()
	case "small":
		return smallFiles(dir, int(200000*c.scale), 400, 1, 4096)
	case "huge":
		return smallFiles(dir, int(2000000*c.scale), 4000, 3, 0)
	case "wide":
		return smallFiles(dir, int(200000*c.scale), 1, 4, 0)
	case "cache":
		return buildCache(dir, int(100000*c.scale))
	case "big":
		return randomFile(filepath.Join(dir, "big"), c.scaled(1<<30))
	case "sparse":
		return sparseFile(filepath.Join(dir, "sparse"), c.scaled(2<<30), c.scaled(1<<20))
	case "sparse-wide":
		return sparseFile(filepath.Join(dir, "sparse"), c.scaled(2<<30), c.scaled(24<<20))
	}
	return fmt.Errorf("unknown corpus")
}

// scaled is n bytes at the corpora's scale. A sparse file's extents
// shrink with it, so that a small-scale file still has its holes.
func (c config) scaled(n int64) int64 { return int64(float64(n) * c.scale) }

// smallFiles writes n files of 0 to maxSize bytes spread over dirs
// directories.
func smallFiles(dir string, n, dirs int, seed uint64, maxSize int) error {
	r := rand.New(rand.NewPCG(seed, 7))
	buf := make([]byte, maxSize)
	for i := range n {
		d := filepath.Join(dir, fmt.Sprintf("d%03d", i%dirs))
		if i < dirs {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return err
			}
		}
		size := r.IntN(maxSize + 1)
		for j := 0; j < size; j += 8 {
			v := r.Uint64()
			for k := 0; k < 8 && j+k < size; k++ {
				buf[j+k] = byte(v >> (8 * k))
			}
		}
		if err := os.WriteFile(filepath.Join(d, fmt.Sprintf("f%06d", i)), buf[:size], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// buildCache makes old/ (n files) and new/: a copy with 1% of the files
// changed and 0.5% added, as a build cache after a small change.
func buildCache(dir string, n int) error {
	old, cur := filepath.Join(dir, "old"), filepath.Join(dir, "new")
	if err := smallFiles(old, n, max(n/250, 1), 2, 4096); err != nil {
		return err
	}
	if err := exec.Command("cp", "-a", old, cur).Run(); err != nil {
		return err
	}
	for i := 0; i < n; i += 100 { // 1% changed: new content and mtime
		p := filepath.Join(cur, fmt.Sprintf("d%03d", i%max(n/250, 1)), fmt.Sprintf("f%06d", i))
		if err := os.WriteFile(p, []byte(strings.Repeat("changed ", 64)), 0o644); err != nil {
			return err
		}
	}
	for i := 0; i < n/200; i++ { // 0.5% added
		p := filepath.Join(cur, fmt.Sprintf("d%03d", i%max(n/250, 1)), fmt.Sprintf("new%06d", i))
		if err := os.WriteFile(p, []byte("added"), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func randomFile(path string, size int64) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := rand.New(rand.NewPCG(3, 3))
	buf := make([]byte, 1<<20)
	for off := int64(0); off < size; off += int64(len(buf)) {
		for i := 0; i < len(buf); i += 8 {
			v := r.Uint64()
			for k := range 8 {
				buf[i+k] = byte(v >> (8 * k))
			}
		}
		if _, err := f.Write(buf[:min(int64(len(buf)), size-off)]); err != nil {
			return err
		}
	}
	return nil
}

// sparseFile makes a file of the given size with three data extents of
// extent bytes: at the start, in the middle and at the end.
func sparseFile(path string, size, extent int64) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	data := []byte(strings.Repeat("sparse data extent ", int(extent)/19+1))[:extent]
	for _, off := range []int64{0, size / 2, size - extent} {
		if _, err := f.WriteAt(data, off); err != nil {
			return err
		}
	}
	return nil
}
