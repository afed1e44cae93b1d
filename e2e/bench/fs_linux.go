//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// filesystem is where one set of corpora and copies lives.
type filesystem struct {
	name, root, mountpoint string
}

// mountAll prepares the host directory and, as root, ext4, XFS
// (reflink=1) and btrfs images on loop devices (sparse files: no space
// until written). The ext4 image is steadier than a shared host disk.
func mountAll(c config) ([]*filesystem, error) {
	var out []*filesystem
	for _, name := range c.filesystems {
		dir := filepath.Join(c.work, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		if name == "host" {
			out = append(out, &filesystem{name: name, root: dir})
			continue
		}
		if os.Geteuid() != 0 {
			fmt.Printf("note: %s skipped (needs root for a loop mount)\n", name)
			continue
		}
		fs, err := mountImage(c.work, name, dir)
		if err != nil {
			unmountAll(out)
			return nil, err
		}
		out = append(out, fs)
	}
	return out, nil
}

func mountImage(work, name, dir string) (*filesystem, error) {
	_ = exec.Command("umount", "-l", dir).Run() // a crashed earlier run's mount
	img := filepath.Join(work, name+".img")
	_ = os.Remove(img)
	mkfs := map[string][]string{
		"ext4":  {"mkfs.ext4", "-q", "-F", "-i", "8192"}, // inodes for 1M small files
		"xfs":   {"mkfs.xfs", "-q", "-f", "-m", "reflink=1"},
		"btrfs": {"mkfs.btrfs", "-q", "-f"},
	}[name]
	if mkfs == nil {
		return nil, fmt.Errorf("unknown filesystem %q", name)
	}
	steps := [][]string{{"truncate", "-s", "12G", img}, append(mkfs, img), {"mount", "-o", "loop", img, dir}}
	for _, argv := range steps {
		if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("%s: %v: %s", strings.Join(argv, " "), err, out)
		}
	}
	return &filesystem{name: name, root: dir, mountpoint: dir}, nil
}

// unmountAll unmounts the images and removes them.
func unmountAll(fss []*filesystem) {
	for _, fs := range fss {
		if fs.mountpoint == "" {
			continue
		}
		_ = exec.Command("umount", fs.mountpoint).Run()
		_ = os.Remove(fs.mountpoint + ".img")
		fs.mountpoint = ""
	}
}
