package main

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/treesync/treesync/executor"
	"github.com/treesync/treesync/filter"
)

// relativeOptions applies -R (without --files-from, whose list keeps its
// paths already): the sources become one directory and the list of their
// paths below it. It returns the sources the run takes.
func relativeOptions(c *cli.Context, opts *executor.Options, sources []string) ([]string, error) {
	if !c.Bool("relative") || opts.FilesFrom != nil {
		return sources, nil
	}
	base, list, err := relativeSources(sources, opts.Policy.Recursive)
	if err != nil {
		return nil, err
	}
	opts.FilesFrom = list
	if strings.HasPrefix(base, "/") && !strings.Contains(strings.Join(sources, "\x00"), "/./") {
		opts.NamePrefix = "/" // rsync shows the kept paths of absolute sources as they were given
	}
	return []string{base}, nil
}

// relativeSources turns -R's sources into one source directory and the
// list of paths below it to keep at the destination, rsync's way: a path
// is kept from after its first "/./", else whole (an absolute one
// without its leading slash: /etc/hosts lands at DST/etc/hosts). The
// transfer then runs as a --files-from list, which takes the directories
// leading to each path (rsync's implied directories) with it. All
// sources must start their kept paths in the same directory.
func relativeSources(sources []string, recursive bool) (string, *filter.PathList, error) {
	base, list := "", make([]string, 0, len(sources))
	for _, s := range sources {
		from, kept := splitRelative(s)
		if clean := path.Clean("/" + kept)[1:]; clean == "" || strings.Contains("/"+clean+"/", "/../") {
			return "", nil, fmt.Errorf("-R: %q keeps no path below %s", s, from)
		}
		if base != "" && filepath.Clean(from) != filepath.Clean(base) {
			return "", nil, errors.New("-R: the sources must keep their paths from the same directory (" + base + ", " + from + ")")
		}
		base = from
		list = append(list, kept) // as given: a "./" start names the directory itself, as in rsync
	}
	return strings.TrimSuffix(base, "/") + "/", filter.NewPathList([]byte(strings.Join(list, "\x00")), true, recursive), nil
}

// splitRelative splits an -R source into the directory its kept path
// starts from and that path.
func splitRelative(s string) (from, kept string) {
	if i := strings.Index(s, "/./"); i >= 0 {
		from, kept = s[:i], s[i+3:]
		if from == "" {
			from = "/"
		}
		return from, kept
	}
	if strings.HasPrefix(s, "/") {
		return "/", s
	}
	return ".", s
}
