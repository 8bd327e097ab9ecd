# Entry points for a fresh Debian 12 machine: `make demo` and `make test`.
BUILD ?= build
SAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)

.PHONY: all deps configure build demo sim-demo test test-asan bench bench-e2e clean

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

configure: deps $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The main job: five custos-node processes on 127.0.0.1, driven through the custos CLI.
demo: build
	./scripts/demo.sh $(BUILD)

sim-demo: build
	./$(BUILD)/sim/custos-sim demo

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: deps
	cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCUSTOS_SANITIZE=ON
	cmake --build $(SAN_BUILD) -j $(JOBS)
	# The (t,n) grid is covered by `make test`; under ASan it alone would take most of the run.
	cd $(SAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS) -E "threshold grid"

bench: build
	./$(BUILD)/bench/custos-bench

bench-e2e: build
	./$(BUILD)/bench/bench_e2e

clean:
	rm -rf $(BUILD) $(SAN_BUILD)
