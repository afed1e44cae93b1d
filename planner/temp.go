package planner

import "strconv"

const (
	tempPrefix = ".treesync."
	tempDigits = 8
	// The form before 2026-11-30, ".treesync.<16 hex digits>.tmp": still
	// recognised, so that what an older run left behind is removed.
	legacyDigits = 16
	legacySuffix = ".tmp"
)

// TempName returns the name of the temporary file a copy is written to
// before it is renamed into place: ".treesync.<8 hex digits>" from the low
// 32 bits of random. It is short because a long one costs: XFS keeps a
// small directory's entries inside its inode, and a 31-byte temporary
// name pushed directories out of that form and back on every file (Go
// tree onto XFS, hyperfine, 12 runs: 31 bytes 333 ms, 18 bytes 307 ms, 16
// bytes 295 ms, cp -a 298 ms). A clash with a live temporary fails the
// create (O_EXCL), and the caller draws another name.
func TempName(random uint64) string {
	h := strconv.FormatUint(random&0xffffffff, 16)
	for len(h) < tempDigits {
		h = "0" + h
	}
	return tempPrefix + h
}

// IsTempName reports whether name has the form TempName makes (or made
// before), so that a later run can remove what an interrupted one left
// behind.
func IsTempName(name string) bool {
	return hasTempForm(name, tempDigits, "") || hasTempForm(name, legacyDigits, legacySuffix)
}

// hasTempForm reports whether name is tempPrefix, digits lowercase hex
// digits and suffix.
func hasTempForm(name string, digits int, suffix string) bool {
	if len(name) != len(tempPrefix)+digits+len(suffix) ||
		name[:len(tempPrefix)] != tempPrefix || name[len(name)-len(suffix):] != suffix {
		return false
	}
	for _, c := range []byte(name[len(tempPrefix) : len(tempPrefix)+digits]) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
