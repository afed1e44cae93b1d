// Package platform is the only package of treesync that talks to the kernel.
//
// Everything here works relative to open directory descriptors (openat,
// fstatat, mkdirat, renameat, unlinkat, ...) and never follows a symlink in
// the last path component, so callers can walk trees deeper than PATH_MAX
// and can never be redirected outside a destination by a planted symlink.
//
// Files are named for the capability they provide and the systems that
// provide it: copy_linux.go (FICLONE, copy_file_range, SEEK_DATA),
// copy_darwin.go (clonefile), copy_other.go (buffered only), stat_unix.go,
// xattr_linux.go, and so on. Windows compiles but reports ErrUnsupported:
// treesync needs directory-descriptor system calls that Windows lacks.
package platform
