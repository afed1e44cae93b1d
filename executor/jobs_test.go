package executor

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rs/zerolog"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
)

// The copy workers are -j's count, else what the destination favours,
// else DefaultJobs; Result reports the count.
func TestJobs(t *testing.T) {
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "f"), []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, jobs := range []int{0, 1, 3} {
		dst := filepath.Join(t.TempDir(), "dst")
		ex := New(Options{Policy: planner.Policy{Recursive: true}, Jobs: jobs,
			Log: zerolog.New(zerolog.SyncWriter(&bytes.Buffer{}))})
		res := ex.Run(context.Background(), []string{src + "/"}, dst)
		if res.ExitCode != ExitOK {
			t.Fatalf("-j %d: exit %d %v", jobs, res.ExitCode, res.Errors)
		}
		want := jobs
		if jobs == 0 {
			want = DefaultJobs
			if fs, _ := platform.FSType(dst); fs == "btrfs" {
				want = 2
			}
		}
		if res.Jobs != want {
			t.Errorf("-j %d: %d copy workers, want %d", jobs, res.Jobs, want)
		}
	}
}
