package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/treesync/treesync/platform"
)

// probeCapabilities runs every probe for the pair.
func probeCapabilities(src, dst string, cp platform.CopyOptions) (*capReport, error) {
	r := &capReport{}
	var err error
	if r.src, err = probeDir(src); err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	if r.dst, err = probeDir(dst); err != nil {
		return nil, fmt.Errorf("destination: %w", err)
	}
	if r.srcDev, err = deviceOf(r.src); err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	if r.dstDev, err = deviceOf(r.dst); err != nil {
		return nil, fmt.Errorf("destination: %w", err)
	}
	r.sameFS = r.srcDev == r.dstDev
	r.srcFS, r.dstFS = fsName(r.src), fsName(r.dst)
	r.reflink, r.kernel = platform.ProbeReflink(r.dst), platform.ProbeCopyRange("", r.dst)
	if f := firstSourceFile(r.src); f != "" && !r.sameFS {
		r.kernelPair, r.kernelPairTested = platform.ProbeCopyRange(f, r.dst), true
	}
	r.sparse, r.xattr, r.acl = platform.ProbeSparse(r.dst), platform.ProbeXattr(r.dst), platform.ProbeACL(r.dst)
	if p, err := platform.ProbeMtimePrecision(r.dst); err != nil {
		r.mtime = "unknown (" + err.Error() + ")"
	} else {
		r.mtime = p.String()
	}
	r.method = r.chooseMethod(cp)
	return r, nil
}

func fsName(dir string) string {
	name, err := platform.FSType(dir)
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	return name
}

// chooseMethod is the copy method treesync would use for a non-sparse
// file from SRC to DST under the --reflink and --copy-method options.
func (r *capReport) chooseMethod(cp platform.CopyOptions) string {
	cloneOK := r.sameFS && r.reflink == nil
	pairKernel := r.kernel == nil && (r.sameFS || (r.kernelPairTested && r.kernelPair == nil))
	switch {
	case cp.Reflink == platform.ReflinkAlways && !cloneOK:
		return "none: --reflink=always fails, the pair cannot clone"
	case cp.Reflink != platform.ReflinkNever && cp.Method == platform.CopyAuto && cloneOK:
		return "reflink"
	case cp.Sparse:
		return "buffered, blocks of zeros left as holes (-S)"
	case cp.Reflink != platform.ReflinkNever && cp.Method != platform.CopyBuffered && pairKernel:
		return "copy_file_range"
	}
	return "buffered"
}

func yesNo(err error) string {
	if err == nil {
		return "yes"
	}
	return "no (" + err.Error() + ")"
}

// write prints the report as aligned "name: value" lines.
func (r *capReport) write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	line := func(k, v string) { fmt.Fprintf(tw, "%s:\t%s\n", k, v) }
	line("source", fmt.Sprintf("%s (%s, device %d)", r.src, r.srcFS, r.srcDev))
	line("destination", fmt.Sprintf("%s (%s, device %d)", r.dst, r.dstFS, r.dstDev))
	line("same filesystem", yesNo(boolErr(r.sameFS, "different devices")))
	line("reflink in destination", yesNo(r.reflink))
	line("reflink source->destination", yesNo(firstErr(boolErr(r.sameFS, "different filesystems"), r.reflink)))
	line("copy_file_range in destination", yesNo(r.kernel))
	switch {
	case r.sameFS:
		line("copy_file_range source->destination", yesNo(r.kernel))
	case r.kernelPairTested:
		line("copy_file_range source->destination", yesNo(r.kernelPair))
	default:
		line("copy_file_range source->destination", "untested (no regular file at the top of the source)")
	}
	line("sparse files (SEEK_DATA/SEEK_HOLE)", yesNo(r.sparse))
	line("xattrs (user.*)", yesNo(r.xattr))
	line("POSIX ACLs", yesNo(r.acl))
	line("mtime precision", r.mtime)
	line("copy method", r.method)
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing the capabilities: %w", err)
	}
	return nil
}

func boolErr(ok bool, msg string) error {
	if ok {
		return nil
	}
	return fmt.Errorf("%s", msg)
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
