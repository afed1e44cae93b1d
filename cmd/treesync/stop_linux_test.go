package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/treesync/treesync/executor"
	"github.com/treesync/treesync/planner"
)

func TestStopDeadline(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 30, 0, 0, time.Local)
	for _, c := range []struct {
		after int
		at    string
		want  time.Time
	}{
		{90, "", now.Add(90 * time.Minute)},
		{0, "2026-12-02T03:04", time.Date(2026, 12, 2, 3, 4, 0, 0, time.Local)},
		{0, "12-01T11:00", time.Date(2026, 12, 1, 11, 0, 0, 0, time.Local)},
		{0, "01-05T08:00", time.Date(2027, 1, 5, 8, 0, 0, 0, time.Local)}, // next year's
		{0, "09:15", time.Date(2026, 12, 2, 9, 15, 0, 0, time.Local)},     // tomorrow's
		{0, "", time.Time{}},
	} {
		got, err := stopDeadline(c.after, c.at, now)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("stopDeadline(%d, %q) = %v, %v; want %v", c.after, c.at, got, err, c.want)
		}
	}
	for _, bad := range []string{"+5", "2025-01-01T00:00", "25:00"} {
		if _, err := stopDeadline(0, bad, now); err == nil {
			t.Errorf("--stop-at=%s accepted", bad)
		}
	}
	if _, err := stopDeadline(5, "09:15", now); err == nil {
		t.Error("--stop-after with --stop-at accepted")
	}
}

// A run still going at its --stop-at/--stop-after time stops with exit
// 30 (here one waiting for a destination lock held elsewhere).
func TestRunStopsAtDeadline(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "f"), []byte("f"), 0o644); err != nil {
		t.Fatal(err)
	}
	fd, err := syscall.Open(dst, syscall.O_RDONLY|syscall.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if err := syscall.Flock(fd, syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	ex := executor.New(executor.Options{Policy: planner.Policy{Recursive: true}, LockWait: time.Minute,
		Log: zerolog.New(zerolog.SyncWriter(&bytes.Buffer{}))})
	var stderr bytes.Buffer
	res := runWatched(context.Background(), ex, 0, time.Now().Add(300*time.Millisecond), []string{src + "/"}, dst, &stderr)
	if res.ExitCode != executor.ExitTimeout || !strings.Contains(stderr.String(), "stopping at requested limit") {
		t.Errorf("exit %d, stderr %q", res.ExitCode, stderr.String())
	}
}
