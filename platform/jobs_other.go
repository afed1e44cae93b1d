//go:build !linux

package platform

// FavouredJobs returns 0: no filesystem preference is known here.
func FavouredJobs(int, []int) int { return 0 }
