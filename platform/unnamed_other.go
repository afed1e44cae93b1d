//go:build !linux

package platform

// unnamedFavoured: only Linux has O_TMPFILE.
func unnamedFavoured(int) bool { return false }

// createUnnamed: only Linux has O_TMPFILE.
func createUnnamed(int, uint32) (int, bool, error) { return -1, false, nil }

// LinkUnnamed: only Linux has O_TMPFILE.
func LinkUnnamed(int, int, string) error { return ErrUnsupported }
