//go:build !linux

package platform

import "time"

// The --capabilities probes are implemented on Linux only.

// FSType returns the name of the filesystem holding path.
func FSType(string) (string, error) { return "", ErrUnsupported }

// ProbeReflink reports whether the filesystem of dir clones files.
func ProbeReflink(string) error { return ErrUnsupported }

// ProbeCopyRange reports whether copy_file_range works into dir.
func ProbeCopyRange(string, string) error { return ErrUnsupported }

// ProbeSparse reports whether the filesystem of dir reports holes.
func ProbeSparse(string) error { return ErrUnsupported }

// ProbeXattr reports whether user.* extended attributes can be set in dir.
func ProbeXattr(string) error { return ErrUnsupported }

// ProbeACL reports whether POSIX ACLs can be set in dir.
func ProbeACL(string) error { return ErrUnsupported }

// ProbeMtimePrecision returns the finest mtime step kept in dir.
func ProbeMtimePrecision(string) (time.Duration, error) { return 0, ErrUnsupported }
