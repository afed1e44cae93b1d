# treesync — see README.md. Every target works on a fresh clone.
GO       ?= go
BIN      ?= bin/treesync
PKGS     := ./...
# Every package but the end-to-end tests, listed when a recipe runs so
# that a new package cannot be left out of the unit tests.
UNIT_PKGS = $$($(GO) list ./... | grep -v '/e2e')
PLATFORMS := linux/amd64 linux/arm64 linux/386 darwin/amd64 darwin/arm64 freebsd/amd64 freebsd/arm64 windows/amd64 windows/arm64

.PHONY: all build test unit e2e race lint cross demo bench fuzz clean

all: lint build test

# Static (no cgo): no dynamic loader at start, 1 ms less per run;
# urfave_cli_no_docs drops urfave/cli's markdown and man writers (and
# blackfriday's 0.3 ms init; treesync writes its own manual page).
BUILD_TAGS := urfave_cli_no_docs
build:
	CGO_ENABLED=0 $(GO) build -tags $(BUILD_TAGS) -o $(BIN) ./cmd/treesync

# The whole suite: lint, unit tests with the race detector, then the
# end-to-end tests (real binary, real filesystems; as root they mount
# XFS, btrfs and tmpfs on loop devices).
test: lint
	$(GO) test -race -count=1 $(UNIT_PKGS)
	$(GO) test -count=1 -timeout 40m ./e2e/...

unit:
	$(GO) test -count=1 $(UNIT_PKGS)

e2e:
	$(GO) test -count=1 -timeout 40m -v ./e2e/...

race:
	$(GO) test -race -count=1 $(PKGS)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	@$(MAKE) --no-print-directory cross

# vet and build every package for every supported OS and architecture.
cross:
	@for p in $(PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; \
	  GOOS=$$os GOARCH=$$arch $(GO) vet $(PKGS) || exit 1; \
	  GOOS=$$os GOARCH=$$arch $(GO) build -o /dev/null ./cmd/treesync || exit 1; \
	done; echo "cross: vet and build clean for $(PLATFORMS)"

# Mirror the Go distribution's source tree twice: a full copy, then a no-op resync.
# The demo directory is made once, in the recipe: a make variable holding
# $(shell mktemp) would run mktemp at every use, and the "no-op" would
# mirror into a second new directory. The resync must transfer nothing.
demo: build
	@set -e; src=$$($(GO) env GOROOT)/src; dir=$$(mktemp -d /tmp/treesync-demo.XXXXXX); \
	trap 'rm -rf "$$dir"' EXIT; \
	echo "== full mirror of $$src into $$dir/src"; \
	./$(BIN) -a --delete --stats $$src/ $$dir/src/; \
	echo; echo "== no-op resync (nothing changed)"; \
	./$(BIN) -a --delete --stats $$src/ $$dir/src/ | tee $$dir/noop.txt; \
	grep -q '^Number of regular files transferred: 0$$' $$dir/noop.txt || { echo "demo: the resync transferred files" >&2; exit 1; }

bench: build
	$(GO) test -run='^$$' -bench=. -benchtime=3x ./planner/... ./hashing/... ./platform/... ./walker/... ./executor/...
	$(GO) run ./e2e/bench -bin $(BIN)

fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzPlanDir -fuzztime=60s ./planner
	$(GO) test -run='^$$' -fuzz=FuzzMatch -fuzztime=60s ./filter
	TREESYNC_E2E_SEEDS=500 $(GO) test -count=1 -timeout 60m -run 'TestRandomTreesVsRsync|TestRandomOptions(AsUser)?VsRsync' ./e2e/

clean:
	rm -rf bin

# The manual page, from the flags themselves: docs/treesync.1.
.PHONY: man
man:
	$(GO) run ./cmd/treesync --man-page > docs/treesync.1.tmp && mv docs/treesync.1.tmp docs/treesync.1
