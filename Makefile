# The two commands of the README: `make run` and `make test`. Everything else is a helper.
BUILD     ?= build
BUILD_SAN ?= build-asan
DB        ?= sqlite:var/frontdesk.db
LISTEN    ?= 127.0.0.1:8080

.PHONY: all deps test-deps build run test bench fuzz clean

all: build

deps:
	@scripts/install-deps

test-deps:
	@scripts/install-deps --test

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

# A new database gets the demo data; an existing one is left as it is (init is idempotent).
run: build
	@mkdir -p var
	@if [ ! -e var/frontdesk.db ] && [ "$(DB)" = "sqlite:var/frontdesk.db" ]; then \
		$(BUILD)/frontdesk init --db $(DB) --demo; fi
	exec $(BUILD)/frontdesk serve --db $(DB) --listen $(LISTEN)

# Reconfigure first: a build dir made by `make run` predates the test dependencies (cmocka).
test: test-deps
	@if [ -f $(BUILD)/build.ninja ]; then meson setup --reconfigure $(BUILD) >/dev/null; fi
	@$(MAKE) --no-print-directory build
	/usr/bin/python3 scripts/run-tests --build $(BUILD) --build-san $(BUILD_SAN)

bench: test-deps build
	bench/run

fuzz: test-deps
	scripts/fuzz

clean:
	rm -rf $(BUILD) $(BUILD_SAN) build-fuzz
