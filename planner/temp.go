package planner

import "strconv"

const (
	tempPrefix = ".treesync."
	tempSuffix = ".tmp"
	tempDigits = 16
)

// TempName returns the name of the temporary file a copy is written to
// before it is renamed into place: ".treesync.<16 hex digits>.tmp". It is
// short enough for any filesystem whatever the final name.
func TempName(random uint64) string {
	h := strconv.FormatUint(random, 16)
	for len(h) < tempDigits {
		h = "0" + h
	}
	return tempPrefix + h + tempSuffix
}

// IsTempName reports whether name has the form TempName makes, so that a
// later run can remove what an interrupted one left behind.
func IsTempName(name string) bool {
	if len(name) != len(tempPrefix)+tempDigits+len(tempSuffix) ||
		name[:len(tempPrefix)] != tempPrefix || name[len(name)-len(tempSuffix):] != tempSuffix {
		return false
	}
	for _, c := range []byte(name[len(tempPrefix) : len(tempPrefix)+tempDigits]) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
