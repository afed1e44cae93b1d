//go:build linux

package platform

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// trustTree makes, in a temporary directory: real/f, a root-owned
// symlink good -> real, a relative one up -> ../t/real (t being the
// temporary directory's own name, reached through ..), and others' ->
// real owned by uid 65534; it returns the directory.
func trustTree(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		msg := "giving a symlink another owner needs root"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "real/sub"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "real/f"), []byte("f"), 0o644))
	must(os.Symlink(filepath.Join(dir, "real"), filepath.Join(dir, "good")))
	must(os.Symlink("../"+filepath.Base(dir)+"/real", filepath.Join(dir, "up")))
	must(os.Symlink(filepath.Join(dir, "real"), filepath.Join(dir, "others")))
	must(os.Lchown(filepath.Join(dir, "others"), 65534, 65534))
	must(os.Symlink("loop2", filepath.Join(dir, "loop1")))
	must(os.Symlink("loop1", filepath.Join(dir, "loop2")))
	must(os.Symlink("others/sub", filepath.Join(dir, "via")))
	return dir
}

func TestOpenDirTrusted(t *testing.T) {
	dir := trustTree(t)
	realSt, err := Statat(CurrentDir, filepath.Join(dir, "real/sub"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"good/sub", "good/sub/", "up/sub", "good/../real/sub", "real/./sub", "good/sub/.", "real/sub"} {
		fd, err := OpenDirTrusted(filepath.Join(dir, p))
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		st, _ := Fstat(fd)
		_ = Close(fd)
		if st.Ino != realSt.Ino {
			t.Errorf("%s: opened another directory", p)
		}
	}
	for _, p := range []string{"others", "others/", "others/sub", "via", "via/"} {
		fd, err := OpenDirTrusted(filepath.Join(dir, p))
		var ue *UntrustedLinkError
		if err == nil {
			_ = Close(fd)
		}
		if !errors.As(err, &ue) || ue.UID != 65534 || ue.Link != filepath.Join(dir, "others") || !errors.Is(err, unix.ELOOP) {
			t.Errorf("%s: want the link refused (ELOOP), got %v", p, err)
		}
		if CheckTrusted(filepath.Join(dir, p, "missing/deeper")) == nil {
			t.Errorf("%s: CheckTrusted passed it", p)
		}
	}
	if _, err := OpenDirTrusted(filepath.Join(dir, "loop1")); !errors.Is(err, unix.ELOOP) {
		t.Errorf("a loop: want ELOOP, got %v", err)
	}
	for _, p := range []string{"good/missing/deeper", "real/f/x", "nothing", "good/sub"} {
		if err := CheckTrusted(filepath.Join(dir, p)); err != nil {
			t.Errorf("CheckTrusted %s: %v", p, err)
		}
	}
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	if err := os.Chdir(filepath.Join(dir, "real")); err != nil {
		t.Fatal(err)
	}
	if fd, err := OpenDirTrusted("../good/sub"); err != nil {
		t.Errorf("relative: %v", err)
	} else {
		_ = Close(fd)
	}
	if _, err := OpenDirTrusted("../others/sub"); err == nil {
		t.Error("relative: the untrusted link was followed")
	}
}

func TestOpenFileTrusted(t *testing.T) {
	dir := trustTree(t)
	flags := os.O_WRONLY | os.O_CREATE | os.O_APPEND
	f, err := OpenFileTrusted(filepath.Join(dir, "good/log"), flags, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	if _, err := os.Stat(filepath.Join(dir, "real/log")); err != nil {
		t.Errorf("the file was not made through the trusted link: %v", err)
	}
	if err := os.Symlink("real/f", filepath.Join(dir, "flink")); err != nil {
		t.Fatal(err)
	}
	if f, err := OpenFileTrusted(filepath.Join(dir, "flink"), os.O_RDONLY, 0); err != nil {
		t.Errorf("a trusted link to a file: %v", err)
	} else {
		_ = f.Close()
	}
	_ = os.Lchown(filepath.Join(dir, "flink"), 65534, 65534)
	for _, p := range []string{"others/log2", "flink"} {
		if f, err := OpenFileTrusted(filepath.Join(dir, p), flags, 0o644); err == nil {
			_ = f.Close()
			t.Errorf("%s: opened through another user's symlink", p)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "real/log2")); err == nil {
		t.Error("a file was made through another user's symlink")
	}
}
