package main

import (
	"fmt"
	"testing"
)

func TestIDMap(t *testing.T) {
	names := map[uint32]string{0: "root", 7: "lp", 100: "rob"}
	name := func(id uint32) (string, bool) { n, ok := names[id]; return n, ok }
	lookup := func(n string) (string, error) {
		for id, m := range names {
			if m == n {
				return fmt.Sprint(id), nil
			}
		}
		return "", fmt.Errorf("no user %s", n)
	}
	rules, err := parseIDMap("r*:1000,5-10:77,lp:9,0:root,*:lp", lookup)
	if err != nil {
		t.Fatal(err)
	}
	m := idMapper(rules, name)
	for id, want := range map[uint32]uint32{0: 1000, 100: 1000, 7: 77, 3: 7, 4242: 7} {
		if got := m(id); got != want {
			t.Errorf("%d maps to %d, want %d", id, got, want)
		}
	}
	for _, bad := range []string{"", "a", "a:", ":b", "x:nosuchuser", "[:1"} {
		if _, err := parseIDMap(bad, lookup); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
