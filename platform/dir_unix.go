//go:build unix

package platform

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// CurrentDir stands for the working directory in the *At calls.
const CurrentDir = unix.AT_FDCWD

const (
	openDirFlags  = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC
	nofollowFlags = unix.O_NOFOLLOW | unix.O_CLOEXEC
)

// OpenRoot opens a directory named by an ordinary path, following
// symlinks (a root given by the user may be reached through one).
func OpenRoot(path string) (int, error) {
	fd, err := openNoatime(CurrentDir, path, openDirFlags)
	if err != nil {
		return -1, fmt.Errorf("open directory %s: %w", path, err)
	}
	return fd, nil
}

// OpenDirAt opens the directory name inside dirfd without following a
// symlink: a symlink where a directory is expected fails with ENOTDIR or ELOOP.
func OpenDirAt(dirfd int, name string) (int, error) {
	return openNoatime(dirfd, name, openDirFlags|unix.O_NOFOLLOW)
}

// OpenFileAt opens the regular file name inside dirfd for reading, never
// through a symlink, and refuses to block on a fifo.
func OpenFileAt(dirfd int, name string) (int, error) {
	return openNoatime(dirfd, name, unix.O_RDONLY|unix.O_NONBLOCK|nofollowFlags)
}

// OpenFileWriteAt opens the existing regular file name inside dirfd for
// writing and reading (--inplace, --append), never through a symlink nor
// into a fifo.
func OpenFileWriteAt(dirfd int, name string) (int, error) {
	return retry(func() (int, error) { return openat(dirfd, name, unix.O_RDWR|unix.O_NONBLOCK|nofollowFlags, 0) })
}

// OpenDeviceWriteAt opens the device name inside dirfd for writing its
// data (--write-devices), and reading when it may (--append-verify),
// never through a symlink. The open does not wait (for a terminal's
// carrier, say); the writes do. On Linux a block device (block, as the
// caller listed it) is opened exclusively: one that is mounted or
// otherwise in use is refused (EBUSY), where a write would corrupt a
// live filesystem.
func OpenDeviceWriteAt(dirfd int, name string, block bool) (int, error) {
	flags := unix.O_NONBLOCK | nofollowFlags
	if block {
		flags |= exclusiveDevice
	}
	fd, err := retry(func() (int, error) { return openat(dirfd, name, unix.O_RDWR|flags, 0) })
	if errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM) {
		fd, err = retry(func() (int, error) { return openat(dirfd, name, unix.O_WRONLY|flags, 0) })
	}
	if errors.Is(err, unix.EBUSY) {
		return -1, fmt.Errorf("%w (mounted or in use)", err)
	}
	if err != nil {
		return -1, err
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFL, 0); err != nil {
		_ = unix.Close(fd)
		return -1, fmt.Errorf("clear O_NONBLOCK: %w", err)
	}
	return fd, nil
}

// openNoatime opens name inside dirfd for reading without updating its
// access time where the kernel allows that (O_NOATIME needs ownership or
// CAP_FOWNER: refused with EPERM, it opens without). Reading a source
// then leaves its access times as they were — what -U copies — and a
// directory listed every night is not rewritten for its atime each time.
func openNoatime(dirfd int, name string, flags int) (int, error) {
	fd, err := retry(func() (int, error) { return openat(dirfd, name, flags|noatime, 0) })
	if errors.Is(err, unix.EPERM) && noatime != 0 {
		fd, err = retry(func() (int, error) { return openat(dirfd, name, flags, 0) })
	}
	return fd, err
}

// OpenForMeta opens name inside dirfd without following a symlink, for
// changing the mode, owner or times of a file or directory through its
// descriptor.
func OpenForMeta(dirfd int, name string) (int, error) {
	return retry(func() (int, error) {
		return openat(dirfd, name, unix.O_RDONLY|unix.O_NONBLOCK|nofollowFlags, 0)
	})
}

// CreateExcl creates a new file name inside dirfd, failing if it exists.
func CreateExcl(dirfd int, name string, perm uint32) (int, error) {
	return retry(func() (int, error) {
		return openat(dirfd, name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|nofollowFlags, perm)
	})
}

// Close closes fd, ignoring EINTR as the kernel has released it anyway.
func Close(fd int) error {
	if fd < 0 {
		return nil
	}
	if err := unix.Close(fd); err != nil && !errors.Is(err, unix.EINTR) {
		return err
	}
	return nil
}

// ReadDirNames lists the names in the open directory fd (without "." and
// ".."), sorted bytewise, reading on from fd's offset: all of them from a
// descriptor just opened (one listed again is reopened first, ReopenDir).
// buf is scratch space for getdents; it is reused.
func ReadDirNames(fd int, buf []byte) ([]string, error) {
	var names []string
	for {
		n, err := unix.ReadDirent(fd, buf)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			break
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
	}
	sort.Strings(names)
	return names, nil
}

// Lstatat stats name inside dirfd without following a symlink.
func Lstatat(dirfd int, name string) (Stat, error) {
	var st unix.Stat_t
	err := retryErr(func() error { return fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW) })
	if err != nil {
		return Stat{}, err
	}
	return fromUnix(&st), nil
}

