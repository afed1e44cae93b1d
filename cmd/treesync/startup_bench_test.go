package main

import (
	"context"
	"io"
	"testing"
)

// BenchmarkVersion measures the fixed cost of a run: building the CLI
// and parsing the arguments (what every invocation pays before work).
func BenchmarkVersion(b *testing.B) {
	for b.Loop() {
		run(context.Background(), []string{"treesync", "--version"}, io.Discard, io.Discard)
	}
}
