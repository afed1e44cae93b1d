package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/treesync/treesync/executor"
)

// altDestOptions reads --compare-dest, --copy-dest, --link-dest and
// --clone-dest: one kind at a time, up to 20 directories, as rsync.
func altDestOptions(c *cli.Context, o *executor.Options) error {
	kinds := []struct {
		flag string
		mode executor.AltMode
	}{{"compare-dest", executor.AltCompare}, {"copy-dest", executor.AltCopy},
		{"link-dest", executor.AltLink}, {"clone-dest", executor.AltClone}}
	for _, k := range kinds {
		dirs := c.StringSlice(k.flag)
		if len(dirs) == 0 {
			continue
		}
		if o.AltMode != executor.AltNone {
			return fmt.Errorf("use only one of --compare-dest, --copy-dest, --link-dest, --clone-dest")
		}
		if len(dirs) > 20 {
			return fmt.Errorf("--%s: at most 20 directories", k.flag)
		}
		o.AltMode, o.AltDests = k.mode, dirs
	}
	return nil
}
