package executor

import "github.com/treesync/treesync/platform"

// fsys is the part of the kernel through which the executor changes the
// destination or opens source files: every operation a fault can hit.
// The run uses kernelFS; tests wrap it to make a chosen operation fail on
// a chosen name (faultfs_test.go). Reads of metadata go to platform
// directly.
type fsys interface {
	CopyToNew(src int, st platform.Stat, dirfd int, name string, perm uint32, dev uint64, done <-chan struct{}) (int, platform.CopyResult, error)
	CopyToUnnamed(src int, st platform.Stat, dirfd int, perm uint32, dev uint64, done <-chan struct{}) (int, platform.CopyResult, bool, error)
	LinkUnnamed(fd, dirfd int, name string) error
	OpenFileAt(dirfd int, name string) (int, error)
	Renameat(oldDirfd int, oldName string, newDirfd int, newName string) error
	RenameNoReplace(olddirfd int, oldName string, newdirfd int, newName string) error
	RenameExchange(olddirfd int, oldName string, newdirfd int, newName string) error
	Unlinkat(dirfd int, name string) error
	Rmdirat(dirfd int, name string) error
	Mkdirat(dirfd int, name string, perm uint32) error
	MkdirAllBeneath(rootFd int, rel string, perm uint32) (int, error)
	Linkat(oldDirfd int, oldName string, newDirfd int, newName string) error
	Symlinkat(target string, dirfd int, name string) error
	Mknodat(dirfd int, name string, mode uint32, rdev uint64) error
	Fchmod(fd int, mode uint32) error
	Fchown(fd, uid, gid int) error
	Futimes(fd int, atime, mtime int64) error
	Fsync(fd int) error
	Lchmodat(dirfd int, name string, mode uint32) error
	Lchownat(dirfd int, name string, uid, gid int) error
	LutimesAt(dirfd int, name string, atime, mtime int64) error
	SetXattr(dirfd int, name string, x platform.Xattr) error
	RemoveXattr(dirfd int, name, attr string) error
}

// kernelFS is fsys on the real kernel.
type kernelFS struct{ copier *platform.Copier }

var _ fsys = kernelFS{}

func (k kernelFS) CopyToNew(src int, st platform.Stat, dirfd int, name string, perm uint32, dev uint64, done <-chan struct{}) (int, platform.CopyResult, error) {
	return k.copier.CopyToNew(src, st, dirfd, name, perm, dev, done)
}
func (k kernelFS) CopyToUnnamed(src int, st platform.Stat, dirfd int, perm uint32, dev uint64, done <-chan struct{}) (int, platform.CopyResult, bool, error) {
	return k.copier.CopyToUnnamed(src, st, dirfd, perm, dev, done)
}
func (kernelFS) LinkUnnamed(fd, d int, n string) error { return platform.LinkUnnamed(fd, d, n) }
func (kernelFS) OpenFileAt(dirfd int, name string) (int, error) {
	return platform.OpenFileAt(dirfd, name)
}
func (kernelFS) Renameat(od int, on string, nd int, nn string) error {
	return platform.Renameat(od, on, nd, nn)
}
func (kernelFS) RenameNoReplace(od int, o string, nd int, n string) error {
	return platform.RenameNoReplace(od, o, nd, n)
}
func (kernelFS) RenameExchange(od int, o string, nd int, n string) error {
	return platform.RenameExchange(od, o, nd, n)
}
func (kernelFS) Unlinkat(d int, n string) error          { return platform.Unlinkat(d, n) }
func (kernelFS) Rmdirat(d int, n string) error           { return platform.Rmdirat(d, n) }
func (kernelFS) Mkdirat(d int, n string, p uint32) error { return platform.Mkdirat(d, n, p) }
func (kernelFS) MkdirAllBeneath(r int, rel string, p uint32) (int, error) {
	return platform.MkdirAllBeneath(r, rel, p)
}
func (kernelFS) Linkat(od int, on string, nd int, nn string) error {
	return platform.Linkat(od, on, nd, nn)
}
func (kernelFS) Symlinkat(t string, d int, n string) error { return platform.Symlinkat(t, d, n) }
func (kernelFS) Mknodat(d int, n string, m uint32, r uint64) error {
	return platform.Mknodat(d, n, m, r)
}
func (kernelFS) Fchmod(fd int, m uint32) error               { return platform.Fchmod(fd, m) }
func (kernelFS) Fchown(fd, u, g int) error                   { return platform.Fchown(fd, u, g) }
func (kernelFS) Futimes(fd int, a, m int64) error            { return platform.Futimes(fd, a, m) }
func (kernelFS) Fsync(fd int) error                          { return platform.Fsync(fd) }
func (kernelFS) Lchmodat(d int, n string, m uint32) error    { return platform.Lchmodat(d, n, m) }
func (kernelFS) Lchownat(d int, n string, u, g int) error    { return platform.Lchownat(d, n, u, g) }
func (kernelFS) LutimesAt(d int, n string, a, m int64) error { return platform.LutimesAt(d, n, a, m) }
func (kernelFS) SetXattr(d int, n string, x platform.Xattr) error {
	return platform.SetXattr(d, n, x)
}
func (kernelFS) RemoveXattr(d int, n, a string) error { return platform.RemoveXattr(d, n, a) }
