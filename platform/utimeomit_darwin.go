//go:build darwin

package platform

// utimeOmit is UTIME_OMIT from macOS's <sys/stat.h>; x/sys lacks it there.
const utimeOmit = -2
