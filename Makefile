# baton — make help lists the targets.
GO ?= go

.PHONY: help build test lint bench tidy-check screenshots
help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build ./baton
	$(GO) build -o baton ./cmd/baton

test: ## run the whole test suite (what CI runs)
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 15m ./...

lint: ## gofmt, go vet, staticcheck, go mod tidy check
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.7.0 ./...
	$(MAKE) tidy-check

tidy-check: ## fail if go mod tidy would change go.mod or go.sum
	@cp go.mod /tmp/baton-go.mod.bak; cp go.sum /tmp/baton-go.sum.bak
	@$(GO) mod tidy
	@cmp -s go.mod /tmp/baton-go.mod.bak && cmp -s go.sum /tmp/baton-go.sum.bak || { cp /tmp/baton-go.mod.bak go.mod; cp /tmp/baton-go.sum.bak go.sum; echo "go mod tidy changes go.mod/go.sum"; exit 1; }

bench: ## run Go micro-benchmarks
	$(GO) test -run '^$$' -bench . -benchtime 2s ./...

screenshots: ## regenerate the Bridge screenshots in docs/bridge/ (needs chromium)
	BATON_SCREENSHOTS=$(CURDIR)/docs/bridge $(GO) test -count=1 -run '^TestBrowser$$' ./bridge/
