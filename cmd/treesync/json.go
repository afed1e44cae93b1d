package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"unicode/utf8"

	"github.com/treesync/treesync/executor"
	"github.com/treesync/treesync/planner"
	"github.com/treesync/treesync/platform"
)

// summary is the --json object printed at the end of a run.
//
// Methods counts files by the way their data was written; reflink,
// copy_file_range and buffered always add up to files_transferred. Files
// that needed no data copy (empty files, and every file of a dry run,
// where nothing is copied) are counted under buffered, the method of last
// resort, and "none" says how many of the buffered ones those were.
type summary struct {
	ExitCode         int            `json:"exit_code"`
	DryRun           bool           `json:"dry_run"`
	FilesTotal       int64          `json:"files_total"`
	FilesTransferred int64          `json:"files_transferred"`
	BytesTransferred int64          `json:"bytes_transferred"`
	TotalSize        int64          `json:"total_size"`
	Created          int64          `json:"created"`
	Deleted          int64          `json:"deleted"`
	AttrsUpdated     int64          `json:"attrs_updated"`
	HoleBytesSkipped int64          `json:"hole_bytes_skipped"`
	Methods          methodCounts   `json:"methods"`
	MethodBytes      methodBytes    `json:"method_bytes"`
	Errors           int            `json:"errors"`
	Vanished         int            `json:"vanished"`
	Fatal            string         `json:"fatal,omitempty"`
	FirstErrors      []summaryError `json:"first_errors"`
	ElapsedSeconds   float64        `json:"elapsed_seconds"`
	ListSeconds      float64        `json:"list_seconds"`
	CopyWorkers      int            `json:"copy_workers"`
}

type methodCounts struct {
	Reflink       int64 `json:"reflink"`
	CopyFileRange int64 `json:"copy_file_range"`
	Buffered      int64 `json:"buffered"`
	None          int64 `json:"none"`
}

type methodBytes struct {
	Reflink       int64 `json:"reflink"`
	CopyFileRange int64 `json:"copy_file_range"`
	Buffered      int64 `json:"buffered"`
}

type summaryError struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}

// maxJSONErrors is how many errors the summary lists.
const maxJSONErrors = 20

func buildSummary(res *executor.Result, dryRun bool) summary {
	s := res.Stats
	m := func(k platform.Method) *executor.MethodStats { return s.Method(k) }
	out := summary{
		ExitCode: res.ExitCode, DryRun: dryRun,
		FilesTotal: s.Files.Total(), FilesTransferred: s.Transferred.Load(),
		BytesTransferred: s.TransferredBytes.Load(), TotalSize: s.TotalSize.Load(),
		Created: s.Created.Total(), Deleted: s.Deleted.Total(), AttrsUpdated: s.MetaUpdated.Load(),
		HoleBytesSkipped: s.HoleBytes.Load(),
		Methods: methodCounts{
			Reflink: m(platform.MethodReflink).Files.Load(), CopyFileRange: m(platform.MethodKernel).Files.Load(),
			None: m(platform.MethodNone).Files.Load(),
		},
		MethodBytes: methodBytes{
			Reflink: m(platform.MethodReflink).Bytes.Load(), CopyFileRange: m(platform.MethodKernel).Bytes.Load(),
			Buffered: m(platform.MethodBuffered).Bytes.Load(),
		},
		Errors: res.ErrCount, Vanished: res.Vanished, FirstErrors: []summaryError{},
		ElapsedSeconds: res.Elapsed.Seconds(), ListSeconds: float64(s.ListNanos.Load()) / 1e9,
		CopyWorkers: res.Jobs,
	}
	// The counters of the three methods also count files copied from a
	// --copy-dest/--clone-dest reference, which are not "transferred":
	// buffered takes the rest so that the sum is files_transferred.
	out.Methods.Buffered = max(0, out.FilesTransferred-out.Methods.Reflink-out.Methods.CopyFileRange)
	out.Methods.None = min(out.Methods.None, out.Methods.Buffered)
	if res.Fatal != nil {
		out.Fatal = res.Fatal.Error()
	}
	for _, e := range res.Errors[:min(len(res.Errors), maxJSONErrors)] {
		out.FirstErrors = append(out.FirstErrors, summaryError{Path: e.Path, Error: e.Err.Error()})
	}
	return out
}

