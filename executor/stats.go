package executor

import (
	"sync/atomic"

	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
)

// Counts is a per-kind tally, as in rsync's "Number of files: N (reg: ...)".
type Counts struct {
	Reg, Dir, Link, Dev, Special atomic.Int64
}

// Total is the sum of all kinds.
func (c *Counts) Total() int64 {
	return c.Reg.Load() + c.Dir.Load() + c.Link.Load() + c.Dev.Load() + c.Special.Load()
}

func (c *Counts) add(k planner.Kind) {
	switch {
	case k == planner.KindFile:
		c.Reg.Add(1)
	case k == planner.KindDir:
		c.Dir.Add(1)
	case k == planner.KindSymlink:
		c.Link.Add(1)
	case k.IsDevice():
		c.Dev.Add(1)
	default:
		c.Special.Add(1)
	}
}

// MethodStats tallies the files and bytes copied one way.
type MethodStats struct {
	Files, Bytes atomic.Int64
}

// Stats are the run's counters; every field is safe to read while it runs.
type Stats struct {
	Files            Counts // entries in the source (the transfer's file list)
	Created          Counts
	Deleted          Counts
	Transferred      atomic.Int64 // regular files whose data was written
	TotalSize        atomic.Int64 // sum of source file sizes (regular files and symlinks)
	TransferredBytes atomic.Int64 // sum of the sizes of transferred files
	HoleBytes        atomic.Int64
	MetaUpdated      atomic.Int64 // entries whose attributes were fixed in place
	Methods          [4]MethodStats
	ListNanos        atomic.Int64 // time spent listing directories
	// CopiedBytes grows with every chunk copied (live, for progress);
	// CompletedCopied is the part of it that belongs to finished files.
	CopiedBytes     atomic.Int64
	CompletedCopied atomic.Int64
	ComparedBytes   atomic.Int64 // contents compared (-c, touched files), for Activity
}

// BytesDone is the transfer's progress in bytes: the sizes of the files
// done plus what was copied so far of the files under way.
func (s *Stats) BytesDone() int64 {
	return s.TransferredBytes.Load() + max(s.CopiedBytes.Load()-s.CompletedCopied.Load(), 0)
}

// Activity grows with everything a run does: entries listed, bytes
// copied, entries created, deleted or fixed (--timeout watches it).
func (s *Stats) Activity() int64 {
	return s.Files.Total() + s.CopiedBytes.Load() + s.ComparedBytes.Load() + s.Created.Total() + s.Deleted.Total() +
		s.MetaUpdated.Load()
}

// Method returns the tally for one copy method.
func (s *Stats) Method(m platform.Method) *MethodStats { return &s.Methods[m] }

func (s *Stats) countSource(e *planner.Entry) {
	s.Files.add(e.Kind)
	switch e.Kind {
	case planner.KindFile:
		s.TotalSize.Add(e.Size)
	case planner.KindSymlink:
		s.TotalSize.Add(int64(len(e.Target())))
	}
}
