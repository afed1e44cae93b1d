// Package hashing compares file contents for -c/--checksum and for
// checking the kept prefix of a --partial file before resuming it. Both
// sides are always local, so it compares their bytes in chunks rather
// than hashing each side: xxhash64 digests of both, the first design,
// measured slower (CompareSize). Large files are compared through
// memory mappings (EqualFiles), which read the page cache in place.
// Sizes are always compared first.
package hashing
