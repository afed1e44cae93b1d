// Command treesync mirrors directory trees: a parallel, local-first,
// rsync-compatible sync engine. Run `treesync --help` for its options.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	stopProfiles := startProfiles(os.Stderr)
	code := run(ctx, os.Args, os.Stdout, os.Stderr)
	stopProfiles()
	stop()
	os.Exit(code)
}
