package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/treesync/treesync/executor"
)

// deleteOptions reads the --delete family. Any --delete-WHEN implies --delete.
func deleteOptions(c *cli.Context, o *executor.Options) error {
	modes := map[string]executor.DeleteMode{"delete-during": executor.DeleteDuring,
		"delete-before": executor.DeleteBefore, "delete-after": executor.DeleteAfter, "delete-delay": executor.DeleteDelay}
	chosen := 0
	for name, m := range modes {
		if c.Bool(name) {
			o.DeleteMode = m
			o.Policy.Delete = true
			chosen++
		}
	}
	if chosen > 1 {
		return fmt.Errorf("choose one of --delete-during, --delete-before, --delete-after, --delete-delay")
	}
	if c.Bool("delete-excluded") {
		o.Policy.Delete = true
	}
	if o.DelayUpdates && o.DeleteMode != executor.DeleteBefore && o.DeleteMode != executor.DeleteAfter {
		o.DeleteMode = executor.DeleteAfter // as rsync: deletes follow the renames at the end
		o.DeletesDecidedDuring = true       // (rsync's are decided as it goes: -F's merge files as they were)
	}
	o.IgnoreErrors = c.Bool("ignore-errors")
	o.Policy.IgnoreErrors = o.IgnoreErrors
	o.AllowEmptySource = c.Bool("allow-empty-source")
	if s := c.String("max-delete"); s != "" {
		l, err := parseMaxDelete(s)
		if err != nil {
			return err
		}
		o.SetMaxDelete(l)
	}
	return nil
}

func parseMaxDelete(s string) (executor.DeleteLimit, error) {
	if p, ok := strings.CutSuffix(s, "%"); ok {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || v < 0 || v > 100 {
			return executor.DeleteLimit{}, fmt.Errorf("--max-delete: bad percentage %q", s)
		}
		return executor.DeleteLimit{Count: -1, Percent: v}, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return executor.DeleteLimit{}, fmt.Errorf("--max-delete: bad number %q", s)
	}
	if n < 0 {
		n = -1 // rsync: a negative value means no limit
	}
	return executor.DeleteLimit{Count: n}, nil
}

// backupOptions reads -b, --backup-dir (implies -b) and --suffix, and
// protects the backups from --delete as rsync does.
func backupOptions(c *cli.Context, o *executor.Options) {
	o.BackupDir = c.String("backup-dir")
	o.Backup = c.Bool("backup") || o.BackupDir != ""
	if !o.Backup {
		return
	}
	o.Suffix = "~"
	if o.BackupDir != "" {
		o.Suffix = ""
	}
	if c.IsSet("suffix") {
		o.Suffix = c.String("suffix")
	}
	if o.BackupDir == "" {
		o.Policy.ProtectSuffix = o.Suffix
	} else if !filepath.IsAbs(o.BackupDir) && !strings.HasPrefix(filepath.Clean(o.BackupDir), "..") {
		o.Policy.ProtectDir = filepath.ToSlash(filepath.Clean(o.BackupDir))
	}
}
