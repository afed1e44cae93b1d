//go:build !linux

package platform

// OpenBeneathFollow is OpenBeneath here: no symlink on the way is
// followed.
func OpenBeneathFollow(rootFd int, rel string) (int, error) { return OpenBeneath(rootFd, rel) }
