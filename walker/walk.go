package walker

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"syscall"

	"io/fs"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
)

// Pair is one listed directory pair handed to Visit: the whole of both
// sides, or, for a directory of more than Options.Window names, one
// window of them in name order (First and Last mark the first and the
// last window; a directory listed whole is both).
type Pair struct {
	Dir         *Dir
	Src, Dst    planner.Listing
	First, Last bool
}

// Visit plans and starts the work for one directory pair and returns the
// subdirectories to walk next (made with Dir.Child). It is called from
// several listers at once and may block to apply back-pressure.
type Visit func(ctx context.Context, p *Pair) []*Dir

// ErrorFunc receives an error about one path; the walk goes on.
type ErrorFunc func(path string, err error)

// Options configures a walk.
type Options struct {
	// Workers is the number of listers; 0 means 2 per CPU. BenchmarkWalkNoop
	// on the 2-core machine (5,050 entries a side, warm cache): 1 lister
	// 6.9 µs per entry pair, 2: 4.3, 4: 4.2, 8: 4.2.
	Workers int
	OnError ErrorFunc // listing and stat errors (nil: ignored)
	OnDone  func(*Dir)
	// OneFileSystem (-x) does not enter source directories on another device.
	OneFileSystem bool
	// Exclude is a source directory (device, inode) never entered: a
	// destination that lies inside the source.
	Exclude *[2]uint64
	// Xattrs, when set, selects the extended attributes to digest into
	// each entry (XattrSum, ACLSum), as planner.Policy.XattrKind.
	Xattrs func(name string) (keep, acl bool)
	// Transform rewrites source entries (--chmod, --chown).
	Transform *planner.Transform
	// Links chooses which source symlinks are followed; SkipUnsafe
	// (--safe-links) leaves out symlinks pointing outside the tree.
	Links      LinkMode
	SkipUnsafe bool
	// KeepDirlinks (-K) treats a destination symlink to a directory as
	// that directory; CopyDirlinks (-k) does so with a source one (the
	// directory is copied, a dangling link stays a link).
	KeepDirlinks bool
	CopyDirlinks bool
	// OneLevel (-d without -r) makes the directories met and lists none
	// of them: only the transfer roots are listed.
	OneLevel bool
	// FollowDst, when set, says which destination symlinks (by path) to
	// treat as the directory they point to, as -K does for all.
	FollowDst func(path string) bool
	// CopyDevices (--copy-devices) lists a source device as a regular
	// file of the device's size, whose contents are copied.
	CopyDevices bool
	// WriteDevices (--write-devices) lists a destination device whose
	// source is a regular file with the device's size (its end, as
	// rsync finds it), for the planner to compare the two as files.
	WriteDevices bool
	// FakeSuper (--fake-super) reads each entry's attributes kept in
	// FakeStatXattr, on both sides.
	FakeSuper bool
	// Unlock (an ordinary user's run that writes) gives a destination
	// directory whose mode does not let its owner list or search it
	// (no u+r or no u+x) u+rwx before listing it, as rsync does;
	// Dir.Unlocked records it for the caller to put the mode back.
	Unlock bool
	// Window is how many names (of both sides together) a directory is
	// stat-ed and visited in at a time; 0 means DefaultWindow. Only the
	// names of a wider directory are held whole.
	Window int
}

// DefaultWindow bounds the entries a wide directory holds at once: a
// directory pair's entries stay in memory while its subdirectories are
// pending, about 200 bytes a name (a no-op of 200,000 files in one
// directory peaked at 75 MB when listed whole).
const DefaultWindow = 4096

// LinkMode says which source symlinks the walker follows.
type LinkMode uint8

// The link modes.
const (
	LinksKeep   LinkMode = iota // copy symlinks as symlinks
	LinksFollow                 // -L: copy what every symlink points to
	LinksUnsafe                 // --copy-unsafe-links: follow those pointing outside the tree
)

type walk struct {
	opts    Options
	visit   Visit
	mu      sync.Mutex
	cond    *sync.Cond
	stack   []*Dir
	active  int
	rootDev uint64
}

