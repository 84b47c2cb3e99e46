# kesl-status. `make run` serves /status from the real kesl-control,
# `make test` runs every check that CI runs.

GO          ?= go
BIN         := $(CURDIR)/bin
GOARCH      ?= arm64
ARTIFACTS_DIR ?= $(BIN)/lambda
FUZZTIME    ?= 30s
RIE_VERSION := v0.0.0-20261030222936-bef5c4ba774d

export AWS_EC2_METADATA_DISABLED := true
export GOFLAGS := -mod=readonly

.PHONY: build run demo test lint vet fmt-check tidy-check unit fuzz bench tools lambda lint-template build-StatusFunction clean

build:
	$(GO) build -o $(BIN)/kesl-status ./local
	$(GO) build -o $(BIN)/kesl-control-standin ./backends/cli/standin

run: build
	$(BIN)/kesl-status

demo: build
	./scripts/demo.sh

test: tools fmt-check tidy-check vet unit fuzz lint-template

tools:
	$(GO) mod download
	GOBIN=$(BIN) $(GO) install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$(RIE_VERSION)

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

tidy-check:
	$(GO) mod tidy -diff

vet:
	$(GO) vet ./...

unit:
	PATH=$(BIN):$$PATH $(GO) test -race -count=1 ./...

fuzz:
	$(GO) test ./backends/cli -run '^$$' -fuzz '^FuzzParseJSON$$' -fuzztime $(FUZZTIME)
	$(GO) test ./backends/cli -run '^$$' -fuzz '^FuzzParseText$$' -fuzztime $(FUZZTIME)
	$(GO) test ./function -run '^$$' -fuzz '^FuzzParseDocument$$' -fuzztime $(FUZZTIME)

lint: fmt-check vet

bench:
	./scripts/bench.sh

build-StatusFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH) $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' -o $(ARTIFACTS_DIR)/bootstrap ./function/bootstrap

lambda: build-StatusFunction
	$(GO) run ./function/bootstrap/internal/mkzip -o $(BIN)/lambda/function.zip $(ARTIFACTS_DIR)/bootstrap

lint-template:
	@if command -v cfn-lint >/dev/null 2>&1; then cfn-lint template.yaml && echo "lint-template: cfn-lint found no problem in template.yaml"; else echo "lint-template: cfn-lint not found, so template.yaml was not checked; install it with: pip install cfn-lint"; fi

clean:
	rm -rf $(BIN)
