package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/treesync/treesync/executor"
)

// acceptedFlags are rsync's options that change nothing in a local copy
// (in rsync as in treesync): they tune the delta algorithm, compression
// or a remote shell's connection, which a local copy has not. treesync
// takes them, checking their values as rsync does, so that rsync's
// command lines run unchanged.
func acceptedFlags() []cli.Flag {
	aliases := func(alias string) []string {
		if alias == "" {
			return nil
		}
		return []string{alias}
	}
	s := func(name, alias, usage string) cli.Flag {
		return &cli.StringFlag{Name: name, Aliases: aliases(alias), Category: catRsync, Usage: usage}
	}
	i := func(name, alias, usage string) cli.Flag {
		return &cli.IntFlag{Name: name, Aliases: aliases(alias), Category: catRsync, Usage: usage}
	}
	return []cli.Flag{
		boolFlag("whole-file", "W", "copy whole files: what treesync always does, as rsync does for a local copy", catRsync),
		boolFlag("compress", "z", "a local copy has no transfer to compress", catRsync),
		s("compress-choice", "zc", "rsync's compression `NAME` (zstd, lz4, zlibx, zlib, none)"),
		i("compress-level", "zl", "compression `LEVEL`"),
		i("compress-threads", "zt", "compression `THREADS`"),
		s("skip-compress", "", "`SUFFIXES` not to compress"),
		s("block-size", "B", "delta `SIZE` (at most 128K): a local copy sends whole files"),
		i("checksum-seed", "", "`NUM` seeding rsync's block checksums"),
		s("checksum-choice", "cc", "`NAME` of rsync's digests: treesync compares contents byte by byte"),
		boolFlag("fuzzy", "y", "a basis file only serves a delta transfer", catRsync),
		boolFlag("open-noatime", "", "treesync always reads sources without changing their access times (O_NOATIME where the kernel allows)", catRsync),
		boolFlag("inc-recursive", "i-r", "treesync lists and copies each directory as it goes anyway (its --progress totals are counted first)", catRsync),
		s("max-alloc", "", "rsync's allocation `SIZE` limit: treesync's memory stays flat in tree size"),
		boolFlag("munge-links", "", "a local copy unmunges what it munges: links arrive as they are, in rsync as here", catRsync),
		&cli.BoolFlag{Name: "secluded-args", Aliases: []string{"s", "protect-args"}, Category: catRsync,
			Usage: "concerns how a remote shell gets the arguments"},
		boolFlag("old-args", "", "concerns how a remote shell gets the arguments", catRsync),
		s("rsh", "e", "remote shell `COMMAND`"),
		s("rsync-path", "", "remote rsync `PROGRAM`"),
		s("address", "", "local `ADDRESS` for a daemon connection"),
		i("port", "", "daemon `PORT`"),
		s("sockopts", "", "TCP `OPTIONS`"),
		boolFlag("blocking-io", "", "blocking I/O for a remote shell", catRsync),
		boolFlag("ipv4", "4", "a daemon connection over IPv4", catRsync),
		boolFlag("ipv6", "6", "a daemon connection over IPv6", catRsync),
		s("early-input", "", "`FILE` for a daemon's early exec input"),
		boolFlag("trust-sender", "", "concerns a remote sender's file list", catRsync),
		s("password-file", "", "refused as rsync refuses it without a daemon (`FILE`)"),
		i("contimeout", "", "refused as rsync refuses it without a daemon (`SECONDS`)"),
	}
}

// checkAccepted checks the values of acceptedFlags as rsync does: exit 1
// (executor.ExitUsage) for a malformed one, exit 4 for a compression or
// digest name rsync does not know.
func checkAccepted(c *cli.Context) (int, error) {
	if err := checkChecksumChoice(c.String("checksum-choice")); err != nil {
		return executor.ExitUnsupported, err
	}
	if name := c.String("compress-choice"); name != "" && !strings.Contains(" zstd lz4 zlibx zlib none auto ", " "+name+" ") {
		return executor.ExitUnsupported, fmt.Errorf("unknown compress name: %s", name)
	}
	if n, err := parseSize(c.String("block-size")); err != nil || n > 128<<10 {
		return executor.ExitUsage, fmt.Errorf("--block-size=%s is invalid (at most 128K)", c.String("block-size"))
	}
	if n, err := parseSize(c.String("max-alloc")); err != nil || (n != 0 && n < 1<<20) {
		return executor.ExitUsage, fmt.Errorf("--max-alloc=%s is invalid (at least 1M, or 0 for no limit)", c.String("max-alloc"))
	}
	for _, name := range []string{"password-file", "contimeout"} {
		if c.IsSet(name) {
			return executor.ExitUsage, errors.New("--" + name + " may only be used when accessing an rsync daemon")
		}
	}
	return 0, nil
}

// checkChecksumChoice accepts rsync's --checksum-choice names (one, or
// two separated by a comma): treesync compares contents byte by byte,
// which no digest choice changes; an unknown name is exit 4, as rsync.
func checkChecksumChoice(s string) error {
	if s == "" {
		return nil
	}
	for _, name := range strings.Split(s, ",") {
		switch name {
		case "auto", "xxh128", "xxh3", "xxh64", "xxhash", "md5", "md4", "sha1", "none":
		default:
			return fmt.Errorf("unknown checksum name: %s", name)
		}
	}
	return nil
}
