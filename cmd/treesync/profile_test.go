package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStartProfiles(t *testing.T) {
	dir := t.TempDir()
	paths := map[string]string{}
	for _, env := range []string{"TREESYNC_CPUPROFILE", "TREESYNC_TRACE", "TREESYNC_MEMPROFILE"} {
		paths[env] = filepath.Join(dir, env)
		t.Setenv(env, paths[env])
	}
	var stderr strings.Builder
	startProfiles(&stderr)()
	if stderr.Len() > 0 {
		t.Errorf("stderr: %s", stderr.String())
	}
	for env, p := range paths {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v (want a non-empty file)", env, err)
		}
	}
}

func TestStartProfilesBadPath(t *testing.T) {
	t.Setenv("TREESYNC_TRACE", filepath.Join(t.TempDir(), "missing", "trace"))
	var stderr strings.Builder
	startProfiles(&stderr)()
	if !strings.Contains(stderr.String(), "treesync: trace: open ") {
		t.Errorf("stderr %q, want the trace error", stderr.String())
	}
}
