//go:build unix && !darwin

package platform

import "golang.org/x/sys/unix"

const utimeOmit = unix.UTIME_OMIT
