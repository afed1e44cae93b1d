//go:build !linux

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "bench: the benchmarks need Linux (loop mounts, copy_file_range, wait4 rusage)")
	os.Exit(2)
}
