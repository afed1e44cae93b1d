//go:build linux

package platform

import (
	"encoding/binary"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// Probes for `treesync --capabilities`: each one works on temporary files
// it creates in a directory (the destination; never the source) and
// removes them before it returns.

// fsNames maps statfs f_type to a filesystem name.
var fsNames = map[uint32]string{
	0xEF53: "ext2/ext3/ext4", 0x58465342: "xfs", 0x9123683E: "btrfs", 0x01021994: "tmpfs",
	0x6969: "nfs", 0x794c7630: "overlay", 0x2fc12fc1: "zfs", 0xF2F52010: "f2fs", 0x65735546: "fuse",
	0xFF534D42: "cifs", 0xFE534D42: "smb2", 0x4d44: "vfat", 0x2011BAB0: "exfat", 0x5346544e: "ntfs",
	0x858458f6: "ramfs", 0xca451a4e: "bcachefs", 0x73717368: "squashfs", 0x01021997: "9p",
	0x00c36400: "ceph", 0xf15f: "ecryptfs", 0x9fa0: "proc", 0x62656572: "sysfs",
}

// FSType returns the name of the filesystem holding path (statfs f_type).
func FSType(path string) (string, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return "", fmt.Errorf("statfs %s: %w", path, err)
	}
	t := uint32(st.Type)
	if name, ok := fsNames[t]; ok {
		return name, nil
	}
	return fmt.Sprintf("unknown (0x%x)", t), nil
}

// probeFile creates a temporary file in dir holding data (may be empty).
func probeFile(dir string, data []byte) (*os.File, func(), error) {
	f, err := os.CreateTemp(dir, ".treesync-probe-*")
	if err != nil {
		return nil, nil, fmt.Errorf("create a probe file: %w", err)
	}
	cleanup := func() { _ = f.Close(); _ = os.Remove(f.Name()) }
	if len(data) > 0 {
		if _, err := f.Write(data); err != nil {
			cleanup()
			return nil, nil, fmt.Errorf("write a probe file: %w", err)
		}
	}
	return f, cleanup, nil
}

// probePair creates a data file and an empty file in dir.
func probePair(dir string) (src, dst *os.File, cleanup func(), err error) {
	src, c1, err := probeFile(dir, make([]byte, 64<<10))
	if err != nil {
		return nil, nil, nil, err
	}
	dst, c2, err := probeFile(dir, nil)
	if err != nil {
		c1()
		return nil, nil, nil, err
	}
	return src, dst, func() { c2(); c1() }, nil
}

// ProbeReflink reports whether the filesystem of dir clones files (FICLONE).
func ProbeReflink(dir string) error {
	src, dst, cleanup, err := probePair(dir)
	if err != nil {
		return err
	}
	defer cleanup()
	if err := unix.IoctlFileClone(int(dst.Fd()), int(src.Fd())); err != nil {
		return fmt.Errorf("FICLONE: %w", err)
	}
	return nil
}

// ProbeCopyRange reports whether copy_file_range copies from the file
// src (opened read-only; "" means a probe file in dir) into a new file in dir.
func ProbeCopyRange(src, dir string) error {
	from, dst, cleanup, err := probePair(dir)
	if err != nil {
		return err
	}
	defer cleanup()
	if src != "" {
		if from, err = os.Open(src); err != nil {
			return fmt.Errorf("open %s: %w", src, err)
		}
		defer from.Close()
	}
	var roff, woff int64
	n, err := unix.CopyFileRange(int(from.Fd()), &roff, int(dst.Fd()), &woff, 64<<10, 0)
	switch {
	case err != nil:
		return fmt.Errorf("copy_file_range: %w", err)
	case n == 0:
		return fmt.Errorf("copy_file_range copied nothing")
	}
	return nil
}

// ProbeSparse reports whether the filesystem of dir reports holes through
// SEEK_DATA/SEEK_HOLE: a 1 MiB hole then 4 KiB of data must show as such.
func ProbeSparse(dir string) error {
	f, cleanup, err := probeFile(dir, nil)
	if err != nil {
		return err
	}
	defer cleanup()
	if _, err := f.WriteAt(make([]byte, 4096), 1<<20); err != nil {
		return fmt.Errorf("write a sparse probe file: %w", err)
	}
	off, err := unix.Seek(int(f.Fd()), 0, unix.SEEK_DATA)
	if err != nil {
		return fmt.Errorf("SEEK_DATA: %w", err)
	}
	if off == 0 {
		return fmt.Errorf("SEEK_DATA found data at 0: holes are not reported")
	}
	return nil
}

// ProbeXattr reports whether user.* extended attributes can be set in dir.
func ProbeXattr(dir string) error {
	f, cleanup, err := probeFile(dir, nil)
	if err != nil {
		return err
	}
	defer cleanup()
	if err := unix.Fsetxattr(int(f.Fd()), "user.treesync.probe", []byte("1"), 0); err != nil {
		return fmt.Errorf("setxattr user.treesync.probe: %w", err)
	}
	return nil
}

// ProbeACL reports whether POSIX ACLs can be set in dir.
func ProbeACL(dir string) error {
	f, cleanup, err := probeFile(dir, nil)
	if err != nil {
		return err
	}
	defer cleanup()
	// version 2; user::rw- group::r-- other::r-- (tag, perm, id)
	acl := binary.LittleEndian.AppendUint32(nil, 2)
	for _, e := range [][2]uint16{{0x01, 6}, {0x04, 4}, {0x20, 4}} {
		acl = binary.LittleEndian.AppendUint16(acl, e[0])
		acl = binary.LittleEndian.AppendUint16(acl, e[1])
		acl = binary.LittleEndian.AppendUint32(acl, 0xffffffff)
	}
	if err := unix.Fsetxattr(int(f.Fd()), "system.posix_acl_access", acl, 0); err != nil {
		return fmt.Errorf("setxattr system.posix_acl_access: %w", err)
	}
	return nil
}

// ProbeMtimePrecision sets a nanosecond mtime on a file in dir and returns
// the finest step the filesystem kept (1ns on most Linux filesystems).
func ProbeMtimePrecision(dir string) (time.Duration, error) {
	f, cleanup, err := probeFile(dir, nil)
	if err != nil {
		return 0, err
	}
	defer cleanup()
	const sec, nsec = 1700000000, 123456789
	ts := []unix.Timespec{{Sec: sec, Nsec: nsec}, {Sec: sec, Nsec: nsec}}
	if err := unix.UtimesNanoAt(unix.AT_FDCWD, f.Name(), ts, 0); err != nil {
		return 0, fmt.Errorf("utimensat: %w", err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return 0, fmt.Errorf("fstat: %w", err)
	}
	got := time.Duration(st.Mtim.Sec-sec)*time.Second + time.Duration(st.Mtim.Nsec)
	for p := time.Duration(1); p <= 2*time.Second; p *= 10 {
		if got == nsec/p*p {
			return p, nil
		}
	}
	return 2 * time.Second, nil
}
