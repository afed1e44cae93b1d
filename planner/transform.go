package planner

// Transform rewrites source entries before they are compared and applied:
// --chmod and --chown. Its zero value changes nothing.
type Transform struct {
	Chmod Chmod
	UID   int // -1: keep
	GID   int // -1: keep
	// MapUID and MapGID, when set, map each owner and group
	// (--usermap, --groupmap).
	MapUID, MapGID func(uint32) uint32
}

// Active reports whether t changes anything.
func (t *Transform) Active() bool {
	return t != nil && (len(t.Chmod) > 0 || t.UID >= 0 || t.GID >= 0 || t.MapUID != nil || t.MapGID != nil)
}

// Apply rewrites e in place.
func (t *Transform) Apply(e *Entry) {
	if !t.Active() {
		return
	}
	if len(t.Chmod) > 0 && e.Kind != KindSymlink {
		e.Mode = t.Chmod.Apply(e.Mode, e.Kind == KindDir)
	}
	if t.UID >= 0 {
		e.UID = uint32(t.UID)
	}
	if t.GID >= 0 {
		e.GID = uint32(t.GID)
	}
	if t.MapUID != nil {
		e.UID = t.MapUID(e.UID)
	}
	if t.MapGID != nil {
		e.GID = t.MapGID(e.GID)
	}
}
