package walker

import (
	"fmt"
	"os"
	"testing"
)

// skipOrFail skips a test whose environment is missing, except in CI
// (CI=true), where a missing environment is a failure.
func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and the test environment is missing: %s", msg)
	}
	t.Skip(msg)
}
