//go:build unix && !linux

package platform

// copyData copies with a buffer: these systems have no copy_file_range
// (macOS clones first, in cloneNew).
func (c *Copier) copyData(_ *pairCaps, src, dst int, _ Stat, done <-chan struct{}) (CopyResult, error) {
	m, n, err := c.copyBuffered(src, dst, 0, -1, done)
	return CopyResult{Method: m, Bytes: n}, err
}

func defaultKernelCalls() kernelCalls { return kernelCalls{} }

func (c *Copier) copyKernel(*pairCaps, int, int, int64, int64, <-chan struct{}) (int64, bool, error) {
	return 0, false, nil
}
