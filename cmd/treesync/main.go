// Command treesync mirrors directory trees: a parallel, local-first,
// rsync-compatible sync engine. Run `treesync --help` for its options.
package main

import "os"

func main() {
	ctx, stop := watchSignals()
	stopProfiles := startProfiles(os.Stderr)
	code := run(ctx, os.Args, os.Stdout, os.Stderr)
	stopProfiles()
	stop()
	os.Exit(code)
}
