package main

import (
	"slices"
	"testing"

	"github.com/treesync/treesync/executor"
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

// GroupNumber writes numbers at rsync's -h levels: digits, groups,
// units of 1000 or 1024 with two decimals.
func TestHumanLevels(t *testing.T) {
	for _, tc := range []struct {
		n     int64
		level int
		want  string
	}{{1234567, 0, "1234567"}, {1234567, 1, "1,234,567"}, {0, 2, "0"}, {999, 2, "999"}, {1000, 2, "1.00K"},
		{1234567, 2, "1.23M"}, {5 << 30, 2, "5.37G"}, {1024, 3, "1.00K"}, {1000, 3, "1000"}} {
		if got := executor.GroupNumber(tc.n, tc.level); got != tc.want {
			t.Errorf("GroupNumber(%d, %d) = %q, want %q", tc.n, tc.level, got, tc.want)
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

// rsync's --no-OPTION turns OPTION off where it stands: the forms before
// it go (letters of clusters too), a later one stays; a part of -a stays
// off by its --no- flag; -D and -P are written as their two options.
func TestNegations(t *testing.T) {
	tests := []struct{ in, want []string }{
		{[]string{"-a", "--no-p"}, []string{"-a", "--no-perms"}},
		{[]string{"--no-p", "-a"}, []string{"-a"}},
		{[]string{"-a", "--no-t", "-t"}, []string{"-a", "-t"}},
		{[]string{"-avc", "--no-v", "--no-checksum", "-v"}, []string{"-a", "-v"}},
		{[]string{"-vv", "--verbose", "--no-verbose"}, nil},
		{[]string{"-avD", "--no-D", "--devices"}, []string{"-av", "--devices", "--no-specials"}},
		{[]string{"-aP", "--no-progress"}, []string{"--partial", "-a"}},
		{[]string{"-avf", "- x", "--no-v"}, []string{"-af", "- x"}},
		{[]string{"--timeout", "5", "--bwlimit=9", "--no-timeout", "--no-bwlimit"}, nil},
		{[]string{"-h", "--no-h", "-h"}, []string{"--no-human-readable", "--human-readable"}},
		{[]string{"-a", "--no-inc-recursive", "--no-motd", "--no-i-r"}, []string{"-a"}},
		{[]string{"--no-super"}, []string{"--no-super"}},
		{[]string{"--super", "--fake-super", "--no-super"}, []string{"--no-super"}},
		{[]string{"--delete-delay", "--del", "-a"}, []string{"--delete-during", "-a"}}, // (rsync's one setting: the last wins)
		{[]string{"--del", "--delete-delay"}, []string{"--delete-delay"}},
		{[]string{"--delete-during", "--delete-after"}, []string{"--delete-during", "--delete-after"}}, // (a usage error, as rsync's)
		{[]string{"-a", "--exclude", "--no-p"}, []string{"-a", "--exclude", "--no-p"}},                 // a value
		{[]string{"-r", "--chown=1:2", "--no-o"}, []string{"-r", "--chown=1:2", "--no-owner"}},
		{[]string{"-r", "--no-o", "--chown=1:"}, []string{"-r", "--chown=1:"}},
		{[]string{"-a", "--usermap", "*:5", "--no-g"}, []string{"-a", "--usermap", "*:5", "--no-group"}},
	}
	for _, tc := range tests {
		in := append(append([]string{"treesync"}, tc.in...), "s/", "d/")
		want := append(append([]string{"treesync"}, tc.want...), "--", "s/", "d/")
		if got := reorderArgs(in, appFlags(false)); !slices.Equal(got, want) {
			t.Errorf("reorderArgs(%q) = %q, want %q", in, got, want)
		}
	}
}

// groupDecimal rounds to two decimals, as rsync's %.2f does, with digit
// groups from level 1 and units past 1000 from level 2.
func TestGroupDecimal(t *testing.T) {
	for _, tc := range []struct {
		f     float64
		level int
		want  string
	}{{352.006, 1, "352.01"}, {2580.5, 1, "2,580.50"}, {2580.5, 0, "2580.50"}, {0.999, 1, "1.00"}, {14570, 2, "14.57K"}, {999.994, 2, "999.99"}} {
		if got := groupDecimal(tc.f, tc.level); got != tc.want {
			t.Errorf("groupDecimal(%v, %d) = %q, want %q", tc.f, tc.level, got, tc.want)
		}
	}
}
