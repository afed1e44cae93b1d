package executor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rs/zerolog"

	"github.com/treesync/treesync/planner"
)

// BenchmarkSync measures a full mirror of 2,000 small files and a no-op
// resync of them, for several copy-worker counts.
func BenchmarkSync(b *testing.B) {
	src := b.TempDir()
	for d := range 20 {
		dir := filepath.Join(src, fmt.Sprintf("d%02d", d))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		for f := range 100 {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%03d", f)), []byte("data"), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	pol := planner.Policy{Recursive: true, Links: true, Perms: true, Times: true, Delete: true}
	for _, jobs := range []int{1, 2, 4, 8} {
		run := func(dst string) *Result {
			ex := New(Options{Policy: pol, Jobs: jobs, Log: zerolog.Nop()})
			return ex.Run(context.Background(), []string{src + "/"}, dst)
		}
		b.Run(fmt.Sprintf("mirror/jobs=%d", jobs), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				dst := filepath.Join(b.TempDir(), "dst")
				b.StartTimer()
				if r := run(dst); r.ExitCode != 0 {
					b.Fatalf("exit %d: %v", r.ExitCode, r.Errors)
				}
			}
		})
		b.Run(fmt.Sprintf("noop/jobs=%d", jobs), func(b *testing.B) {
			dst := filepath.Join(b.TempDir(), "dst")
			run(dst)
			b.ReportAllocs()
			for b.Loop() {
				if r := run(dst); r.ExitCode != 0 {
					b.Fatalf("exit %d", r.ExitCode)
				}
			}
		})
	}
}