// Root describes where a transfer starts: the open source and destination
// directories (the destination may be -1 when it does not exist yet, as in
// a dry run) and the root Dir's fields.
type Root struct {
	SrcFd, DstFd  int
	Action        planner.Action
	Only, OnlyDst string
	// Prefix is the root directory's path relative to the transfer root
	// ("" but under rsync's -R, where the source's leading directories
	// are kept at the destination).
	Prefix string
}

// Walk lists the tree below root in lockstep with the destination, calling
// visit for every directory pair, until everything is done or ctx ends.
// It takes ownership of root's descriptors.
func Walk(ctx context.Context, root Root, opts Options, visit Visit) {
	if opts.Workers <= 0 {
		opts.Workers = 2 * runtime.GOMAXPROCS(0)
	}
	if opts.Window <= 0 {
		opts.Window = DefaultWindow
	}
	w := &walk{opts: opts, visit: visit}
	w.cond = sync.NewCond(&w.mu)
	if st, err := rootStat(root); err == nil {
		w.rootDev = st.Dev
	}
	d := &Dir{SrcFd: root.SrcFd, DstFd: root.DstFd, Action: root.Action, Only: root.Only, OnlyDst: root.OnlyDst,
		Path: root.Prefix, w: w}
	d.pending.Store(1)
	w.stack = append(w.stack, d)
	var wg sync.WaitGroup
	for range opts.Workers {
		wg.Go(func() { w.worker(ctx) })
	}
	wg.Wait()
}

func (w *walk) worker(ctx context.Context) {
	var buf []byte // made on first use: a small tree leaves most listers idle
	for {
		d := w.pop()
		if d == nil {
			return
		}
		if buf == nil {
			buf = make([]byte, 32<<10)
		}
		if ctx.Err() != nil {
			d.Release() // drop it unvisited; its parent still completes
		} else {
			w.process(ctx, d, buf)
		}
		w.mu.Lock()
		w.active--
		if w.active == 0 && len(w.stack) == 0 {
			w.cond.Broadcast()
		}
		w.mu.Unlock()
	}
}

// pop takes the most recently pushed directory (depth first), waiting
// while others may still push; it returns nil when the walk is over.
func (w *walk) pop() *Dir {
	w.mu.Lock()
	defer w.mu.Unlock()
	for len(w.stack) == 0 {
		if w.active == 0 {
			return nil
		}
		w.cond.Wait()
	}
	d := w.stack[len(w.stack)-1]
	w.stack = w.stack[:len(w.stack)-1]
	w.active++
	return d
}

func (w *walk) push(children []*Dir) {
	if len(children) == 0 {
		return
	}
	w.mu.Lock()
	for i := len(children) - 1; i >= 0; i-- { // first child on top
		w.stack = append(w.stack, children[i])
	}
	w.mu.Unlock()
	w.cond.Broadcast()
}

func (w *walk) process(ctx context.Context, d *Dir, buf []byte) {
	side := Pair{Dir: d} // what opening the directories found
	w.open(d, &side)
	if d.loops() {
		w.report(d.Path, fmt.Errorf("symlink loop: %s leads back to a directory above it", d.Path))
		d.NoDescend = true
	}
	var src, dst []string
	if d.SrcFd >= 0 && !d.NoDescend {
		src, side.Src.Err = w.readNames(d, d.SrcFd, buf, true)
	}
	if d.DstFd >= 0 && !d.NoDescend {
		dst, side.Dst.Err = w.dstNames(d, buf, src)
	}
	for first, last := true, false; !last; first = false {
		i, j := window(src, dst, w.opts.Window)
		if ctx.Err() != nil {
			src, dst, i, j = nil, nil, 0, 0 // stopping: an empty last window closes d
		}
		last = i == len(src) && j == len(dst)
		p := side
		p.First, p.Last = first, last
		w.statWindow(d, d.SrcFd, src[:i], true, side.Src.Err, &p.Src)
		w.statWindow(d, d.DstFd, dst[:j], false, side.Dst.Err, &p.Dst)
		if (d.DstFd < 0 && side.Dst.Err != nil) || (len(p.Dst.Failed) > 0 && errors.Is(p.Dst.Err, fs.ErrPermission)) {
			// A destination directory that cannot be opened, or searched
			// (a stat refused): none of its names can be read, not even
			// those its listing lacks.
			p.Dst.Failed = src[:i]
		}
		if w.opts.WriteDevices {
			deviceSizes(d.DstFd, p.Src.Entries, p.Dst.Entries)
		}
		src, dst = src[i:], dst[j:]
		w.push(w.visit(ctx, &p))
	}
	d.Release()
}

