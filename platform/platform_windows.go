//go:build windows

package platform

import (
	"io"
	"os"
)

// treesync needs directory-descriptor system calls (openat, fstatat,
// renameat, ...) that Windows does not offer. Everything here compiles so
// the rest of the code base builds for Windows, and reports ErrUnsupported.

const (
	// CurrentDir stands for the working directory in the *At calls.
	CurrentDir = -100
	// OmitTime leaves a time unchanged in Futimes and LutimesAt.
	OmitTime            = -1 << 62
	reflinkByDescriptor = false
)

func OpenRoot(string) (int, error)                     { return -1, ErrUnsupported }
func OpenDirAt(int, string) (int, error)               { return -1, ErrUnsupported }
func OpenDirSearchAt(int, string, bool) (int, error)   { return -1, ErrUnsupported }
func OpenFileAt(int, string) (int, error)              { return -1, ErrUnsupported }
func OpenFileWriteAt(int, string) (int, error)         { return -1, ErrUnsupported }
func OpenForMeta(int, string) (int, error)             { return -1, ErrUnsupported }
func CreateExcl(int, string, uint32) (int, error)      { return -1, ErrUnsupported }
func Close(int) error                                  { return nil }
func ReadDirNames(int, []byte) ([]string, error)       { return nil, ErrUnsupported }
func Lstatat(int, string) (Stat, error)                { return Stat{}, ErrUnsupported }
func Statat(int, string) (Stat, error)                 { return Stat{}, ErrUnsupported }
func Fstat(int) (Stat, error)                          { return Stat{}, ErrUnsupported }
func Readlinkat(int, string) (string, error)           { return "", ErrUnsupported }
func Mkdirat(int, string, uint32) error                { return ErrUnsupported }
func Symlinkat(string, int, string) error              { return ErrUnsupported }
func Linkat(int, string, int, string) error            { return ErrUnsupported }
func Renameat(int, string, int, string) error          { return ErrUnsupported }
func RenameNoReplace(int, string, int, string) error   { return ErrUnsupported }
func RenameExchange(int, string, int, string) error    { return ErrUnsupported }
func Unlinkat(int, string) error                       { return ErrUnsupported }
func Rmdirat(int, string) error                        { return ErrUnsupported }
func Mknodat(int, string, uint32, uint64) error        { return ErrUnsupported }
func Fchmod(int, uint32) error                         { return ErrUnsupported }
func Lchmodat(int, string, uint32) error               { return ErrUnsupported }
func Fchown(int, int, int) error                       { return ErrUnsupported }
func Lchownat(int, string, int, int) error             { return ErrUnsupported }
func Futimes(int, int64, int64) error                  { return ErrUnsupported }
func LutimesAt(int, string, int64, int64) error        { return ErrUnsupported }
func Fsync(int) error                                  { return ErrUnsupported }
func Ftruncate(int, int64) error                       { return ErrUnsupported }
func Flock(int, bool) error                            { return ErrUnsupported }
func ReopenDir(int) (int, error)                       { return -1, ErrUnsupported }
func Geteuid() int                                     { return -1 }
func Groups() []uint32                                 { return nil }
func SetIDs(int, int, []int) error                     { return ErrUnsupported }
func Mkdev(uint32, uint32) uint64                      { return 0 }
func DevNumbers(uint64) (uint32, uint32)               { return 0, 0 }
func WriteAllAt(int, []byte, int64) error              { return ErrUnsupported }
func SeekSize(int) (int64, error)                      { return 0, ErrUnsupported }
func Umask() uint32                                    { return 0o022 }
func pread(int, []byte, int64) (int, error)            { return 0, ErrUnsupported }
func pwriteAll(int, []byte, int64) error               { return ErrUnsupported }
func writeAll(int, []byte) error                       { return ErrUnsupported }
func seekSet(int, int64) error                         { return ErrUnsupported }
func OpenDeviceWriteAt(int, string, bool) (int, error) { return -1, ErrUnsupported }
func defaultKernelCalls() kernelCalls                  { return kernelCalls{} }

func (c *Copier) copyKernel(*pairCaps, int, int, int64, int64, <-chan struct{}) (int64, bool, error) {
	return 0, false, nil
}

func (c *Copier) cloneNew(*pairCaps, int, Stat, int, string, uint32) (int, CopyResult, bool, error) {
	return -1, CopyResult{}, false, nil
}

func (c *Copier) copyData(*pairCaps, int, int, Stat, <-chan struct{}) (CopyResult, error) {
	return CopyResult{}, ErrUnsupported
}

// FdReader reads an open descriptor at offsets (io.ReaderAt).
type FdReader int

// ReadAt always fails on Windows.
func (FdReader) ReadAt([]byte, int64) (int, error) { return 0, io.ErrUnexpectedEOF }

func OpenBeneath(int, string) (int, error)             { return -1, ErrUnsupported }
func OpenFollowing(int, string) (int, error)           { return -1, ErrUnsupported }
func OpenDirFollowAt(int, string) (int, error)         { return -1, ErrUnsupported }
func OpenFileFollowAt(int, string) (int, error)        { return -1, ErrUnsupported }
func MkdirAllBeneath(int, string, uint32) (int, error) { return -1, ErrUnsupported }
func ReadFileAt(int, string) ([]byte, error)           { return nil, ErrUnsupported }
func OpenRWAt(int, string) (int, error)                { return -1, ErrUnsupported }

func MapFile(int, int64, int) ([]byte, error) { return nil, ErrUnsupported }
func UnmapFile([]byte) error                  { return ErrUnsupported }

func OpenTrusted(string, int, uint32) (int, error)          { return -1, ErrUnsupported }
func OpenDirTrusted(string) (int, error)                    { return -1, ErrUnsupported }
func OpenFileTrusted(string, int, uint32) (*os.File, error) { return nil, ErrUnsupported }
func CheckTrusted(string) error                             { return nil }
