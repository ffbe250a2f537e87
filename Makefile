# Proctor — build, test and demo. `make demo` and `make test` work on a fresh Debian machine.
SWIFT ?= swift
PROCTOR = .build/debug/proctor
DEB_PACKAGES = libseccomp-dev libcap-dev zlib1g-dev libsqlite3-dev pkg-config python3 python3-pytest python3-venv python3-numpy libopenblas0-pthread postgresql curl git patch chromium gcc g++ golang-go rustc openjdk-17-jdk-headless nodejs golang-github-stretchr-testify-dev libssl-dev

.PHONY: setup build test demo demo-repo demo-swe demo-run bench bench-runtime report-screenshots lint clean

## setup: install the Debian packages the build and the sandbox need (apt-get when root).
setup:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ ! -x /usr/bin/python3 ]; then missing="$$missing python3"; fi; \
	if [ -z "$$missing" ]; then echo "setup: all packages present ($(DEB_PACKAGES))"; exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "setup: installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else \
	  echo "setup: missing Debian packages:$$missing"; \
	  echo "       run: sudo apt-get install -y$$missing"; exit 1; \
	fi

## build: debug build of the proctor executable.
build: setup
	$(SWIFT) build

## test: every test suite, against real processes, the real sandbox and a real PostgreSQL
## (scripts/with-postgres starts a throwaway server for the run and removes it afterwards).
test: setup
	$(SWIFT) build --build-tests
	scripts/with-postgres $(SWIFT) test --skip-build --no-parallel

## demo: grade the fixture benchmark (Fixtures/benchmark), the stdin/stdout fixture set
## (Fixtures/stdio), the inputs problems (Fixtures/function: base and plus, dynamic tasks) and
## the sealed set (Fixtures/sealed, with its fixture key and a leakage report), printing pass@k;
## then one HTML report of the four runs (results/demo-report.html).
demo: build
	$(PROCTOR) grade --problems Fixtures/benchmark/problems.jsonl --samples Fixtures/benchmark/samples.jsonl \
	  --k 1,2 --out results/demo
	$(PROCTOR) grade --problems Fixtures/stdio/problems.jsonl --samples Fixtures/stdio/samples.jsonl \
	  --k 1 --out results/demo-stdio
	$(PROCTOR) grade --problems Fixtures/function/problems.jsonl --samples Fixtures/function/samples.jsonl \
	  --k 1 --out results/demo-function --reference-cache results/demo-function/cache
	PROCTOR_SEAL_KEY=$$(cat Fixtures/sealed/fixture.key) $(PROCTOR) grade --problems Fixtures/sealed/problems.sealed.jsonl \
	  --samples Fixtures/sealed/samples.jsonl --k 1 --out results/demo-sealed --leakage-report
	$(PROCTOR) report benchmark=results/demo stdio=results/demo-stdio inputs=results/demo-function \
	  sealed=results/demo-sealed --out results/demo-report.html

## demo-repo: grade the SWE-style fixture instances (Fixtures/repos) and print the report.
demo-repo: build
	scripts/build-fixture-repo results/demo-repo/repos >/dev/null
	$(PROCTOR) grade-repo --instances Fixtures/repos/instances.jsonl --predictions Fixtures/repos/predictions.jsonl \
	  --repos results/demo-repo/repos --out results/demo-repo/out --timeout 10s --workers 2

## demo-swe: SWE-bench's way on the fixture repositories (Fixtures/swe): build their environments
## (packages from the package index), then gold must be FULL and an empty patch NO.
demo-swe: build
	scripts/build-swe-fixtures results/demo-swe/repos >/dev/null
	$(PROCTOR) swe validate --instances Fixtures/swe/instances.jsonl --repos results/demo-swe/repos \
	  --specs Fixtures/swe/specs.json --env-cache $(CURDIR)/results/demo-swe/cache --python 3.11=/usr/bin/python3 \
	  --out results/demo-swe/out --timeout 120s

## demo-run: a few hostile programs through `proctor run`, one outcome line each.
demo-run: build
	@for f in normal memory_bomb cpu_burn unshare flood_stdout_lines; do \
	  printf '%-22s ' "$$f"; \
	  $(PROCTOR) run --profile python-strict --time 1s --memory 256MiB -- Fixtures/run/$$f.py \
	    | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["status_text"].ljust(26), "wall %6.1f ms  cpu %6.1f ms  rss %6d KiB" % (d["wall_ms"], d["cpu_ms"], d["peak_rss_kib"]))'; \
	done

## bench: per-run cost of the sandbox versus a bare interpreter start, and grading throughput
## on a 1,640-sample HumanEval set with 1 and 2 workers (release build).
bench: setup
	$(SWIFT) build -c release --product proctor-bench
	$(SWIFT) build -c release --product proctor
	.build/release/proctor-bench 300

## bench-runtime BASELINE=DIR: the cold per-run cost of this tree's in-sandbox runtime against
## another tree's Sandboxes/ (say, a checkout before a change), runs interleaved round by round.
bench-runtime: setup
	@test -n "$(BASELINE)" || { echo "usage: make bench-runtime BASELINE=/path/to/other/Sandboxes"; exit 2; }
	$(SWIFT) build -c release --product proctor-bench
	.build/release/proctor-bench runtime $(BASELINE)

## report-screenshots: the report at 3, 12 and 89 runs of the leaderboard fixture, rendered in
## chromium by the browser test that checks it, written to docs/ (the README shows them).
report-screenshots: setup
	$(SWIFT) build --build-tests
	PROCTOR_REPORT_SCREENSHOTS=$(CURDIR)/docs $(SWIFT) test --skip-build --no-parallel --filter ReportBrowserTests

## lint: check formatting with the toolchain's swift-format.
lint:
	$(SWIFT) format lint --recursive Sources Tests

clean:
	rm -rf .build
