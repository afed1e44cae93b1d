package main

import (
	"fmt"
	"os/user"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/treesync/treesync/planner"
)

// buildTransform parses --chmod and --chown. --chown implies preserving
// the owner and group it names (effective as root, as in rsync).
func buildTransform(c *cli.Context, pol *planner.Policy) (*planner.Transform, error) {
	t := &planner.Transform{UID: -1, GID: -1}
	if s := c.String("chmod"); s != "" {
		ch, err := planner.ParseChmod(s)
		if err != nil {
			return nil, err
		}
		t.Chmod = ch
	}
	if s := c.String("chown"); s != "" {
		u, g, _ := strings.Cut(s, ":")
		var err error
		if t.UID, err = lookupID(u, lookupUser); err != nil {
			return nil, fmt.Errorf("--chown: %w", err)
		}
		if t.GID, err = lookupID(g, lookupGroup); err != nil {
			return nil, fmt.Errorf("--chown: %w", err)
		}
		pol.Owner = pol.Root && (pol.Owner || t.UID >= 0)
		pol.Group = pol.Root && (pol.Group || t.GID >= 0)
	}
	if !t.Active() {
		return nil, nil
	}
	return t, nil
}

func lookupID(name string, lookup func(string) (string, error)) (int, error) {
	if name == "" {
		return -1, nil
	}
	if n, err := strconv.Atoi(name); err == nil && n >= 0 {
		return n, nil
	}
	id, err := lookup(name)
	if err != nil {
		return -1, err
	}
	return strconv.Atoi(id)
}

func lookupUser(name string) (string, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return "", err
	}
	return u.Uid, nil
}

func lookupGroup(name string) (string, error) {
	g, err := user.LookupGroup(name)
	if err != nil {
		return "", err
	}
	return g.Gid, nil
}