// statWindow stats a window of names into l; err, the side's readdir
// error, stands for the whole side.
func (w *walk) statWindow(d *Dir, fd int, names []string, src bool, err error, l *planner.Listing) {
	l.Entries, l.Failed, l.Err = nil, nil, err
	if len(names) == 0 {
		return
	}
	var partial error
	l.Entries, l.Failed, partial = w.stat(d, fd, names, src)
	if err == nil {
		l.Err = partial
	}
}

// open opens d's directories relative to its parent's.
func (w *walk) open(d *Dir, p *Pair) {
	if d.Parent == nil {
		w.setDstDev(d)
		return
	}
	var err error
	if d.SrcFd, err = openDir(d.Parent.SrcFd, d.SrcName, d.Action.Src); err != nil {
		p.Src.Err = fmt.Errorf("opendir %s: %w", d.Path, err)
		w.report(d.Path, p.Src.Err)
	}
	if d.Parent.DstFd < 0 {
		p.Dst.Missing = true
		return
	}
	d.DstFd, err = w.openDst(d)
	switch {
	case errors.Is(err, fs.ErrNotExist), replaced(d.Action.Dst, err):
		p.Dst.Missing = true
	case err != nil:
		p.Dst.Err = fmt.Errorf("opendir %s (destination): %w", d.Path, err)
		w.report(d.Path, p.Dst.Err)
	default:
		w.setDstDev(d)
	}
}

// openDst opens d's destination directory, first opening it to its
// owner when its listed mode would not let them list it (Options.Unlock).
// One that still cannot be read (someone else's drop box, or any in a
// dry run) is opened only to search it, and listed by the source's names
// (dstNames).
func (w *walk) openDst(d *Dir) (int, error) {
	e := d.Action.Dst
	if w.opts.Unlock && e != nil && e.Kind == planner.KindDir && !e.Followed && e.Mode&0o500 != 0o500 {
		d.Unlocked = platform.Lchmodat(d.Parent.DstFd, d.DstName, e.Mode|0o700) == nil
	}
	fd, err := openDir(d.Parent.DstFd, d.DstName, e)
	if errors.Is(err, fs.ErrPermission) {
		if sfd, serr := platform.OpenDirSearchAt(d.Parent.DstFd, d.DstName, e != nil && e.Followed); serr == nil {
			return sfd, nil
		}
	}
	return fd, err
}

// replaced reports a destination entry listed as a non-directory that
// is still one (err): a dry run does not replace it by the directory it
// plans, so the directory is as good as missing there.
func replaced(e *planner.Entry, err error) bool {
	return e != nil && e.Kind != planner.KindDir && (errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.ELOOP))
}

// setDstDev records the device of d's open destination directory: the
// one its entry in the parent's listing gave, without a syscall, else (the
// root, a directory this run made, one that replaced an entry of another
// kind) by fstat.
func (w *walk) setDstDev(d *Dir) {
	if d.DstFd < 0 {
		return
	}
	if e := d.Action.Dst; d.Parent != nil && e != nil && e.Kind == planner.KindDir {
		d.DstDev = e.Dev
		return
	}
	if st, err := platform.Fstat(d.DstFd); err == nil {
		d.DstDev = st.Dev
	}
}

func (w *walk) report(path string, err error) {
	if w.opts.OnError != nil {
		w.opts.OnError(path, err)
	}
}

// openDir opens a child directory, following a symlink only when the
// listing followed it (e's Followed flag).
func openDir(parent int, name string, e *planner.Entry) (int, error) {
	if e != nil && e.Followed {
		return platform.OpenDirFollowAt(parent, name)
	}
	return platform.OpenDirAt(parent, name)
}

// rootStat stats the transfer's source root: the named entry of a source
// given without a trailing slash (Only), else the root directory itself.
func rootStat(root Root) (platform.Stat, error) {
	if root.Only != "" {
		return platform.Statat(root.SrcFd, root.Only)
	}
	return platform.Fstat(root.SrcFd)
}
