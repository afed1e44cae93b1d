package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// trustedLinks makes, in a directory both the user and root can reach:
// real/ (the symlinks' target, holding a rules file ex), home/ owned by
// owner holding its symlink link -> real (owned by owner too), mine ->
// real owned by root, and src/f. It returns the directory.
func trustedLinks(t *testing.T, owner int, how runs) string {
	t.Helper()
	dir := how.dir(t)
	for _, d := range []string{"real", "home", "src", "dst"} {
		must(t, os.MkdirAll(filepath.Join(dir, d), 0o755))
	}
	must(t, os.WriteFile(filepath.Join(dir, "src/f"), []byte("data"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "real/ex"), []byte("- nothing\n"), 0o644))
	must(t, os.Symlink(filepath.Join(dir, "real"), filepath.Join(dir, "home/link")))
	must(t, os.Lchown(filepath.Join(dir, "home/link"), owner, owner))
	must(t, os.Chown(filepath.Join(dir, "home"), owner, owner))
	must(t, os.Symlink(filepath.Join(dir, "real"), filepath.Join(dir, "mine")))
	return dir
}

// untrustedCases are the command lines of TestUntrustedLinksVsRsync, in
// base: L is home/link, a symlink another user owns.
func untrustedCases(base string) [][]string {
	L, src, dst := filepath.Join(base, "home/link"), filepath.Join(base, "src")+"/", filepath.Join(base, "dst")+"/"
	return [][]string{
		{"-a", src, L + "/"},
		{"-a", src, L},
		{"-a", src, L + "/sub/"},
		{"-a", "--mkpath", src, L + "/a/b/"},
		{"-a", filepath.Join(src, "f"), L + "/"},
		{"-a", filepath.Join(src, "f"), L + "/newname"},
		{"-ab", "--backup-dir=" + L, src, dst},
		{"-ab", "--backup-dir=" + L, filepath.Join(base, "real/ex"), filepath.Join(base, "src/f")},
		{"-a", "--temp-dir=" + L, src, dst},
		{"-a", "--link-dest=" + L, src, dst},
		{"-a", "--compare-dest=../home/link", src, dst},
		{"-a", "--log-file=" + L + "/log", src, dst},
		{"-a", "--exclude-from=" + L + "/ex", src, dst},
		{"-a", "--files-from=" + L + "/ex", src, dst},
		{"-a", "--filter=merge " + L + "/ex", src, dst},
	}
}

// TestUntrustedLinksVsRsync: a symlink on a path the command line names
// (the destination, --backup-dir, --temp-dir, a reference tree, the log
// and rules files) that neither root nor the running user owns is not
// followed, as rsync 3.5 refuses it — whoever planted it (in a directory
// they may write) could send a root run's writes anywhere. Nothing may
// appear behind the link, and the exit code must be rsync's; the run
// goes on where rsync's does (a reference tree, the log file left out).
// Root's own symlinks and, under --insecure-links, any are followed.
func TestUntrustedLinksVsRsync(t *testing.T) {
	requireRoot(t)
	requireTool(t, "rsync")
	for i, c := range untrustedCases("BASE") {
		t.Run(strings.ReplaceAll(strings.Join(c, " "), "BASE/", ""), func(t *testing.T) {
			codes := map[string]int{}
			for _, tool := range []string{binary, "rsync"} {
				base := trustedLinks(t, 65534, rootRuns{})
				argv := untrustedCases(base)[i]
				r := execIn(t, filepath.Join(base, "dst"), append([]string{tool}, argv...)...)
				codes[tool] = r.code
				names, err := os.ReadDir(filepath.Join(base, "real"))
				if err != nil || len(names) != 1 || names[0].Name() != "ex" {
					// (rsync makes a missing destination's directories
					// behind the link before it refuses the link)
					if _, ferr := os.Stat(filepath.Join(base, "real/f")); tool == binary || ferr == nil {
						t.Errorf("%s wrote behind another user's symlink: %v %v\n%s", tool, names, err, r)
					}
				}
				if tool == binary && r.code != 0 && !strings.Contains(r.stderr, "refusing to follow symlink "+filepath.Join(base, "home/link")) {
					t.Errorf("the refusal must name the link:\n%s", r)
				}
			}
			if codes[binary] != codes["rsync"] && !slices.Contains(c, "--mkpath") {
				// (--mkpath: rsync 3.5 exits 11 for a relative path, 3 for
				// an absolute one, after making the directories behind the
				// link; treesync 3 for both)
				t.Errorf("exit %d, rsync %d", codes[binary], codes["rsync"])
			}
		})
	}
	t.Run("followed", func(t *testing.T) {
		base := trustedLinks(t, 65534, rootRuns{})
		src := filepath.Join(base, "src") + "/"
		mustRun(t, treesync, "-a", src, filepath.Join(base, "mine")+"/")
		mustRun(t, treesync, "-a", "--insecure-links", src, filepath.Join(base, "home/link/sub")+"/")
		for _, f := range []string{"real/f", "real/sub/f"} {
			if _, err := os.Stat(filepath.Join(base, f)); err != nil {
				t.Errorf("root's link, or --insecure-links: %v", err)
			}
		}
	})
}

// TestUntrustedLinksAsOrdinaryUser: run by uid 65534, its own symlinks
// and root's are followed, another user's (65533) is refused, as rsync.
func TestUntrustedLinksAsOrdinaryUser(t *testing.T) {
	requireRoot(t)
	requireTool(t, "rsync")
	for _, c := range []struct {
		owner int
		link  string
		code  int
	}{{65534, "home/link", 0}, {0, "mine", 0}, {65533, "home/link", 3}} {
		for _, tool := range []string{"treesync", "rsync"} {
			base := trustedLinks(t, c.owner, userRuns{})
			must(t, os.Chown(filepath.Join(base, "real"), 65534, 65534))
			bin := tool
			if tool == "treesync" {
				bin = userRuns{}.binary(t, base)
			}
			r := runAsUser(t, bin, "-a", filepath.Join(base, "src")+"/", filepath.Join(base, c.link)+"/")
			_, err := os.Stat(filepath.Join(base, "real/f"))
			if r.code != c.code || (err == nil) != (c.code == 0) {
				t.Errorf("%s, link owned by %d: want exit %d and the copy made %v, got %v\n%s", tool, c.owner, c.code, c.code == 0, err, r)
			}
		}
	}
}
