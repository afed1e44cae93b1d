//go:build unix

package platform

import "golang.org/x/sys/unix"

// fromUnix converts the kernel's stat to Stat. The conversions are written
// out so one body serves every Unix, whose field widths differ.
func fromUnix(st *unix.Stat_t) Stat {
	return Stat{
		Mode:   uint32(st.Mode),
		Size:   int64(st.Size),
		Blocks: int64(st.Blocks),
		Mtime:  int64(st.Mtim.Sec)*1e9 + int64(st.Mtim.Nsec),
		Atime:  int64(st.Atim.Sec)*1e9 + int64(st.Atim.Nsec),
		Ctime:  int64(st.Ctim.Sec)*1e9 + int64(st.Ctim.Nsec),
		Dev:    uint64(st.Dev),
		Ino:    uint64(st.Ino),
		Nlink:  uint64(st.Nlink),
		Rdev:   uint64(st.Rdev),
		UID:    uint32(st.Uid),
		GID:    uint32(st.Gid),
	}
}
