package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfiles starts the CPU profile named by TREESYNC_CPUPROFILE and
// arranges for the heap profile named by TREESYNC_MEMPROFILE; the returned
// function stops and writes them. Environment variables keep these
// developer tools out of the user-facing options.
func startProfiles(stderr io.Writer) func() {
	var stops []func()
	if path := os.Getenv("TREESYNC_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(stderr, "treesync: cpu profile: %v\n", err)
		} else {
			stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
		}
	}
	if path := os.Getenv("TREESYNC_MEMPROFILE"); path != "" {
		stops = append(stops, func() { writeHeapProfile(path, stderr) })
	}
	return func() {
		for _, stop := range stops {
			stop()
		}
	}
}

func writeHeapProfile(path string, stderr io.Writer) {
	f, err := os.Create(path)
	if err == nil {
		runtime.GC()
		err = pprof.WriteHeapProfile(f)
		f.Close()
	}
	if err != nil {
		fmt.Fprintf(stderr, "treesync: memory profile: %v\n", err)
	}
}
