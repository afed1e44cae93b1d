package executor

import "testing"

// TestEscape checks names against what rsync 3.x prints for them in a
// UTF-8 locale (rsync -ai over files of these names).
func TestEscape(t *testing.T) {
	cases := map[string]string{
		"plain":           "plain",
		"a\tb":            "a\tb",
		"nl\nx":           `nl\#012x`,
		"esc\x1bx":        `esc\#033x`,
		"del\x7fx":        "del\x7fx",
		"bad\xff":         `bad\#377`,
		"é":               "é",
		"c1\u0085x":       "c1\u0085x",
		"sur\xed\xa0\x80": `sur\#355\#240\#200`,
		`c\#123d`:         `c\#134#123d`,
		`c\#12`:           `c\#12`,
		`q\x`:             `q\x`,
		"\n":              `\#012`,
	}
	for in, want := range cases {
		if got := escapeName(in, false); got != want {
			t.Errorf("escape(%q) = %q, want %q", in, got, want)
		}
	}
}

// -8 prints bytes of invalid UTF-8 as they are; control bytes and a
// literal \#ddd are escaped still (checked against rsync -8's output).
func TestEscapeEightBit(t *testing.T) {
	for in, want := range map[string]string{"bad\xff\xfe": "bad\xff\xfe", "ctl\x01x": `ctl\#001x`, `a\#123`: `a\#134#123`, "é": "é"} {
		if got := escapeName(in, true); got != want {
			t.Errorf("escapeName(%q, true) = %q, want %q", in, got, want)
		}
	}
}
