//go:build linux

package main

import "testing"

// TestLookupNames resolves names the way --chown does, against the
// entries /etc/passwd and /etc/group hold on this machine.
func TestLookupNames(t *testing.T) {
	if uid, err := lookupID("root", lookupUser); err != nil || uid != 0 {
		t.Errorf("root: uid %d, %v; want 0", uid, err)
	}
	if gid, err := lookupID("root", lookupGroup); err != nil || gid != 0 {
		t.Errorf("root group: gid %d, %v; want 0", gid, err)
	}
	if id, err := lookupID("4242", lookupUser); err != nil || id != 4242 {
		t.Errorf("numeric: %d, %v", id, err)
	}
	if id, err := lookupID("", lookupUser); err != nil || id != -1 {
		t.Errorf("empty: %d, %v; want -1 (unchanged)", id, err)
	}
	if _, err := lookupID("no-such-user-treesync", lookupUser); err == nil {
		t.Error("unknown user resolved")
	}
}

// TestGetent checks the NSS fallback on an entry every system has.
func TestGetent(t *testing.T) {
	if id, ok := getent("passwd", "root"); !ok || id != "0" {
		t.Errorf("getent passwd root: %q %v", id, ok)
	}
	if _, ok := getent("group", "no-such-group-treesync"); ok {
		t.Error("unknown group resolved")
	}
}
