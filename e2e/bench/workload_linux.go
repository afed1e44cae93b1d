//go:build linux

package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
)

// tool is one command under comparison; args gets the source directory
// (trailing slash added by the tool's own convention) and the destination.
type tool struct {
	name string
	args func(c config, src, dst string) []string
}

// workload is one benchmark: a corpus, where it runs, which tools, and
// what to do (untimed) before each timed run.
type workload struct {
	name, corpus string
	fss          []string
	tools        []string
	mode         string // mirror: fresh destination; noop: up to date; cache: 1% changed
	extra        []string
}

func (w workload) onFS(fs string) bool {
	for _, f := range w.fss {
		if f == fs {
			return true
		}
	}
	return false
}

func workloads() []workload {
	all := []string{"host", "ext4", "xfs", "btrfs"}
	peers := []string{"treesync", "cp", "rsync", "rclone"}
	sync := []string{"treesync", "rsync", "rclone"}
	return []workload{
		{name: "mirror-gosrc", corpus: "gosrc", fss: all, tools: peers, mode: "mirror"},
		{name: "noop-gosrc", corpus: "gosrc", fss: all, tools: sync, mode: "noop"},
		{name: "mirror-small", corpus: "small", fss: []string{"host", "ext4", "xfs"}, tools: peers, mode: "mirror"},
		{name: "noop-small", corpus: "small", fss: []string{"host", "xfs"}, tools: sync, mode: "noop"},
		{name: "cache-1pct", corpus: "cache", fss: []string{"host", "ext4"}, tools: sync, mode: "cache"},
		{name: "checksum-noop-gosrc", corpus: "gosrc", fss: []string{"host", "ext4"}, tools: []string{"treesync", "rsync"}, mode: "noop", extra: []string{"-c"}},
		{name: "checksum-noop-big", corpus: "big", fss: []string{"host"}, tools: []string{"treesync", "rsync"}, mode: "noop", extra: []string{"-c"}},
		{name: "big-1g", corpus: "big", fss: []string{"xfs", "btrfs", "host"}, tools: []string{"treesync", "cp", "rsync"}, mode: "mirror"},
		{name: "noop-2m", corpus: "huge", fss: []string{"host"}, tools: []string{"treesync", "rsync"}, mode: "noop"},
		{name: "sparse-2g", corpus: "sparse", fss: []string{"host", "ext4"}, tools: []string{"treesync", "cp", "rsync"}, mode: "mirror", extra: []string{"sparse"}},
	}
}

// command returns argv for a tool syncing src into dst.
func command(c config, w workload, name, src, dst string) []string {
	del := w.mode != "mirror"
	switch name {
	case "treesync":
		argv := []string{c.bin, "-a", "--stats"}
		if del {
			argv = append(argv, "--delete")
		}
		if c.jobs > 0 {
			argv = append(argv, "-j", strconv.Itoa(c.jobs))
		}
		if hasExtra(w, "-c") {
			argv = append(argv, "-c")
		}
		return append(argv, src+"/", dst+"/")
	case "cp":
		return []string{"cp", "-a", src + "/.", dst}
	case "rsync":
		argv := []string{"rsync", "-a"}
		if del {
			argv = append(argv, "--delete")
		}
		if hasExtra(w, "-c") {
			argv = append(argv, "-c")
		}
		if hasExtra(w, "sparse") {
			argv = append(argv, "-S")
		}
		return append(argv, src+"/", dst+"/")
	case "rclone":
		return []string{"rclone", "sync", "--links", src, dst}
	}
	return nil
}

func hasExtra(w workload, x string) bool {
	for _, e := range w.extra {
		if e == x {
			return true
		}
	}
	return false
}

// prepare puts dst in the state the workload starts from (untimed),
// flushes dirty data so that no run pays for the writeback of another,
// and reads the source back into the page cache: rclone drops the cache
// of what it read (fadvise), which left the tool after it a cold source.
func prepare(c config, w workload, src, dst string) error {
	err := reset(c, w, src, dst)
	syscall.Sync()
	if err == nil {
		err = warm(src)
	}
	return err
}

// warm reads every regular file under root.
func warm(root string) error {
	buf := make([]byte, 1<<20)
	return filepath.WalkDir(root, func(p string, de os.DirEntry, err error) error {
		if err != nil || !de.Type().IsRegular() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.CopyBuffer(io.Discard, f, buf)
		return err
	})
}

func reset(c config, w workload, src, dst string) error {
	switch w.mode {
	case "mirror":
		return os.RemoveAll(dst)
	case "noop":
		_, err := exec.Command(c.bin, "-a", "--delete", src+"/", dst+"/").CombinedOutput()
		return err
	case "cache":
		_, err := exec.Command(c.bin, "-a", "--delete", filepath.Join(filepath.Dir(src), "old")+"/", dst+"/").CombinedOutput()
		return err
	}
	return fmt.Errorf("unknown mode %q", w.mode)
}

// runWorkload times every tool of w on fs, alternating their order run
// by run after one untimed warm-up run each, which measures peak RSS.
func runWorkload(c config, w workload, fs *filesystem) []result {
	src, err := corpus(c, fs, w.corpus)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return nil
	}
	if w.mode == "cache" {
		src = filepath.Join(src, "new")
	}
	var tools []string
	for _, t := range w.tools {
		if c.tools[t] && available(t) {
			tools = append(tools, t)
		}
	}
	res := make([]result, len(tools))
	for i, t := range tools {
		res[i] = result{workload: w.name, fs: fs.name, tool: t}
	}
	for run := -1; run < c.runs; run++ { // run -1 warms the cache
		for k := range tools {
			i := (k + max(run, 0)) % len(tools)
			dst := filepath.Join(fs.root, "dst-"+tools[i])
			if err := prepare(c, w, src, dst); err != nil {
				fmt.Fprintf(os.Stderr, "bench: prepare %s: %v\n", w.name, err)
				return nil
			}
			argv := command(c, w, tools[i], src, dst)
			if run < 0 {
				res[i].maxRSS = measureRSS(argv) // the warm-up run
				continue
			}
			res[i].add(measure(argv))
		}
	}
	for i := range res {
		res[i].note = afterNote(w, filepath.Join(fs.root, "dst-"+res[i].tool))
		printResult(res[i], res)
	}
	return res
}

func available(tool string) bool {
	if tool == "treesync" {
		return true
	}
	_, err := exec.LookPath(tool)
	return err == nil
}

// afterNote records what a copy looks like: the allocated size of the
// sparse copy.
func afterNote(w workload, dst string) string {
	if !hasExtra(w, "sparse") {
		return ""
	}
	st, err := os.Stat(filepath.Join(dst, "sparse"))
	if err != nil {
		return ""
	}
	return fmt.Sprintf("allocated %d MiB", blocks(st)*512>>20)
}
