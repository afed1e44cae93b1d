// Command bench times treesync against cp -a, rsync -a and rclone sync on
// the workloads of issue #7, on the host filesystem and, as root, on ext4,
// XFS (reflink) and btrfs images mounted on loop devices. It alternates
// the tools run by run on a warm cache, and reports medians, min–max,
// peak RSS (GNU time, package "time", on the untimed warm-up run) and
// treesync/peer ratios, as text and as a markdown table (-out). It is a
// benchmark, not a test: nothing here asserts a time.
//
//	make bench                                   # everything, full size
//	go run ./e2e/bench -scale 0.05 -runs 3       # a quick look
//	go run ./e2e/bench -workloads noop-small -fs host
package main