// Statat stats name inside dirfd, following a symlink.
func Statat(dirfd int, name string) (Stat, error) {
	var st unix.Stat_t
	if err := retryErr(func() error { return fstatat(dirfd, name, &st, 0) }); err != nil {
		return Stat{}, err
	}
	return fromUnix(&st), nil
}

// Fstat stats an open descriptor.
func Fstat(fd int) (Stat, error) {
	var st unix.Stat_t
	if err := retryErr(func() error { return unix.Fstat(fd, &st) }); err != nil {
		return Stat{}, err
	}
	return fromUnix(&st), nil
}

// Readlinkat returns the target of the symlink name inside dirfd.
func Readlinkat(dirfd int, name string) (string, error) {
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlinkat(dirfd, name, buf)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return "", err
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}

// Mkdirat creates directory name inside dirfd.
func Mkdirat(dirfd int, name string, perm uint32) error {
	return retryErr(func() error { return unix.Mkdirat(dirfd, name, perm) })
}

// Symlinkat creates a symlink name inside dirfd pointing at target.
func Symlinkat(target string, dirfd int, name string) error {
	return retryErr(func() error { return unix.Symlinkat(target, dirfd, name) })
}

// Linkat makes newName inside newDirfd a hard link to oldName inside
// oldDirfd (never following a symlink).
func Linkat(oldDirfd int, oldName string, newDirfd int, newName string) error {
	return retryErr(func() error { return unix.Linkat(oldDirfd, oldName, newDirfd, newName, 0) })
}

// Renameat renames oldName in oldDirfd to newName in newDirfd, replacing
// a non-directory at the new name atomically.
func Renameat(oldDirfd int, oldName string, newDirfd int, newName string) error {
	return retryErr(func() error { return unix.Renameat(oldDirfd, oldName, newDirfd, newName) })
}

// Unlinkat removes the non-directory name inside dirfd.
func Unlinkat(dirfd int, name string) error {
	return retryErr(func() error { return unix.Unlinkat(dirfd, name, 0) })
}

// Rmdirat removes the empty directory name inside dirfd.
func Rmdirat(dirfd int, name string) error {
	return retryErr(func() error { return unix.Unlinkat(dirfd, name, unix.AT_REMOVEDIR) })
}

// Fchmod sets the permission bits (including setuid, setgid, sticky) of fd.
func Fchmod(fd int, mode uint32) error {
	err := retryErr(func() error { return unix.Fchmod(fd, mode&ModePerm) })
	if errors.Is(err, unix.EBADF) {
		return chmodSearchFd(fd, mode) // (OpenDirSearchAt's)
	}
	return err
}

// Fchown sets the owner and group of fd; -1 leaves one unchanged.
func Fchown(fd int, uid, gid int) error {
	err := retryErr(func() error { return unix.Fchown(fd, uid, gid) })
	if errors.Is(err, unix.EBADF) {
		return chownSearchFd(fd, uid, gid) // (OpenDirSearchAt's)
	}
	return err
}

// Lchownat sets owner and group of name inside dirfd without following a symlink.
func Lchownat(dirfd int, name string, uid, gid int) error {
	return retryErr(func() error { return unix.Fchownat(dirfd, name, uid, gid, unix.AT_SYMLINK_NOFOLLOW) })
}

// OmitTime leaves a time unchanged in Futimes and LutimesAt.
const OmitTime = -1 << 62

func timespecs(atime, mtime int64) []unix.Timespec {
	ts := []unix.Timespec{unix.NsecToTimespec(atime), unix.NsecToTimespec(mtime)}
	for i, t := range []int64{atime, mtime} {
		if t == OmitTime {
			ts[i] = unix.Timespec{Nsec: utimeOmit}
		}
	}
	return ts
}

// LutimesAt sets the times (ns) of name inside dirfd, not following a symlink.
func LutimesAt(dirfd int, name string, atime, mtime int64) error {
	ts := timespecs(atime, mtime)
	return retryErr(func() error { return unix.UtimesNanoAt(dirfd, name, ts, unix.AT_SYMLINK_NOFOLLOW) })
}

// Fsync flushes fd to stable storage.
func Fsync(fd int) error { return retryErr(func() error { return unix.Fsync(fd) }) }

// Ftruncate sets the size of fd.
func Ftruncate(fd int, size int64) error {
	return retryErr(func() error { return unix.Ftruncate(fd, size) })
}

// Flock takes an exclusive advisory lock on fd; with wait false it fails
// at once with EWOULDBLOCK when another process holds it.
func Flock(fd int, wait bool) error {
	how := unix.LOCK_EX
	if !wait {
		how |= unix.LOCK_NB
	}
	return retryErr(func() error { return unix.Flock(fd, how) })
}

// Geteuid returns the effective user id.
func Geteuid() int { return unix.Geteuid() }

// Mkdev makes a device number of its major and minor numbers.
func Mkdev(major, minor uint32) uint64 { return uint64(unix.Mkdev(major, minor)) }

