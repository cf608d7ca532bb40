# ozmon — the two commands a newcomer needs are `make dev` and `make test`.
GO ?= go
PKGS ?= ./...

.PHONY: dev test chaos hostile services lint bench fuzz build clean

## dev: run the whole pipeline in one process on embedded defaults, with
## the tenant API and console on a local database of its own (ozmon_dev;
## DEV_DATABASE_URL= runs it on in-memory tenants, without API and console)
DEV_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ozmon_dev?sslmode=disable
dev: services
	OZ_MONITOR_DATABASE_URL='$(DEV_DATABASE_URL)' $(GO) run ./cmd/ozmon dev

## test: every test, on the real Redis and PostgreSQL of this machine
## (started, or installed with apt, when they are not running)
test: services
	$(GO) vet $(PKGS)
	$(GO) test -count=1 -timeout 14m $(PKGS)

## chaos: the fault-injection suite alone, with each scenario's numbers
## (CHAOSFLAGS=-chaos.soak for the longer faults)
chaos: services
	$(GO) test -count=1 -timeout 20m -v -run TestChaos ./internal/chaos/ $(CHAOSFLAGS)

## hostile: the hostile-tenant attacks of #12 on the real binary, with
## each one's verdict and figures (peak RSS, output bytes, Redis bytes)
hostile: services
	$(GO) test -count=1 -timeout 10m -v -run TestHostile ./internal/chaos/

## services: make sure Redis and PostgreSQL answer on 127.0.0.1
services:
	@bash scripts/ensure-services.sh

## lint: gofmt, go vet, staticcheck
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) tool staticcheck $(PKGS)

## bench: the benchmarks quoted in the issues' closing notes
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2s $(PKGS)

## build: the ozmon binary in ./bin
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/ozmon ./cmd/ozmon

clean:
	rm -rf bin
