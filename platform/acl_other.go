//go:build !linux

package platform

// DefaultACLPerms reports no default ACL: treesync reads POSIX ACLs on
// Linux only, and new entries get the permissions the umask leaves.
func DefaultACLPerms(int) (uint32, bool) { return 0, false }
