package executor

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"syscall"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// attrSource is the source entry whose extended attributes are copied:
// name inside fd (fd itself when ""); follow reads name, a symlink, as
// one followed (walker.FollowedXattrs).
type attrSource struct {
	fd     int
	name   string
	follow bool
}

// list reads the attributes of s.
func (s attrSource) list() ([]platform.Xattr, error) {
	switch {
	case !s.follow:
		return platform.ListXattrs(s.fd, s.name)
	case s.name == "":
		// (a directory entered through a link: its ACLs; a link's own
		// attributes are none an ordinary user may set)
		xs, err := platform.ListXattrs(s.fd, "")
		return slices.DeleteFunc(xs, func(x platform.Xattr) bool { return x.Name != planner.ACLAccess && x.Name != planner.ACLDefault }), err
	}
	return walker.FollowedXattrs(s.fd, s.name)
}

// sourceOf is the attrSource of a's source in d.
func sourceOf(d *walker.Dir, a planner.Action) attrSource {
	return attrSource{fd: d.SrcFd, name: d.SourceName(a.Name), follow: a.Src != nil && a.Src.Followed}
}

// syncXattrs makes the transferred extended attributes and ACLs of the
// destination entry (dstName in dstFd; the directory itself when "")
// equal to the source's (s): sets what differs, removes what the source
// lacks. Attributes of namespaces the kernel refuses to an ordinary user
// are skipped with a warning, as rsync does.
func (e *Executor) syncXattrs(s attrSource, dstFd int, dstName string) error {
	if !e.pol.Xattrs && !e.pol.ACLs {
		return nil
	}
	src, err := s.list()
	if err != nil {
		return srcErr(fmt.Errorf("read xattrs: %w", err))
	}
	dst, err := platform.ListXattrs(dstFd, dstName)
	if err != nil {
		return fmt.Errorf("read destination xattrs: %w", err)
	}
	if e.pol.FakeSuper {
		src, dst = walker.FakedXattrs(src), walker.FakedXattrs(dst)
	}
	set, remove := e.xattrChanges(src, dst)
	if len(set) == 0 && len(remove) == 0 {
		return nil
	}
	apply := func() error { return e.applyXattrs(dstFd, dstName, set, remove) }
	err = apply()
	if errors.Is(err, fs.ErrPermission) && e.modesBind {
		err = e.whileWritable(dstFd, dstName, apply)
	}
	return err
}

// xattrChanges returns the transferred attributes of src that dst lacks
// or has with another value, and the names of those dst has and src not.
func (e *Executor) xattrChanges(src, dst []platform.Xattr) (set []platform.Xattr, remove []string) {
	have := make(map[string][]byte, len(dst))
	for _, x := range dst {
		if keep, _ := e.pol.XattrKind(x.Name); keep {
			have[x.Name] = x.Value
		}
	}
	for _, x := range src {
		keep, acl := e.pol.XattrKind(x.Name)
		if !keep {
			continue
		}
		if acl {
			x.Value = e.opts.Transform.ACL(x.Value) // (--chown and the maps reach named entries)
		}
		if v, ok := have[x.Name]; !ok || !bytes.Equal(v, x.Value) {
			set = append(set, x)
		}
		delete(have, x.Name)
	}
	for name := range have {
		remove = append(remove, name)
	}
	return set, remove
}

// applyXattrs sets and removes attributes of dstName in dstFd.
func (e *Executor) applyXattrs(dstFd int, dstName string, set []platform.Xattr, remove []string) error {
	for _, x := range set {
		if e.pol.FakeSuper {
			x.Name = walker.StoredXattrName(x.Name)
		}
		if err := e.setXattr(dstFd, dstName, x); err != nil {
			return err
		}
	}
	for _, name := range remove {
		if e.pol.FakeSuper {
			name = walker.StoredXattrName(name)
		}
		if err := e.fs.RemoveXattr(dstFd, dstName, name); err != nil {
			return fmt.Errorf("remove xattr %s: %w", name, err)
		}
	}
	return nil
}

func (e *Executor) setXattr(fd int, name string, x platform.Xattr) error {
	err := e.fs.SetXattr(fd, name, x)
	if err == nil {
		return nil
	}
	if !e.pol.Root && (errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.ENOTSUP)) {
		e.opts.Log.Warn().Str("path", name).Str("xattr", x.Name).Err(err).Msg("cannot set extended attribute")
		return nil
	}
	return fmt.Errorf("set xattr %s: %w", x.Name, err)
}
