package platform

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestDataExtents(t *testing.T) {
	const mib = 1 << 20
	f, err := os.Create(filepath.Join(t.TempDir(), "sparse"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, off := range []int64{0, 5 * mib} {
		if _, err := f.WriteAt(make([]byte, mib), off); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Truncate(8 * mib); err != nil {
		t.Fatal(err)
	}
	var got [][2]int64
	err = DataExtents(int(f.Fd()), 8*mib, func(start, end int64) error {
		got = append(got, [2]int64{start, end})
		return nil
	})
	want := [][2]int64{{0, mib}, {5 * mib, 6 * mib}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("extents %v, %v; want %v", got, err, want)
	}
	stop := errors.New("stop")
	calls := 0
	err = DataExtents(int(f.Fd()), 8*mib, func(int64, int64) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Errorf("fn's error: got %v after %d calls, want it back after 1", err, calls)
	}
}
