//go:build unix && !linux

package platform

// RenameNoReplace renames oldName to newName inside dirfd, failing with
// EEXIST when newName exists (checked first: these systems lack an
// atomic form in x/sys).
func RenameNoReplace(dirfd int, oldName, newName string) error {
	return renameIfAbsent(dirfd, oldName, newName)
}
