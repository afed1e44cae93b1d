package filter

// Split combines two chains entered from different sides: Sender decides
// Excluded (its dir-merge files read from the source), Receiver decides
// Protected (read from the destination, as rsync's receiver does).
type Split struct {
	Sender, Receiver *Rules
}

// Excluded reports whether the sender leaves path out of the transfer.
func (s Split) Excluded(path string, isDir bool) bool { return s.Sender.Excluded(path, isDir) }

// Protected reports whether a destination entry must survive --delete.
func (s Split) Protected(path string, isDir bool) bool { return s.Receiver.Protected(path, isDir) }