// DevNumbers returns the major and minor numbers of a device number.
func DevNumbers(rdev uint64) (major, minor uint32) {
	return uint32(unix.Major(uint64(rdev))), uint32(unix.Minor(uint64(rdev)))
}

// Groups returns the groups the process may give its files: the
// effective group and the supplementary ones.
func Groups() []uint32 {
	gids := []uint32{uint32(unix.Getegid())}
	more, _ := unix.Getgroups()
	for _, g := range more {
		gids = append(gids, uint32(g))
	}
	return gids
}

// Umask returns the process umask without changing it for long.
func Umask() uint32 {
	old := unix.Umask(0o022)
	unix.Umask(old)
	return uint32(old)
}

func retry(f func() (int, error)) (int, error) {
	for {
		fd, err := f()
		if !errors.Is(err, unix.EINTR) {
			return fd, err
		}
	}
}

func retryErr(f func() error) error {
	for {
		if err := f(); !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// ReopenDir opens the directory fd refers to once more (-1 stays -1): a
// descriptor of its own, whose listing starts at the beginning whatever
// was read through fd, as a dup's would not (it shares fd's offset).
func ReopenDir(fd int) (int, error) {
	if fd < 0 {
		return -1, nil
	}
	nfd, err := openNoatime(fd, ".", openDirFlags)
	if errors.Is(err, unix.EACCES) {
		return OpenDirSearchAt(fd, ".", true) // (one OpenDirSearchAt opened)
	}
	return nfd, err
}

func renameIfAbsent(olddirfd int, oldName string, newdirfd int, newName string) error {
	if _, err := Lstatat(newdirfd, newName); err == nil {
		return unix.EEXIST
	} else if !errors.Is(err, unix.ENOENT) {
		return err
	}
	return Renameat(olddirfd, oldName, newdirfd, newName)
}

// FdReader reads an open descriptor at offsets (io.ReaderAt).
type FdReader int

// ReadAt implements io.ReaderAt with pread.
func (f FdReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := pread(int(f), p, off)
	if err == nil && n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	return n, err
}

// OpenBeneath opens the directory at the "/"-separated relative path below
// rootFd one component at a time, never following a symlink, so the
// result is always inside the root (and paths beyond PATH_MAX work).
func OpenBeneath(rootFd int, rel string) (int, error) {
	return walkBeneath(rootFd, rel, nil, OpenDirAt)
}

// OpenFollowing opens the directory at rel below rootFd one component at
// a time as OpenBeneath does, but following symlinks to directories, as
// -K has the destination's walk follow them.
func OpenFollowing(rootFd int, rel string) (int, error) {
	return walkBeneath(rootFd, rel, nil, OpenDirFollowAt)
}

// MkdirAllBeneath opens the directory at rel below rootFd, creating the
// missing components (mode perm), never following a symlink.
func MkdirAllBeneath(rootFd int, rel string, perm uint32) (int, error) {
	return walkBeneath(rootFd, rel, func(fd int, name string) error {
		if err := Mkdirat(fd, name, perm); err != nil && !errors.Is(err, unix.EEXIST) {
			return err
		}
		return nil
	}, OpenDirAt)
}

// walkBeneath opens rel below rootFd component by component with open,
// calling before (when set) ahead of opening each one; ".." is refused.
func walkBeneath(rootFd int, rel string, before func(fd int, name string) error, open func(int, string) (int, error)) (int, error) {
	fd, err := ReopenDir(rootFd)
	if err != nil {
		return -1, err
	}
	for _, name := range strings.Split(rel, "/") {
		if name == "" || name == "." {
			continue
		}
		if name == ".." {
			err = unix.EXDEV
		} else if before != nil {
			err = before(fd, name)
		}
		next := -1
		if err == nil {
			next, err = open(fd, name)
		}
		_ = Close(fd)
		if err != nil {
			return -1, err
		}
		fd = next
	}
	return fd, nil
}

// OpenDirFollowAt opens the directory name inside dirfd, following a
// symlink (-L, -K).
func OpenDirFollowAt(dirfd int, name string) (int, error) {
	return openNoatime(dirfd, name, openDirFlags)
}

// OpenFileFollowAt opens name inside dirfd for reading, following a symlink (-L).
func OpenFileFollowAt(dirfd int, name string) (int, error) {
	return openNoatime(dirfd, name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC)
}

// ReadFileAt reads the whole small file name inside dirfd (never through
// a symlink), for per-directory filter files.
func ReadFileAt(dirfd int, name string) ([]byte, error) {
	fd, err := OpenFileAt(dirfd, name)
	if err != nil {
		return nil, err
	}
	defer Close(fd)
	return io.ReadAll(io.NewSectionReader(FdReader(fd), 0, 1<<30))
}

// OpenRWAt opens the existing regular file name inside dirfd for reading
// and writing, never through a symlink.
func OpenRWAt(dirfd int, name string) (int, error) {
	return retry(func() (int, error) { return openat(dirfd, name, unix.O_RDWR|nofollowFlags, 0) })
}
