package executor

import (
	"io"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/treesync/treesync/platform"
)

// fault makes operation op fail with err on entries named name.
type fault struct {
	op   string
	name string
	err  error
}

// faultFS wraps the real kernel and injects faults by operation and name;
// shortWrite makes CopyToNew write half of the named file, then fail.
type faultFS struct {
	kernelFS
	faults []fault
	mu     sync.Mutex
	hits   int
}

func (f *faultFS) hit(op, name string) error {
	for _, x := range f.faults {
		if x.op == op && (x.name == "*" || x.name == filepath.Base(name)) {
			f.mu.Lock()
			f.hits++
			f.mu.Unlock()
			return x.err
		}
	}
	return nil
}

// errShortWrite asks CopyToNew to stop half way, as a short write does.
var errShortWrite = io.ErrShortWrite

func (f *faultFS) CopyToNew(src int, st platform.Stat, dirfd int, name string, perm uint32, dev uint64, done <-chan struct{}) (int, platform.CopyResult, error) {
	srcName := f.srcName(src)
	if err := f.hit("copy", srcName); err != nil {
		if err == errShortWrite {
			return f.shortWrite(src, st, dirfd, name, perm, dev, done)
		}
		return -1, platform.CopyResult{}, err
	}
	return f.kernelFS.CopyToNew(src, st, dirfd, name, perm, dev, done)
}

// shortWrite really creates the temporary with half the data, then fails
// the way CopyToNew fails: it removes what it made.
func (f *faultFS) shortWrite(src int, st platform.Stat, dirfd int, name string, perm uint32, dev uint64, done <-chan struct{}) (int, platform.CopyResult, error) {
	fd, res, err := f.kernelFS.CopyToNew(src, st, dirfd, name, perm, dev, done)
	if err != nil {
		return fd, res, err
	}
	_ = platform.Ftruncate(fd, st.Size/2)
	_ = platform.Close(fd)
	_ = platform.Unlinkat(dirfd, name)
	return -1, platform.CopyResult{}, errShortWrite
}

// CopyToUnnamed fails as CopyToNew does; a short write copies, then
// drops the unnamed file.
func (f *faultFS) CopyToUnnamed(src int, st platform.Stat, dirfd int, perm uint32, dev uint64, done <-chan struct{}) (int, platform.CopyResult, bool, error) {
	if err := f.hit("copy", f.srcName(src)); err != nil {
		if err == errShortWrite {
			fd, res, handled, cerr := f.kernelFS.CopyToUnnamed(src, st, dirfd, perm, dev, done)
			if !handled || cerr != nil {
				return fd, res, handled, cerr
			}
			_ = platform.Close(fd)
		}
		return -1, platform.CopyResult{}, true, err
	}
	return f.kernelFS.CopyToUnnamed(src, st, dirfd, perm, dev, done)
}

// LinkUnnamed is where a new file gets its name: faults on "rename".
func (f *faultFS) LinkUnnamed(fd, d int, n string) error {
	if err := f.hit("rename", n); err != nil {
		return err
	}
	return f.kernelFS.LinkUnnamed(fd, d, n)
}

// srcName recovers the source file's name from its descriptor.
func (f *faultFS) srcName(fd int) string {
	p, err := filepathFromFd(fd)
	if err != nil {
		return ""
	}
	return filepath.Base(p)
}

func (f *faultFS) OpenFileAt(d int, n string) (int, error) {
	if err := f.hit("open", n); err != nil {
		return -1, err
	}
	return f.kernelFS.OpenFileAt(d, n)
}

func (f *faultFS) Renameat(od int, on string, nd int, nn string) error {
	if err := f.hit("rename", nn); err != nil {
		return err
	}
	return f.kernelFS.Renameat(od, on, nd, nn)
}

func (f *faultFS) RenameNoReplace(d int, o string, nd int, n string) error {
	if err := f.hit("rename", n); err != nil {
		return err
	}
	return f.kernelFS.RenameNoReplace(d, o, nd, n)
}

func (f *faultFS) Unlinkat(d int, n string) error {
	if err := f.hit("unlink", n); err != nil {
		return err
	}
	return f.kernelFS.Unlinkat(d, n)
}

func (f *faultFS) Mkdirat(d int, n string, p uint32) error {
	if err := f.hit("mkdir", n); err != nil {
		return err
	}
	return f.kernelFS.Mkdirat(d, n, p)
}

func (f *faultFS) Fchmod(fd int, m uint32) error {
	if err := f.hit("chmod", f.srcName(fd)); err != nil {
		return err
	}
	return f.kernelFS.Fchmod(fd, m)
}

var (
	eio    = syscall.EIO
	enospc = syscall.ENOSPC
	eacces = syscall.EACCES
	exdev  = syscall.EXDEV
	enoent = syscall.ENOENT
	eperm  = syscall.EPERM
)
