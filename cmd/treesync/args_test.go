package main

import (
	"slices"
	"testing"
)

// rsync's -h is --human-readable wherever it stands with other options,
// and help only when alone; a value that holds an h stays as it is.
func TestHumanReadableArgs(t *testing.T) {
	flags := appFlags(false)
	tests := []struct{ in, want []string }{
		{[]string{"treesync", "-h"}, []string{"treesync", "-h", "--"}},
		{[]string{"treesync", "-avh", "s/", "d/"}, []string{"treesync", "--human-readable", "-av", "--", "s/", "d/"}},
		{[]string{"treesync", "-a", "-h", "s/", "d/"}, []string{"treesync", "-a", "--human-readable", "--", "s/", "d/"}},
		{[]string{"treesync", "-fh", "s/", "d/"}, []string{"treesync", "-f", "h", "--", "s/", "d/"}},
		{[]string{"treesync", "-af", "- *.h", "s/", "d/"}, []string{"treesync", "-af", "- *.h", "--", "s/", "d/"}},
	}
	for _, tc := range tests {
		if got := reorderArgs(tc.in, flags); !slices.Equal(got, tc.want) {
			t.Errorf("reorderArgs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// humanSize writes sizes as rsync -h does (units of 1000, two decimals).
func TestHumanSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1.00K", 1234567: "1.23M", 5 << 30: "5.37G"} {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// Boolean options given in two forms are written in one, which urfave/cli
// then takes (rsync takes both).
func TestOneFormPerOption(t *testing.T) {
	got := reorderArgs([]string{"treesync", "-v", "--verbose", "--del", "--delete-during", "--one-file-system", "-x", "src/", "dst/"}, appFlags(false))
	want := []string{"treesync", "-v", "-v", "--delete-during", "--delete-during", "-x", "-x", "--", "src/", "dst/"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if n := countOption(got, appFlags(false), 'x', "--one-file-system"); n != 2 {
		t.Errorf("counted -x %d times, want 2", n)
	}
}
