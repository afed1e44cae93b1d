//go:build linux

package tree

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// entry compares two entries found at the same path.
func (c *comparison) entry(a, b *Entry) {
	p := a.Path
	if a.Type() != b.Type() {
		c.add(p, FieldType, typeName(a.Mode), typeName(b.Mode))
		return // nothing else is comparable
	}
	c.differ(p, FieldMode, octal(a.Mode&07777), octal(b.Mode&07777))
	if !c.opts.IgnoreOwner {
		c.differ(p, FieldUID, strconv.Itoa(int(a.UID)), strconv.Itoa(int(b.UID)))
		c.differ(p, FieldGID, strconv.Itoa(int(a.GID)), strconv.Itoa(int(b.GID)))
	}
	if (a.Type() != unix.S_IFDIR || !c.opts.IgnoreDirMtime) && !c.bothSince(a, b) {
		c.differ(p, FieldMtime, stamp(a.Mtime), stamp(b.Mtime))
	}
	if c.opts.Atime {
		c.differ(p, FieldAtime, stamp(a.Atime), stamp(b.Atime))
	}
	c.byType(a, b)
	if !c.opts.IgnoreLinks {
		c.differ(p, FieldLinks, c.la[p], c.lb[p])
	}
	if !c.opts.IgnoreXattrs {
		c.xattrs(p, a.Xattrs, b.Xattrs)
	}
}

// byType compares what only some types have.
func (c *comparison) byType(a, b *Entry) {
	p := a.Path
	switch a.Type() {
	case unix.S_IFREG:
		c.differ(p, FieldSize, strconv.FormatInt(a.Size, 10), strconv.FormatInt(b.Size, 10))
		if a.Size == b.Size {
			c.differ(p, FieldContent, fmt.Sprintf("xxhash:%016x", a.Digest), fmt.Sprintf("xxhash:%016x", b.Digest))
		}
		c.blocks(a, b)
	case unix.S_IFLNK:
		c.differ(p, FieldTarget, strconv.Quote(a.Target), strconv.Quote(b.Target))
	case unix.S_IFCHR, unix.S_IFBLK:
		c.differ(p, FieldRdev, devName(a.Rdev), devName(b.Rdev))
	}
}

func (c *comparison) blocks(a, b *Entry) {
	if !c.opts.CheckBlocks {
		return
	}
	slack := c.opts.BlockSlack
	if slack == 0 {
		slack = 16
	}
	if b.Blocks > a.Blocks+slack {
		c.add(a.Path, FieldBlocks, strconv.FormatInt(a.Blocks, 10), strconv.FormatInt(b.Blocks, 10))
	}
}

func (c *comparison) xattrs(p string, a, b map[string]string) {
	for _, name := range unionKeys(a, b) {
		va, oka := a[name]
		vb, okb := b[name]
		if oka != okb || va != vb {
			c.add(p, FieldXattr+":"+name, xattrValue(va, oka), xattrValue(vb, okb))
		}
	}
}

func (c *comparison) differ(p, field, a, b string) {
	if a != b {
		c.add(p, field, a, b)
	}
}

func unionKeys(a, b map[string]string) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

func xattrValue(v string, ok bool) string {
	if !ok {
		return "absent"
	}
	return strconv.Quote(v)
}

// linkGroups maps each path whose inode has other names in the same tree
// to the sorted list of all those names.
func (t *Tree) linkGroups() map[string]string {
	type key struct{ dev, ino uint64 }
	groups := map[key][]string{}
	for _, p := range t.Paths {
		e := t.Entries[p]
		if e.Nlink > 1 && e.Type() != unix.S_IFDIR {
			k := key{e.Dev, e.Ino}
			groups[k] = append(groups[k], p)
		}
	}
	out := map[string]string{}
	for _, names := range groups {
		if len(names) < 2 {
			continue
		}
		quoted := make([]string, len(names))
		for i, n := range names {
			quoted[i] = strconv.Quote(n)
		}
		sort.Strings(quoted)
		for _, n := range names {
			out[n] = strings.Join(quoted, ",")
		}
	}
	return out
}

func typeName(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFREG:
		return "file"
	case unix.S_IFDIR:
		return "dir"
	case unix.S_IFLNK:
		return "symlink"
	case unix.S_IFIFO:
		return "fifo"
	case unix.S_IFSOCK:
		return "socket"
	case unix.S_IFCHR:
		return "chardev"
	case unix.S_IFBLK:
		return "blockdev"
	}
	return "type " + octal(mode&unix.S_IFMT)
}

func octal(m uint32) string { return fmt.Sprintf("%04o", m) }

func stamp(ts unix.Timespec) string { return fmt.Sprintf("%d.%09d", ts.Sec, ts.Nsec) }

func devName(rdev uint64) string {
	return fmt.Sprintf("%d,%d", unix.Major(rdev), unix.Minor(rdev))
}

// bothSince reports two entries both modified at or after
// Options.TouchedSince: by the runs compared, at their own instants.
func (c *comparison) bothSince(a, b *Entry) bool {
	t := c.opts.TouchedSince
	if t.IsZero() {
		return false
	}
	since := func(ts unix.Timespec) bool { return !time.Unix(ts.Unix()).Before(t) }
	return since(a.Mtime) && since(b.Mtime)
}
