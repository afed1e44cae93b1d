package main

import (
	"fmt"
	"os/exec"
	"os/user"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/treesync/treesync/planner"
)

// buildTransform parses --chmod and --chown. --chown implies preserving
// the owner and group it names, as in rsync: the owner only as root, the
// group also as an ordinary user, where it is one of the user's.
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
		pol.Owner = pol.Root && (pol.Owner || t.UID >= 0) && !c.Bool("no-owner") // (a --no-o after it)
		pol.Group = (pol.Group || t.GID >= 0) && !c.Bool("no-group")
	}
	if err := idMaps(c, t, pol); err != nil {
		return nil, err
	}
	if !t.Active() {
		return nil, nil
	}
	t.KeepIDs = c.String("out-format") != "" || c.String("log-file-format") != "" // (%U and %G show the ids before the maps)
	return t, nil
}

// idMaps reads --usermap and --groupmap, which turn on -o (as root) and
// -g (an ordinary user's run then gives its own groups), as rsync's do;
// --chown is the same as "*:USER" and "*:GROUP", so it goes with
// neither.
func idMaps(c *cli.Context, t *planner.Transform, pol *planner.Policy) error {
	for _, m := range []struct {
		flag   string
		lookup func(string) (string, error)
		name   func(uint32) (string, bool)
		set    func(func(uint32) uint32)
	}{
		{"usermap", lookupUser, userName, func(f func(uint32) uint32) { t.MapUID, pol.Owner = f, pol.Root && !c.Bool("no-owner") }},
		{"groupmap", lookupGroup, groupName, func(f func(uint32) uint32) { t.MapGID, pol.Group = f, !c.Bool("no-group") }},
	} {
		s := c.String(m.flag)
		if s == "" {
			continue
		}
		if c.String("chown") != "" {
			return fmt.Errorf("--chown cannot be used with --%s (it is --usermap=*:USER --groupmap=*:GROUP)", m.flag)
		}
		rules, err := parseIDMap(s, m.lookup)
		if err != nil {
			return fmt.Errorf("--%s: %w", m.flag, err)
		}
		m.set(idMapper(rules, m.name))
	}
	return nil
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

// lookupUser and lookupGroup read /etc/passwd and /etc/group (treesync
// is built without cgo: a static binary starts 1 ms sooner) and ask
// getent, which consults every NSS source (LDAP, sssd), for names those
// files lack — the answer rsync's getpwnam would give.
func lookupUser(name string) (string, error) {
	u, err := user.Lookup(name)
	if err == nil {
		return u.Uid, nil
	}
	if id, ok := getent("passwd", name); ok {
		return id, nil
	}
	return "", err
}

func lookupGroup(name string) (string, error) {
	g, err := user.LookupGroup(name)
	if err == nil {
		return g.Gid, nil
	}
	if id, ok := getent("group", name); ok {
		return id, nil
	}
	return "", err
}

// getent returns the id (third field) of name in an NSS database.
func getent(db, name string) (string, bool) {
	out, err := exec.Command("getent", db, "--", name).Output()
	if err != nil {
		return "", false
	}
	fields := strings.Split(strings.TrimSpace(string(out)), ":")
	if len(fields) < 3 || fields[0] != name {
		return "", false
	}
	if _, err := strconv.Atoi(fields[2]); err != nil {
		return "", false
	}
	return fields[2], true
}

// idsAsked reports whether -o and -g were asked for: by themselves, by
// -a, or by --chown's or a map's user and group (unless a --no- form
// came after), whether or not this run can keep them; --out-format's %U
// and %G show the ids then, as rsync's do.
func idsAsked(c *cli.Context) (owner, group bool) {
	u, g, _ := strings.Cut(c.String("chown"), ":")
	return archivePart(c, "owner", u != "" || c.String("usermap") != ""), archivePart(c, "group", g != "" || c.String("groupmap") != "")
}
