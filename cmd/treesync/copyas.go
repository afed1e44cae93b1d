package main

import (
	"fmt"
	"os/user"
	"strconv"
	"strings"

	"github.com/treesync/treesync/platform"
)

// copyAs runs the rest of the process as USER[:GROUP] (--copy-as): a
// local copy's both sides, as in rsync, so that a run started as root
// reads and writes only what that user may. Without a group the user's
// own groups are taken. A name or number that is no user or group is a
// usage error; so is a change the process may not make.
func copyAs(spec string) error {
	name, group, withGroup := strings.Cut(spec, ":")
	u, err := lookup(name, user.Lookup, user.LookupId)
	if err != nil {
		return fmt.Errorf("invalid copy-as user: %s", name)
	}
	gid, groups := u.Gid, []string{u.Gid}
	if withGroup {
		g, err := lookup(group, user.LookupGroup, user.LookupGroupId)
		if err != nil {
			return fmt.Errorf("invalid copy-as group: %s", group)
		}
		gid, groups = g.Gid, []string{g.Gid}
	} else if more, err := u.GroupIds(); err == nil {
		groups = more
	}
	ids, err := atois(append([]string{u.Uid, gid}, groups...))
	if err != nil {
		return fmt.Errorf("copy-as %s: %w", spec, err)
	}
	return platform.SetIDs(ids[0], ids[1], ids[2:])
}

// lookup finds a user or group by name, else by number.
func lookup[T any](s string, byName, byID func(string) (T, error)) (T, error) {
	v, err := byName(s)
	if err != nil {
		if _, nerr := strconv.ParseUint(s, 10, 32); nerr == nil {
			return byID(s)
		}
	}
	return v, err
}

func atois(ss []string) ([]int, error) {
	out := make([]int, len(ss))
	for i, s := range ss {
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}
