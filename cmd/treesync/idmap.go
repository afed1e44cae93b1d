package main

import (
	"fmt"
	"math"
	"os/exec"
	"os/user"
	"path"
	"strconv"
	"strings"
	"sync"
)

// idRule is one FROM:TO pair of --usermap or --groupmap: FROM is a name
// or a wildcard pattern matched against the source ID's name, or an ID
// or a range of them (pattern "").
type idRule struct {
	pattern string
	lo, hi  uint32
	to      uint32
}

// parseIDMap reads a --usermap or --groupmap list, "FROM:TO,...", the
// TO names looked up with lookup (lookupUser, lookupGroup).
func parseIDMap(s string, lookup func(string) (string, error)) ([]idRule, error) {
	var rules []idRule
	for _, pair := range strings.Split(s, ",") {
		from, to, ok := strings.Cut(pair, ":")
		if !ok || from == "" || to == "" {
			return nil, fmt.Errorf("%q is not FROM:TO", pair)
		}
		id, err := lookupID(to, lookup)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", to, err)
		}
		r := idRule{pattern: from, to: uint32(id)}
		if from == "*" { // every ID, named or not (as in rsync)
			r = idRule{lo: 0, hi: math.MaxUint32, to: uint32(id)}
		} else if lo, hi, ok := idRange(from); ok {
			r = idRule{lo: lo, hi: hi, to: uint32(id)}
		} else if _, err := path.Match(from, ""); err != nil {
			return nil, fmt.Errorf("%q: %w", from, err)
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// idRange reads an ID ("7") or a range of them ("5-10").
func idRange(s string) (lo, hi uint32, ok bool) {
	a, b, isRange := strings.Cut(s, "-")
	l, err1 := strconv.ParseUint(a, 10, 32)
	h, err2 := l, error(nil)
	if isRange {
		h, err2 = strconv.ParseUint(b, 10, 32)
	}
	return uint32(l), uint32(h), err1 == nil && err2 == nil
}

// idMapper returns the mapping the rules make, the first match winning
// (unmatched IDs stay), naming source IDs with name; results are cached.
func idMapper(rules []idRule, name func(uint32) (string, bool)) func(uint32) uint32 {
	var mu sync.Mutex
	cache := map[uint32]uint32{}
	return func(id uint32) uint32 {
		mu.Lock()
		defer mu.Unlock()
		if to, ok := cache[id]; ok {
			return to
		}
		to := mapID(rules, id, name)
		cache[id] = to
		return to
	}
}

// mapID maps one ID by the rules, looking its name up once, when a rule
// needs it.
func mapID(rules []idRule, id uint32, name func(uint32) (string, bool)) uint32 {
	n, named, looked := "", false, false
	for _, r := range rules {
		if r.pattern == "" {
			if r.lo <= id && id <= r.hi {
				return r.to
			}
			continue
		}
		if !looked {
			n, named = name(id)
			looked = true
		}
		if ok, _ := path.Match(r.pattern, n); named && ok {
			return r.to
		}
	}
	return id
}

// userName and groupName name an ID as the source system does (its
// files, then getent for NSS sources).
func userName(id uint32) (string, bool) {
	if u, err := user.LookupId(strconv.FormatUint(uint64(id), 10)); err == nil {
		return u.Username, true
	}
	return getentName("passwd", id)
}

func groupName(id uint32) (string, bool) {
	if g, err := user.LookupGroupId(strconv.FormatUint(uint64(id), 10)); err == nil {
		return g.Name, true
	}
	return getentName("group", id)
}

// getentName returns the name (first field) of id in an NSS database.
func getentName(db string, id uint32) (string, bool) {
	out, err := exec.Command("getent", db, strconv.FormatUint(uint64(id), 10)).Output()
	if err != nil {
		return "", false
	}
	name, _, ok := strings.Cut(strings.TrimSpace(string(out)), ":")
	return name, ok && name != ""
}
