//go:build linux

package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/treesync/treesync/platform"
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
	// apart are tools timed after the others rather than alternated with
	// them: rsync writing a 1 GiB copy left the page cache and the disk
	// busy for the millisecond-long reflink and sparse runs after it (on
	// an XFS image, a 1 GiB write then sync before each run: treesync
	// 9.0 ms, cp 8.8, against 2.8 and 1.5 without it).
	apart []string
}

func (w workload) onFS(fs string) bool { return slices.Contains(w.fss, fs) }

func workloads() []workload {
	all := []string{"host", "ext4", "xfs", "btrfs"}
	peers := []string{"treesync", "cp", "rsync", "rclone"}
	sync := []string{"treesync", "rsync", "rclone"}
	return []workload{
		{name: "mirror-gosrc", corpus: "gosrc", fss: all, tools: peers, mode: "mirror"},
		{name: "noop-gosrc", corpus: "gosrc", fss: all, tools: sync, mode: "noop"},
		// Before mirror-small, whose runs delete 1.2M inodes on the host
		// disk: its ext4 has no journal, and such an ext4 skips inodes
		// freed in the last minutes when it allocates (find_inode_bit,
		// recently_deleted), which was 28% of treesync's samples in a
		// build-cache run right after mirror-small (396 vs 620 ms
		// against rsync, 270 vs 588 without mirror-small before it).
		{name: "cache-1pct", corpus: "cache", fss: []string{"host", "ext4"}, tools: sync, mode: "cache"},
		{name: "mirror-small", corpus: "small", fss: []string{"host", "ext4", "xfs"}, tools: peers, mode: "mirror"},
		{name: "noop-gosrc-cold", corpus: "gosrc", fss: []string{"ext4"}, tools: sync, mode: "noop", extra: []string{"cold"}},
		{name: "noop-small", corpus: "small", fss: []string{"host", "xfs"}, tools: sync, mode: "noop"},
		{name: "checksum-noop-gosrc", corpus: "gosrc", fss: []string{"host", "ext4"}, tools: []string{"treesync", "rsync"}, mode: "noop", extra: []string{"-c"}},
		{name: "checksum-noop-big", corpus: "big", fss: []string{"host"}, tools: []string{"treesync", "rsync"}, mode: "noop", extra: []string{"-c"}},
		{name: "big-1g", corpus: "big", fss: []string{"xfs", "btrfs", "host"}, tools: []string{"treesync", "cp", "rsync"}, mode: "mirror", apart: []string{"rsync"}},
		{name: "noop-2m", corpus: "huge", fss: []string{"host"}, tools: []string{"treesync", "rsync"}, mode: "noop"},
		// Memory follows a directory's width: 200,000 names in one.
		{name: "noop-wide", corpus: "wide", fss: []string{"host"}, tools: []string{"treesync", "rsync"}, mode: "noop"},
		{name: "sparse-2g", corpus: "sparse", fss: []string{"host", "ext4"}, tools: []string{"treesync", "cp", "rsync"}, mode: "mirror", extra: []string{"sparse"}, apart: []string{"rsync"}},
		// The issue measured cp ≈ 22 ms for its sparse file; with 1 MiB
		// extents cp takes 2-3 ms here, mostly its start. Three 24 MiB
		// extents bring cp to the figure and time the copy itself.
		{name: "sparse-2g-wide", corpus: "sparse-wide", fss: []string{"host", "ext4"}, tools: []string{"treesync", "cp", "rsync"}, mode: "mirror", extra: []string{"sparse"}, apart: []string{"rsync"}},
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

func hasExtra(w workload, x string) bool { return slices.Contains(w.extra, x) }

// prepare puts dst in the state the workload starts from (untimed) and
// flushes dirty data so that no run pays for the writeback of another.
// With rereadSrc it also reads the source's data back into the page
// cache: rclone drops the cache of what it read (fadvise), which left the
// tool after it a cold source. A "cold" workload instead starts every
// run with nothing cached (page cache, dentries, inodes), as a nightly
// job meets a tree it has not seen all day.
func prepare(c config, w workload, src, dst string, rereadSrc bool) error {
	err := reset(c, w, src, dst)
	syscall.Sync()
	switch {
	case err != nil:
	case hasExtra(w, "cold"):
		err = os.WriteFile("/proc/sys/vm/drop_caches", []byte("3\n"), 0)
	case rereadSrc:
		err = warm(src)
	}
	return err
}

// warm reads the data of every regular file under root: only its data
// extents, as a sparse-aware copy reads it. Reading the 2 GiB sparse
// file's holes filled 2 GiB of page cache with zeros, and every process
// started right after ran slowly (Go hello world 9 ms instead of 1.2).
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
		return readData(f, buf)
	})
}

// readData reads f's data extents.
func readData(f *os.File, buf []byte) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	err = platform.DataExtents(int(f.Fd()), st.Size(), func(start, end int64) error {
		_, err := io.CopyBuffer(io.Discard, io.NewSectionReader(f, start, end-start), buf)
		return err
	})
	if err != nil {
		return fmt.Errorf("read %s: %w", f.Name(), err)
	}
	return nil
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
	var res []result
	for _, group := range toolGroups(c, w) {
		r, err := timeTools(c, w, fs, src, group)
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench: prepare %s: %v\n", w.name, err)
			return nil
		}
		res = append(res, r...)
	}
	for i := range res {
		res[i].note = afterNote(w, filepath.Join(fs.root, "dst-"+res[i].tool))
		printResult(res[i], res)
	}
	return res
}

// toolGroups splits w's available tools into those alternated run by run
// and, after them, each of w.apart on its own.
func toolGroups(c config, w workload) [][]string {
	var alternated []string
	var groups [][]string
	for _, t := range w.tools {
		if !c.tools[t] || !available(t) {
			continue
		}
		if slices.Contains(w.apart, t) {
			groups = append(groups, []string{t})
		} else {
			alternated = append(alternated, t)
		}
	}
	return append([][]string{alternated}, groups...)
}

// timeTools times tools on w, their order rotating run by run after one
// untimed warm-up run each, which measures peak RSS.
func timeTools(c config, w workload, fs *filesystem, src string, tools []string) ([]result, error) {
	res := make([]result, len(tools))
	for i, t := range tools {
		res[i] = result{workload: w.name, fs: fs.name, tool: t}
	}
	reread := slices.Contains(tools, "rclone") // it drops the cache of what it read
	for run := -1; run < runsOf(c, w); run++ { // run -1 warms the cache
		for k := range tools {
			i := (k + max(run, 0)) % len(tools)
			dst := filepath.Join(fs.root, "dst-"+tools[i])
			if err := prepare(c, w, src, dst, reread || (run < 0 && k == 0)); err != nil {
				return nil, err
			}
			argv := command(c, w, tools[i], src, dst)
			if run < 0 {
				res[i].maxRSS = measureRSS(argv) // the warm-up run
				continue
			}
			res[i].add(measure(argv))
		}
	}
	return res, nil
}

// runsOf is the number of timed runs of w per tool: five times -runs for
// the one-file corpora, whose runs take milliseconds and whose medians
// move with every start of a process.
func runsOf(c config, w workload) int {
	if w.corpus == "big" || strings.HasPrefix(w.corpus, "sparse") {
		return 5 * c.runs
	}
	return c.runs
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
