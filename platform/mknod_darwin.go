//go:build darwin

package platform

// Mknodat is unsupported: x/sys offers no mknodat on macOS, and a
// path-based mknod could be redirected by a planted symlink.
func Mknodat(int, string, uint32, uint64) error { return ErrUnsupported }
