package executor

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A source file that changes between its listing and its removal stays
// in the source, with an error; the others go.
func TestRemoveSourceKeepsChangedFile(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	writeFiles(t, src, "changed", "kept/g", "same")
	if err := os.WriteFile(filepath.Join(dst, "same"), []byte("data of same"), 0o640); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(filepath.Join(src, "same"))
	_ = os.Chtimes(filepath.Join(dst, "same"), st.ModTime(), st.ModTime())
	h := &hookFS{beforeCopy: func(dir, name string) {
		if name == "g" { // after the root was listed, before its removals
			_ = os.Chtimes(filepath.Join(src, "changed"), time.Now(), time.Unix(1e9, 0))
		}
	}}
	res := runHooked(t, context.Background(), h, []string{src + "/"}, dst, func(o *Options) {
		o.Jobs, o.RemoveSourceFiles, o.Policy.ListCurrent = 1, true, true
	})
	if res.ExitCode != ExitPartial {
		t.Errorf("exit code %d, want %d: %v", res.ExitCode, ExitPartial, res.Errors)
	}
	for name, want := range map[string]bool{"changed": true, "kept/g": false, "same": false, "kept": true} {
		if _, err := os.Lstat(filepath.Join(src, name)); (err == nil) != want {
			t.Errorf("source %s: present %v, want %v", name, err == nil, want)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dst, "kept/g")); err != nil || string(b) != "data of kept/g" {
		t.Errorf("copy of kept/g: %q %v", b, err)
	}
}
