package executor

import (
	"os"
	"strconv"
)

// filepathFromFd reads the path of an open descriptor from /proc.
func filepathFromFd(fd int) (string, error) {
	return os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
}
