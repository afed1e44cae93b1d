//go:build unix && !linux && !darwin

package platform

// reflinkByDescriptor: no cloning on these systems.
const reflinkByDescriptor = false

func (c *Copier) cloneNew(*pairCaps, int, Stat, int, string, uint32) (int, CopyResult, bool, error) {
	return -1, CopyResult{}, false, nil
}
