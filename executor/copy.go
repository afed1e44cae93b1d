package executor

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
	"github.com/treesync/treesync/walker"
)

// copyFile writes a regular file's data to a temporary beside its final
// name and renames it into place. A source that changes while it is
// copied is copied again, a few times at most.
func (e *Executor) copyFile(d *walker.Dir, a planner.Action) error {
	open := e.fs.OpenFileAt
	if a.Src.Followed {
		open = platform.OpenFileFollowAt
	}
	src, err := open(d.SrcFd, d.SourceName(a.Name))
	if err != nil {
		return srcErr(fmt.Errorf("open: %w", err))
	}
	defer platform.Close(src)
	change := a.Change
	if a.Verify {
		same, err := e.sameContent(d, a, src)
		if err != nil || same {
			if err == nil && change != 0 {
				err = e.fixMeta(d, a, change)
			}
			return err
		}
		if e.pol.Checksum {
			change |= planner.ChangeContent // rsync shows 'c' only under -c
		}
	}
	if handled, err := e.fromAlt(d, a); handled || err != nil {
		return err
	}
	path := itemPath(d, a.Name, planner.KindFile)
	if e.opts.DryRun {
		e.noteTransfer(a, change, path, platform.CopyResult{}, a.Src.Size)
		return nil
	}
	want, err := e.makeWay(d, a)
	if err != nil {
		return err
	}
	if handled, err := e.resumePartial(d, a, src, want, change, path); handled || err != nil {
		return err
	}
	return e.copyStable(d, a, src, want, change, path)
}

// copyStable copies until the source stays the same for a whole copy.
func (e *Executor) copyStable(d *walker.Dir, a planner.Action, src int, want *planner.Entry, change planner.Change, path string) error {
	for attempt := 0; ; attempt++ {
		st, err := platform.Fstat(src)
		if err != nil {
			return srcErr(fmt.Errorf("stat: %w", err))
		}
		if !st.IsRegular() {
			return srcErr(fmt.Errorf("no longer a regular file"))
		}
		tmp, res, err := e.writeTemp(d, src, st, a)
		if err != nil {
			return err
		}
		after, err := platform.Fstat(src)
		if err == nil && unchanged(st, after) {
			if err := e.commit(d, tmp, a.Name, want); err != nil {
				return err
			}
			e.noteTransfer(a, change, path, res, st.Size)
			return nil
		}
		_ = e.fs.Unlinkat(d.DstFd, tmp)
		if attempt+1 >= e.opts.ChangedRetries {
			return srcErr(ErrSourceChanging)
		}
		e.opts.Log.Debug().Str("path", path).Msg("source changed while copied; copying again")
	}
}

func unchanged(a, b platform.Stat) bool {
	return a.Size == b.Size && a.Mtime == b.Mtime && a.Ctime == b.Ctime && a.Ino == b.Ino
}

// writeTemp copies src into a new temporary file and gives it its final
// owner, mode and times; it returns the temporary's name.
func (e *Executor) writeTemp(d *walker.Dir, src int, st platform.Stat, a planner.Action) (string, platform.CopyResult, error) {
	tmp := planner.TempName(rand.Uint64())
	want := walker.FromStat("", st)
	e.opts.Transform.Apply(&want)
	perm := e.modeFor(&want, a.Dst) & 0o777 // created with its final mode where the umask allows
	fd, res, err := e.fs.CopyToNew(src, st, d.DstFd, tmp, perm, d.DstDev, e.ctx.Done())
	if errors.Is(err, platform.ErrInterrupted) {
		_ = platform.Close(fd)
		e.keepPartial(d, tmp, a.Name)
		return "", res, e.ctx.Err()
	}
	if err != nil {
		if IsFatal(err) {
			e.keepPartialAfter(d, a.Name)
		}
		return "", res, fmt.Errorf("copy: %w", err)
	}
	err = e.setFdMetaCreated(fd, &want, a.Dst, perm)
	if err == nil {
		err = e.syncXattrs(d.SrcFd, d.SourceName(a.Name), d.DstFd, tmp)
	}
	if err == nil && e.opts.Fsync {
		if err = e.fs.Fsync(fd); err != nil {
			err = fmt.Errorf("fsync: %w", err)
		}
	}
	if cerr := platform.Close(fd); err == nil && cerr != nil {
		err = fmt.Errorf("close: %w", cerr)
	}
	if err != nil {
		_ = e.fs.Unlinkat(d.DstFd, tmp)
		return "", res, err
	}
	return tmp, res, nil
}

// noteTransfer counts and prints a transferred file.
func (e *Executor) noteTransfer(a planner.Action, change planner.Change, path string, res platform.CopyResult, size int64) {
	e.stats.Transferred.Add(1)
	e.stats.TransferredBytes.Add(size)
	e.stats.HoleBytes.Add(res.HoleBytes)
	e.stats.CompletedCopied.Add(res.Bytes)
	m := e.stats.Method(res.Method)
	m.Files.Add(1)
	m.Bytes.Add(res.Bytes)
	if a.Dst == nil || a.Dst.Kind != planner.KindFile {
		e.stats.Created.add(planner.KindFile)
	}
	e.print(planner.OpCopy, planner.KindFile, change, path, "")
}
