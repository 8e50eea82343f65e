# retrylab build. `make` builds bin/retrylab and bin/mockserver; `make test`
# runs every test and ends with "N passed, N failed"; `make asan` does the same
# under address+undefined sanitizers in build-asan/; `make conformance` compares
# real clients from npm with their presets. See README.md.

PKGS      := libmicrohttpd libcurl libcjson cmocka
DEB_PKGS  := libmicrohttpd-dev libcurl4-openssl-dev libcjson-dev libcmocka-dev gnuplot-nox pkg-config curl
BUILD     ?= build
BIN       ?= bin
CC        ?= cc
SAN_FLAGS ?=
OPT       ?= -O2 -g

# Deps are checked before pkg-config is consulted, so a bare machine gets them first.
DEPS_STAMP := $(BUILD)/.deps-ok
CFLAGS_PKG = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS_PKG   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS  := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wpedantic -Wshadow -Wformat=2 \
           $(OPT) $(SAN_FLAGS) -I. -MMD -MP
LDFLAGS := $(SAN_FLAGS)
LDLIBS   = $(LIBS_PKG) -lm -lpthread

COMMON_SRC := $(wildcard common/*.c common/io/*.c)
ENGINE_SRC := $(filter-out engine/cli/retrylab.c,$(wildcard engine/*/*.c))
MOCK_SRC   := $(filter-out mockserver/front/mockserver.c,$(wildcard mockserver/*/*.c))
REPORT_SRC := $(wildcard reports/*.c)
TEST_SRC   := $(wildcard tests/unit/test_*.c tests/integration/test_*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

# The pure parts (DESIGN.md: no clock, sleep, socket or library I/O) compile
# without the libcurl and libmicrohttpd flags, and against guard headers that
# stop the build when one of them includes libcurl, libmicrohttpd, sockets
# or threads. tests/layers.sh (make layers) checks the calls and the upward
# includes that a compiler cannot see.
PURE_SRC    := $(wildcard common/*.c engine/core/*.c mockserver/model/*.c mockserver/scenario/*.c)
GUARD_DIR   := $(BUILD)/pure-guard
GUARDED     := curl/curl.h microhttpd.h sys/socket.h sys/epoll.h sys/timerfd.h pthread.h threads.h poll.h
PURE_CFLAGS  = -I$(GUARD_DIR) $(shell pkg-config --cflags libcjson 2>/dev/null)
$(call obj,$(PURE_SRC)): CFLAGS_PKG = $(PURE_CFLAGS)
$(call obj,$(PURE_SRC)): | $(addprefix $(GUARD_DIR)/,$(GUARDED))
$(GUARD_DIR)/%.h:
	@mkdir -p $(@D)
	@echo '#error "a pure part of retrylab (DESIGN.md) includes <$*.h>: move the I/O to a driver"' >$@
LIBCOMMON := $(BUILD)/libcommon.a
LIBENGINE := $(BUILD)/libengine.a
LIBMOCK   := $(BUILD)/libmock.a
LIBREPORT := $(BUILD)/libreports.a
# Link order follows the dependency direction: CLI -> reports, engine -> mockserver -> common.
ALL_LIBS  := $(LIBREPORT) $(LIBENGINE) $(LIBMOCK) $(LIBCOMMON)
TESTS     := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))

.DEFAULT_GOAL := all
.PHONY: FORCE all deps test asan bench demo fuzz fuzz-run clean format format-check layers \
        conformance soak
.SECONDARY:
all: $(BIN)/retrylab $(BIN)/mockserver

deps: $(DEPS_STAMP)
$(DEPS_STAMP):
	@sh tests/install_deps.sh $(DEB_PKGS)
	@mkdir -p $(@D) && touch $@

$(BUILD)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(CFLAGS_PKG) -c $< -o $@

$(LIBCOMMON): $(call obj,$(COMMON_SRC))
$(LIBENGINE): $(call obj,$(ENGINE_SRC))
$(LIBMOCK):   $(call obj,$(MOCK_SRC))
$(LIBREPORT): $(call obj,$(REPORT_SRC))
# empty.o keeps an archive valid while its part has no sources yet.
$(BUILD)/lib%.a: $(BUILD)/empty.o
	@mkdir -p $(@D)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/empty.o: | $(DEPS_STAMP)
	@mkdir -p $(@D) && echo 'typedef int empty_unit;' | $(CC) -x c -c - -o $@

# The commit both programs print for --version: rewritten only when it changes.
$(BUILD)/gen/commit.h: FORCE
	@mkdir -p $(@D)
	@c=$$(git rev-parse --short HEAD 2>/dev/null || echo unknown); \
	  printf '#define CM_COMMIT "%s"\n' "$$c" >$@.tmp; cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp
FORCE:
$(call obj,engine/cli/retrylab.c mockserver/front/mockserver.c): $(BUILD)/gen/commit.h
$(call obj,engine/cli/retrylab.c mockserver/front/mockserver.c): CFLAGS += -I$(BUILD)/gen

$(BIN)/retrylab: $(call obj,engine/cli/retrylab.c) $(ALL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/mockserver: $(call obj,mockserver/front/mockserver.c) $(LIBMOCK) $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(ALL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests (cmocka) and command-line tests (tests/integration/*.sh) in one summary.
test: all $(TESTS) layers
	@RL_BIN=$(abspath $(BIN)) RL_BUILD=$(abspath $(BUILD)) sh tests/run_tests.sh $(TESTS)

layers:
	@sh tests/layers.sh

asan:
	$(MAKE) BUILD=build-asan BIN=build-asan/bin OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" test

bench: all
	@sh bench/run.sh

# The conformance suite (tests/conformance/README.md): the real clients pinned
# in tests/conformance/package-lock.json against the mockserver, compared with
# their presets in scenarios/policies/peers/. Node and npm come from Debian
# when the machine has none; `npm ci` installs the lockfile's versions (install
# scripts off) into tests/conformance/node_modules, again only when the
# lockfile changes. CONFORMANCE_FLAGS passes flags to run.mjs (e.g. --quick).
CONF_DIR   := tests/conformance
CONF_STAMP := $(CONF_DIR)/node_modules/.retrylab-installed
conformance: all $(CONF_STAMP)
	@RL_ROOT=$(CURDIR) RL_BIN=$(abspath $(BIN)) sh tests/integration/conformance_detects_change.sh
	@node $(CONF_DIR)/run.mjs --bin $(abspath $(BIN)) $(CONFORMANCE_FLAGS)

$(CONF_STAMP): $(CONF_DIR)/package.json $(CONF_DIR)/package-lock.json
	@command -v node >/dev/null && command -v npm >/dev/null || sh tests/install_deps.sh nodejs npm
	cd $(CONF_DIR) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

demo: all
	@sh scenarios/demo.sh

# The mockserver under steady load for SOAK_SECONDS (600) with its journal on
# (bench/soak.sh), then one retrylab run as long (bench/soak_run.sh): each
# fails on RSS growth or counts that disagree. Not part of make test, make
# bench or CI.
soak: all
	@sh tests/install_deps.sh wrk
	@sh bench/soak.sh
	@sh bench/soak_run.sh

# libFuzzer targets (tests/fuzz/fuzz_*.c), built with clang in build-fuzz/ and
# run for FUZZ_SECONDS each, seeded from the test data of the parser they cover.
# FUZZ_TARGETS picks some (e.g. FUZZ_TARGETS=fuzz_front); default: all.
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_SECONDS ?= 30
FUZZ_TARGETS ?= $(patsubst tests/fuzz/%.c,%,$(FUZZ_SRC))
fuzz:
	$(MAKE) BUILD=build-fuzz BIN=build-fuzz/bin CC=clang OPT="-O1 -g" \
	  SAN_FLAGS="-fsanitize=fuzzer-no-link,address,undefined" fuzz-run

fuzz-run: $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))
	@for f in $^; do \
	  names='*.json*'; \
	  case $$f in *policy) seeds=tests/data/policies;; *scenario) seeds="tests/data/scenarios tests/data/run scenarios";; \
	    *reports) seeds=tests/data/runs;; *front) seeds=tests/data/front; names='*';; \
	    *import) seeds=tests/data/import; names='*';; *) seeds=;; esac; \
	  corpus=$(BUILD)/corpus/$$(basename $$f); mkdir -p $$corpus; \
	  [ -n "$$seeds" ] && find $$seeds -type f -name "$$names" -exec cp {} $$corpus/ \; ; \
	  echo "fuzz: $$f for $(FUZZ_SECONDS) s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -print_final_stats=1 $$corpus \
	    >$(BUILD)/fuzz/$$(basename $$f).log 2>&1; rc=$$?; \
	  tail -n 4 $(BUILD)/fuzz/$$(basename $$f).log; [ $$rc -eq 0 ] || exit 1; \
	done

$(BUILD)/fuzz/%: tests/fuzz/%.c $(ALL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(CFLAGS_PKG) -fsanitize=fuzzer,address,undefined $< $(ALL_LIBS) $(LDLIBS) -o $@

# Every C file follows .clang-format; format-check fails (naming the files) when one does not.
C_FILES = $(shell git ls-files -co --exclude-standard '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build*')
format:
	clang-format -i $(C_FILES)

format-check:
	@command -v clang-format >/dev/null || sh tests/install_deps.sh clang-format
	@bad=$$(for f in $(C_FILES); do clang-format "$$f" | cmp -s - "$$f" || echo "$$f"; done); \
	if [ -n "$$bad" ]; then echo "format-check: not formatted (make format):"; echo "$$bad"; exit 1; fi; \
	echo "format-check: $(words $(C_FILES)) files follow .clang-format"

clean:
	rm -rf build build-asan build-fuzz bin out

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
