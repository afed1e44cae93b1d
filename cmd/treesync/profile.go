package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
)

// startProfiles starts the CPU profile named by TREESYNC_CPUPROFILE and
// the execution trace named by TREESYNC_TRACE (`go tool trace`), and
// arranges for the heap profile named by TREESYNC_MEMPROFILE; the
// returned function stops and writes them. Environment variables keep
// these developer tools out of the user-facing options.
func startProfiles(stderr io.Writer) func() {
	var stops []func()
	stream := func(env, what string, start func(io.Writer) error, stop func()) {
		path := os.Getenv(env)
		if path == "" {
			return
		}
		f, err := os.Create(path)
		if err == nil {
			if err = start(f); err != nil {
				f.Close()
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "treesync: %s: %v\n", what, err)
			return
		}
		stops = append(stops, func() { stop(); f.Close() })
	}
	stream("TREESYNC_CPUPROFILE", "cpu profile", pprof.StartCPUProfile, pprof.StopCPUProfile)
	stream("TREESYNC_TRACE", "trace", trace.Start, trace.Stop)
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
