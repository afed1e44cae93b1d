package planner

import "encoding/binary"

// Transform rewrites source entries before they are compared and applied:
// --chmod and --chown. Its zero value changes nothing.
type Transform struct {
	Chmod Chmod
	UID   int // -1: keep
	GID   int // -1: keep
	// MapUID and MapGID, when set, map each owner and group
	// (--usermap, --groupmap).
	MapUID, MapGID func(uint32) uint32
	// KeepIDs keeps an entry's own owner and group where they are
	// mapped (Entry.OwnIDs), which --out-format's %U and %G show.
	KeepIDs bool
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
	uid, gid := mapID(e.UID, t.UID, t.MapUID), mapID(e.GID, t.GID, t.MapGID)
	if t.KeepIDs && (uid != e.UID || gid != e.GID) {
		own := [2]uint32{e.UID, e.GID}
		e.change(func(r *rare) { r.ownIDs = &own })
	}
	e.UID, e.GID = uid, gid
}

// ACL returns the value of an ACL (system.posix_acl_access or _default)
// with its named users and groups mapped as owners and groups are
// (--chown, --usermap, --groupmap), as rsync maps them; v itself when t
// maps no ids.
func (t *Transform) ACL(v []byte) []byte {
	if t == nil || (t.UID < 0 && t.GID < 0 && t.MapUID == nil && t.MapGID == nil) {
		return v
	}
	out := append([]byte(nil), v...)
	aclEntries(out, func(e []byte, tag uint16) {
		id := binary.LittleEndian.Uint32(e[4:])
		switch tag {
		case aclUser:
			id = mapID(id, t.UID, t.MapUID)
		case aclGroup:
			id = mapID(id, t.GID, t.MapGID)
		}
		binary.LittleEndian.PutUint32(e[4:], id)
	})
	return out
}

// mapID gives id the fixed one (-1: none), then the mapping (nil: none).
func mapID(id uint32, fixed int, mapping func(uint32) uint32) uint32 {
	if fixed >= 0 {
		id = uint32(fixed)
	}
	if mapping != nil {
		id = mapping(id)
	}
	return id
}
