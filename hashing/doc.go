// Package hashing computes the xxhash64 digests treesync uses to compare
// file contents (-c/--checksum, --verify, resuming --partial files).
// XXH64 detects change; it is not a security hash and is never used to
// decide that untrusted data is trusted. Sizes are always compared first.
package hashing
