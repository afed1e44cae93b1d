//go:build unix && !linux && !darwin

package platform

// reflinkByDescriptor: no cloning on these systems.
const reflinkByDescriptor = false

func (c *Copier) cloneNew(*pairCaps, int, Stat, int, string, uint32) (int, CopyResult, bool, error) {
	return -1, CopyResult{}, false, nil
}

// copyData copies with a buffer, the one method every system has.
func (c *Copier) copyData(_ *pairCaps, src, dst int, _ Stat, done <-chan struct{}) (CopyResult, error) {
	m, n, err := c.copyBuffered(src, dst, 0, -1, done)
	return CopyResult{Method: m, Bytes: n}, err
}

func defaultKernelCalls() kernelCalls { return kernelCalls{} }

func (c *Copier) copyKernel(*pairCaps, int, int, int64, int64, <-chan struct{}) (int64, bool, error) {
	return 0, false, nil
}
