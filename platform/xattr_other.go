//go:build !linux

package platform

// XattrsSupported reports that treesync does not handle extended
// attributes on this system yet.
const XattrsSupported = false

// Xattr is one extended attribute.
type Xattr struct {
	Name  string
	Value []byte
}

// ListXattrs returns no attributes.
func ListXattrs(int, string) ([]Xattr, error) { return nil, nil }

// ListXattrsFollow returns no attributes.
func ListXattrsFollow(int, string) ([]Xattr, error) { return nil, nil }

// GetXattr returns no attribute.
func GetXattr(int, string, string) ([]byte, error) { return nil, nil }

// SetXattr is unsupported here.
func SetXattr(int, string, Xattr) error { return ErrUnsupported }

// RemoveXattr is unsupported here.
func RemoveXattr(int, string, string) error { return ErrUnsupported }