// writeSummary prints the --json object on one line.
func writeSummary(w io.Writer, res *executor.Result, dryRun bool) error {
	b, err := jsonLine(buildSummary(res, dryRun))
	if err != nil {
		return fmt.Errorf("encoding the JSON summary: %w", err)
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("writing the JSON summary: %w", err)
	}
	return nil
}

// jsonLine encodes v on one line ending in a newline, leaving < > &
// as they are (itemize strings start with '>').
func jsonLine(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// changeRecord is one --json-changes line: a change in rsync's
// vocabulary, with the itemize letters as fields.
type changeRecord struct {
	Path      string `json:"path"`
	PathBytes string `json:"path_base64,omitempty"` // the raw name when it is not valid UTF-8
	Op        string `json:"op"`
	Type      string `json:"type"`
	Itemize   string `json:"itemize"`
	New       bool   `json:"new"`
	Checksum  bool   `json:"checksum"`
	Size      bool   `json:"size"`
	Time      bool   `json:"time"`
	Perms     bool   `json:"perms"`
	Owner     bool   `json:"owner"`
	Group     bool   `json:"group"`
	Atime     bool   `json:"atime"`
	ACL       bool   `json:"acl"`
	Xattr     bool   `json:"xattr"`
	Target    string `json:"target,omitempty"`
	// the raw target when it is not valid UTF-8
	TargetBytes string `json:"target_base64,omitempty"`
}

func opName(op planner.Op) string {
	switch op {
	case planner.OpCopy:
		return "transfer"
	case planner.OpDelete:
		return "delete"
	case planner.OpMeta, planner.OpDir:
		return "attrs"
	case planner.OpLink:
		return "hardlink"
	case planner.OpLocal:
		return "local-copy" // from a reference directory (--copy-dest and the like)
	}
	return "create" // OpMkdir, OpSymlink, OpSpecial
}

func typeName(k planner.Kind) string {
	switch {
	case k == planner.KindFile:
		return "file"
	case k == planner.KindDir:
		return "dir"
	case k == planner.KindSymlink:
		return "symlink"
	case k.IsDevice():
		return "device"
	}
	return "special"
}

func newChangeRecord(ch executor.Change) changeRecord {
	f := ch.Flags
	r := changeRecord{
		Path: ch.Path, Op: opName(ch.Op), Type: typeName(ch.Kind), Itemize: ch.Itemize, Target: ch.Target,
		New: f&planner.ChangeNew != 0, Checksum: f&planner.ChangeContent != 0, Size: f&planner.ChangeSize != 0,
		Time: f&planner.ChangeTime != 0, Perms: f&planner.ChangePerms != 0, Owner: f&planner.ChangeOwner != 0,
		Group: f&planner.ChangeGroup != 0, Atime: f&planner.ChangeAtime != 0, ACL: f&planner.ChangeACL != 0,
		Xattr: f&planner.ChangeXattr != 0,
	}
	if !utf8.ValidString(ch.Path) {
		r.PathBytes = base64.StdEncoding.EncodeToString([]byte(ch.Path))
	}
	if !utf8.ValidString(ch.Target) {
		r.TargetBytes = base64.StdEncoding.EncodeToString([]byte(ch.Target))
	}
	return r
}

// changeWriter writes --json-changes lines; safe for concurrent use.
type changeWriter struct {
	mu  sync.Mutex
	w   io.Writer
	err error // the first write error; later records are dropped
}

func (cw *changeWriter) write(ch executor.Change) {
	b, err := jsonLine(newChangeRecord(ch))
	cw.mu.Lock()
	defer cw.mu.Unlock()
	if cw.err != nil {
		return
	}
	if err != nil {
		cw.err = fmt.Errorf("encoding a change record: %w", err)
		return
	}
	if _, err := cw.w.Write(b); err != nil {
		cw.err = fmt.Errorf("writing a change record: %w", err)
	}
}

func (cw *changeWriter) firstError() error {
	cw.mu.Lock()
	defer cw.mu.Unlock()
	return cw.err
}
