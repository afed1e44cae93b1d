// Package tree builds crafted directory trees from Go values and compares
// two trees attribute by attribute, for treesync's end-to-end tests.
//
// Both sides are walked with directory descriptors (openat, fstatat with
// AT_SYMLINK_NOFOLLOW), so symlinks are never followed, names are raw
// bytes, and paths longer than PATH_MAX work. Diff reports every
// difference it finds: presence, type, mode (07777), owner, size,
// content, mtime to the nanosecond, symlink target, device numbers,
// hard-link groups, extended attributes (including POSIX ACLs) and,
// optionally, allocated blocks of sparse files.
package tree
