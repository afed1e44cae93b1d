// Package e2e holds treesync's end-to-end tests. TestMain builds the real
// binary once and, as root on Linux, mounts a small filesystem matrix
// (XFS with reflink, btrfs, tmpfs, next to the host's own temporary
// directory) on loop devices; the tests run the binary with os/exec on
// each filesystem and compare the trees it leaves, attribute by
// attribute, with the source and with what the real rsync leaves.
//
// Run it with `go test ./e2e/` (as root for the mounts). With CI=true a
// filesystem that cannot be mounted is a test failure; otherwise the
// tests on it are skipped with the reason.
package e2e
