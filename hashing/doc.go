// Package hashing compares file contents: byte by byte where both sides
// are at hand (-c/--checksum), and by xxhash64 digest where one side is
// kept as a digest (resuming --partial files).
// XXH64 detects change; it is not a security hash and is never used to
// decide that untrusted data is trusted. Sizes are always compared first.
package hashing
