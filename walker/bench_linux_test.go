package walker

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
)

// benchTree makes dirs directories of files empty files each, twice (a
// source and an identical destination).
func benchTree(b *testing.B, dirs, files int) (string, string) {
	b.Helper()
	root := b.TempDir()
	for _, side := range []string{"src", "dst"} {
		for d := range dirs {
			dir := filepath.Join(root, side, fmt.Sprintf("d%03d", d))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				b.Fatal(err)
			}
			for f := range files {
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%04d", f)), nil, 0o644); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	return filepath.Join(root, "src"), filepath.Join(root, "dst")
}

// BenchmarkWalkNoop walks both trees in lockstep and plans every
// directory, as a no-op resync does; it reports time and allocations per
// entry for several lister counts.
func BenchmarkWalkNoop(b *testing.B) {
	src, dst := benchTree(b, 50, 100)
	entries := 50 * 101
	for _, workers := range []int{1, 2, 4, 8} {
		b.Run(fmt.Sprintf("listers=%d", workers), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				walkOnce(b, src, dst, workers)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*entries), "ns/entry")
		})
	}
}

func walkOnce(b *testing.B, src, dst string, workers int) {
	sfd, err := platform.OpenRoot(src)
	if err != nil {
		b.Fatal(err)
	}
	dfd, err := platform.OpenRoot(dst)
	if err != nil {
		b.Fatal(err)
	}
	pol := planner.Policy{Recursive: true, Times: true, Perms: true}
	Walk(context.Background(), Root{SrcFd: sfd, DstFd: dfd}, Options{Workers: workers},
		func(_ context.Context, p *Pair) []*Dir {
			plan := planner.PlanDir(p.Dir.Path, &p.Src, &p.Dst, pol)
			kids := make([]*Dir, 0, len(plan.Subdirs))
			for _, a := range plan.Subdirs {
				kids = append(kids, p.Dir.Child(a))
			}
			return kids
		})
}
