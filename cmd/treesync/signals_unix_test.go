//go:build unix

package main

import (
	"syscall"
	"testing"
	"time"
)

// Once signalsReady returns, a SIGHUP cancels the context rather than
// ending the process.
func TestWatchSignals(t *testing.T) {
	ctx, stop := watchSignals()
	defer stop()
	signalsReady(ctx)
	if ctx.Err() != nil {
		t.Fatal("cancelled before any signal")
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("SIGHUP did not cancel the context")
	}
}
