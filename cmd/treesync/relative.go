package main

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/treesync/treesync/executor"
	"github.com/treesync/treesync/filter"
)

// relativeOptions applies -R (without --files-from, whose list keeps its
// paths already): the sources become the directories their kept paths
// start from, each with the list of those paths. It returns the sources
// the run takes.
func relativeOptions(c *cli.Context, opts *executor.Options, sources []string) ([]string, error) {
	if !c.Bool("relative") || c.String("files-from") != "" {
		return sources, nil
	}
	groups, err := relativeGroups(sources)
	if err != nil {
		return nil, err
	}
	bases := make([]string, len(groups))
	for i, g := range groups {
		bases[i] = g.base
		list := filter.NewPathList([]byte(strings.Join(g.kept, "\x00")), true, opts.Policy.Recursive)
		opts.Lists = append(opts.Lists, executor.SourceList{List: list, NamePrefix: g.prefix})
	}
	return bases, nil
}

// relativeGroup is the -R sources keeping their paths from one directory.
type relativeGroup struct {
	base   string   // the directory, with a trailing slash
	prefix string   // "/" for absolute paths given without a "/./", which rsync prints so
	kept   []string // the paths, as given (a "./" start names the directory itself, as in rsync)
}

// relativeGroups sorts -R's sources by the directory their kept paths
// start from (rsync's way: after the first "/./", else the whole path, an
// absolute one without its leading slash, so /etc/hosts lands at
// DST/etc/hosts), in the order they were given.
func relativeGroups(sources []string) ([]relativeGroup, error) {
	var groups []relativeGroup
	index := map[[2]string]int{}
	for _, s := range sources {
		from, kept, dotted := splitRelative(s)
		if clean := path.Clean("/" + kept)[1:]; strings.Contains("/"+clean+"/", "/../") {
			return nil, fmt.Errorf("-R: %q keeps no path below %s", s, from)
		} else if clean == "" {
			kept = "." // ("DIR/./", or "." itself: the directory, as "DIR/")
		}
		g := relativeGroup{base: strings.TrimSuffix(filepath.Clean(from), "/") + "/"}
		if from == "/" && !dotted {
			g.prefix = "/"
		}
		k := [2]string{g.base, g.prefix}
		if _, ok := index[k]; !ok {
			index[k] = len(groups)
			groups = append(groups, g)
		}
		i := index[k]
		groups[i].kept = append(groups[i].kept, kept)
	}
	return groups, nil
}

// splitRelative splits an -R source into the directory its kept path
// starts from and that path; dotted says a "/./" marked the split.
func splitRelative(s string) (from, kept string, dotted bool) {
	if i := strings.Index(s, "/./"); i >= 0 {
		from, kept = s[:i], s[i+3:]
		if from == "" {
			from = "/"
		}
		return from, kept, true
	}
	if strings.HasPrefix(s, "/") {
		return "/", s, false
	}
	return ".", s, false
}

// filesFromOptions applies --files-from (with -0), whose paths are
// relative to the one source directory (named with a trailing slash or
// not, as in rsync). Where paths keep only what follows a "/./", the
// sources become the directories they start from, each with its paths
// (as -R's). As in rsync, -a then no longer implies -r: listed
// directories are copied with their contents only when -r is given
// explicitly. It returns the sources the run takes.
func filesFromOptions(c *cli.Context, opts *executor.Options, sources []string) ([]string, error) {
	name := c.String("files-from")
	if name == "" {
		return sources, nil
	}
	if len(sources) != 1 {
		return nil, fmt.Errorf("--files-from takes one source directory, not %d", len(sources))
	}
	data, err := operatorReader(c)(name)
	if err != nil {
		return nil, fmt.Errorf("--files-from: %w", err)
	}
	base := strings.TrimSuffix(sources[0], "/") + "/"
	dirs, lists := filter.DottedLists(data, c.Bool("from0"), c.Bool("recursive"))
	switch {
	case len(dirs) == 0:
		opts.FilesFrom = filter.NewPathList(nil, false, false)
		return []string{base}, nil
	case len(dirs) == 1 && dirs[0] == "":
		opts.FilesFrom = lists[0]
		return []string{base}, nil
	}
	out := make([]string, len(dirs))
	for i, dir := range dirs {
		opts.Lists = append(opts.Lists, executor.SourceList{List: lists[i], FilesFrom: true})
		out[i] = strings.TrimSuffix(base+dir, "/") + "/"
	}
	return out, nil
}
