//go:build unix && !linux

package platform

import "fmt"

// copyData copies with a buffer: these systems have no copy_file_range
// (macOS clones first, in cloneNew). Under -S, dst gets its size first
// and the blocks of zeros are left as holes.
func (c *Copier) copyData(p *pairCaps, src, dst int, st Stat, done <-chan struct{}) (CopyResult, error) {
	if c.opts.Sparse && st.Size > 0 {
		if err := Ftruncate(dst, st.Size); err != nil {
			return CopyResult{}, fmt.Errorf("truncate: %w", err)
		}
		m, n, err := c.copyExtent(p, src, dst, 0, st.Size, done)
		return CopyResult{Method: m, Bytes: n, HoleBytes: max(st.Size-n, 0)}, err
	}
	m, n, err := c.copyBuffered(src, dst, 0, -1, done)
	return CopyResult{Method: m, Bytes: n}, err
}

func defaultKernelCalls() kernelCalls { return kernelCalls{} }

func (c *Copier) copyKernel(*pairCaps, int, int, int64, int64, <-chan struct{}) (int64, bool, error) {
	return 0, false, nil
}
