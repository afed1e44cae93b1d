//go:build unix && !linux

package platform

// RenameNoReplace renames oldName in olddirfd to newName in newdirfd,
// failing with EEXIST when newName exists (checked first: these systems
// lack an atomic form in x/sys).
func RenameNoReplace(olddirfd int, oldName string, newdirfd int, newName string) error {
	return renameIfAbsent(olddirfd, oldName, newdirfd, newName)
}

// RenameExchange reports ErrUnsupported: these systems lack an atomic
// exchange in x/sys.
func RenameExchange(int, string, int, string) error { return ErrUnsupported }
