# acme-nsupdate: plain Makefile. `make` builds ./acme-nsupdate; `make check`
# installs missing Debian packages (as root), builds and runs every test,
# plainly and under AddressSanitizer + UndefinedBehaviorSanitizer, then
# each libFuzzer harness briefly (`make fuzz` runs them longer).

VERSION	= 0.1.0
PREFIX	?= /usr/local
DESTDIR	?=
BINDIR	= $(PREFIX)/bin
MANDIR	= $(PREFIX)/share/man

CC	?= cc
PKG_CONFIG ?= pkg-config
PKGS	= ldns libcrypto inih krb5-gssapi krb5 json-c
CFLAGS	?= -O2 -g
WARNINGS = -std=c17 -Wall -Wextra -Wshadow -Wstrict-prototypes
# CI sets WERROR=-Werror (see .ci/run); developers get it with `make WERROR=-Werror`.
WERROR	?=
SANITIZE ?=
ifeq ($(SANITIZE),1)
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
# The libFuzzer build (make fuzz): coverage for the library, fuzzer at link.
ifeq ($(SANITIZE),fuzz)
SANFLAGS = -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
ALL_CPPFLAGS = -Iinclude -D_GNU_SOURCE -DACME_NSUPDATE_VERSION='"$(VERSION)"' $(CPPFLAGS)
ALL_CFLAGS = $(WARNINGS) $(WERROR) $(SANFLAGS) $(CFLAGS) $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LIBS	= $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

OBJDIR	?= obj
BIN	?= acme-nsupdate

AGENT_SRC = $(filter-out agent/main.c,$(wildcard agent/*.c)) $(wildcard hooks/*.c)
AGENT_OBJ = $(AGENT_SRC:%.c=$(OBJDIR)/%.o)
MAIN_OBJ = $(OBJDIR)/agent/main.o
LIBAGENT = $(OBJDIR)/libagent.a
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:%.c=$(OBJDIR)/%)
# Shared test fixtures (the scripted transport): every other .c in tests/unit.
UNIT_SUPPORT = $(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c))
UNIT_SUPPORT_OBJ = $(UNIT_SUPPORT:%.c=$(OBJDIR)/%.o)
# libFuzzer harnesses: tests/fuzz/fuzz_TARGET.c, seeds in tests/fuzz/corpus/TARGET.
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_TARGETS = $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
FUZZ_BIN = $(FUZZ_SRC:%.c=$(OBJDIR)/%)
FUZZ_SUPPORT_OBJ = $(OBJDIR)/tests/fuzz/support.o
FUZZ_OBJDIR = obj-fuzz
FUZZ_SECONDS ?= 60
# make check: every harness briefly, 60 s in all.
FUZZ_CI_SECONDS = $(shell n=$(words $(FUZZ_TARGETS)); echo $$((60 / ($$n > 0 ? $$n : 1))))

# Debian packages: to build, to run the test suite, and for `make demo`.
BUILD_DEBS = gcc make pkg-config libldns-dev libinih-dev libssl-dev libcmocka-dev \
	libkrb5-dev libjson-c-dev
TEST_DEBS = bind9 bind9-utils faketime bind9-dnsutils knot knot-dnsutils pdns-server \
	pdns-backend-sqlite3 pdns-tools unbound sqlite3 python3 python3-pytest \
	python3-dnspython iproute2 util-linux time krb5-kdc krb5-admin-server krb5-user \
	samba-ad-dc samba-ad-provision
CLIENT_DEBS = pebble certbot lego dehydrated uacme openssl
BENCH_DEBS = tcpdump
FUZZ_DEBS = clang libfuzzer-14-dev

# Debian's interpreter: the one python3-pytest and python3-dnspython belong to.
PYTHON	= /usr/bin/python3
# System tests run in a network namespace of their own: any 127.x address
# and port 53 are free there, and nothing else on the machine is touched.
NETNS	= unshare --net sh -c 'ip link set lo up && exec "$$0" "$$@"'
PYTEST_ARGS ?=

.PHONY: all check include-graph check-unit check-system check-asan check-install install \
	uninstall clean \
	deps deps-build deps-test deps-bench deps-fuzz bench bench-lag demo \
	fuzz fuzz-ci fuzz-build fuzz-bins

all: $(BIN)

$(BIN): $(MAIN_OBJ) $(LIBAGENT)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(MAIN_OBJ) $(LIBAGENT) $(LIBS)

$(LIBAGENT): $(AGENT_OBJ)
	@rm -f $@
	$(AR) rcs $@ $(AGENT_OBJ)

$(OBJDIR)/%.o: %.c $(wildcard include/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(OBJDIR)/tests/unit/%.o: tests/unit/%.c $(wildcard tests/unit/*.h include/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Itests/unit $(ALL_CFLAGS) -c -o $@ $<

$(OBJDIR)/tests/unit/test_%: $(OBJDIR)/tests/unit/test_%.o $(UNIT_SUPPORT_OBJ) $(LIBAGENT)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(UNIT_SUPPORT_OBJ) \
	    $(LIBAGENT) $(LIBS) $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null) -lpthread

$(OBJDIR)/tests/fuzz/%.o: tests/fuzz/%.c tests/fuzz/support.h $(wildcard include/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -Itests/fuzz $(ALL_CFLAGS) -c -o $@ $<

# support.c's virtual clock: the agent's sleeps and monotonic time are wrapped.
$(OBJDIR)/tests/fuzz/fuzz_%: $(OBJDIR)/tests/fuzz/fuzz_%.o $(FUZZ_SUPPORT_OBJ) $(LIBAGENT)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer $(LDFLAGS) \
	    -Wl,--wrap=clock_gettime -Wl,--wrap=nanosleep -o $@ $< \
	    $(FUZZ_SUPPORT_OBJ) $(LIBAGENT) $(LIBS)

# --- packages ---------------------------------------------------------------
# Installs what is missing when root; otherwise prints the one line to run.
# The servers the tests start themselves (BIND, Knot, PowerDNS, Unbound,
# Samba, the KDC) must not be started by their packages on all interfaces:
# a policy-rc.d that says no is in place while apt-get runs.
define need_debs
	@missing=""; for p in $(1); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ]; then \
	        echo "installing:$$missing"; \
	        policy=/usr/sbin/policy-rc.d; made=""; \
	        if [ ! -e $$policy ]; then \
	            printf '#!/bin/sh\nexit 101\n' > $$policy && chmod 755 $$policy && made=1; \
	        fi; \
	        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	        st=$$?; [ -z "$$made" ] || rm -f $$policy; [ $$st = 0 ] || exit 1; \
	    else \
	        echo "missing Debian packages; run as root:"; \
	        echo "  apt-get install$$missing"; exit 1; \
	    fi; \
	fi
endef

deps-build:
	$(call need_debs,$(BUILD_DEBS))
deps-fuzz: deps-build
	$(call need_debs,$(FUZZ_DEBS))
deps-test: deps-build
	$(call need_debs,$(TEST_DEBS))
deps: deps-test
	$(call need_debs,$(CLIENT_DEBS))

# --- Debian package ---------------------------------------------------------
# `make deb`: dpkg-buildpackage (debhelper, contrib/debian/) in a copy of the
# tree in a temporary directory, so the tree gets no debian/ and no build
# output; lintian checks the result, then it lands in dist/ with its build
# log. Rebuilt only when a file it is made from changes.
DEB_DEBS = build-essential debhelper dpkg-dev lintian
DEB_VERSION = $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' contrib/debian/changelog)
DEB_ARCH = $(shell dpkg --print-architecture 2>/dev/null)
DEB	= dist/acme-nsupdate_$(DEB_VERSION)_$(DEB_ARCH).deb
# What the package is built from: copied into the build tree, and $(DEB)'s
# prerequisites.
DEB_TREE = Makefile LICENSE README.md acme-nsupdate.ini.example agent hooks \
	include contrib
DEB_SRC = $(wildcard Makefile LICENSE README.md acme-nsupdate.ini.example \
	agent/* hooks/* hooks/*/* include/* contrib/*/* contrib/*/*/*)

.PHONY: deb deps-deb

deps-deb: deps-build
	$(call need_debs,$(DEB_DEBS))

deb: deps-deb
	@$(MAKE) --no-print-directory $(DEB)

# The build sees none of this make's variables (WERROR, SANITIZE, OBJDIR,
# CFLAGS...): the flags are dpkg-buildflags' (hardening), set by dh.
$(DEB): $(DEB_SRC)
	@case "$(DEB_VERSION)" in $(VERSION)|$(VERSION)[-+~]*) ;; *) \
	    echo "contrib/debian/changelog is at $(DEB_VERSION), VERSION is $(VERSION):" \
	        "add a changelog entry (dch -c contrib/debian/changelog -v $(VERSION))"; \
	    exit 1;; esac
	@for p in $(PKGS); do \
	    pc="$$($(PKG_CONFIG) --variable=pcfiledir $$p)/$$p.pc"; \
	    dev=$$(dpkg-query -S "$$pc" 2>/dev/null | sed 's/[:,].*//'); \
	    [ -n "$$dev" ] && sed -n '/^Build-Depends:/,/^[^ ]/p' contrib/debian/control | \
	        grep -qw -- "$$dev" || { echo "PKGS has $$p ($${dev:-no package holds $$pc})," \
	        "contrib/debian/control's Build-Depends does not: add it"; exit 1; }; \
	done
	@mkdir -p dist && d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && \
	mkdir "$$d/acme-nsupdate" && \
	tar -cf - $(DEB_TREE) | tar -xf - -C "$$d/acme-nsupdate" && \
	rm -rf "$$d/acme-nsupdate/contrib/debian" && \
	cp -R contrib/debian "$$d/acme-nsupdate/debian" && \
	log=$(DEB:.deb=.build) && echo "dpkg-buildpackage: log in $$log" && \
	if ! (cd "$$d/acme-nsupdate" && env -i PATH="$$PATH" HOME="$$HOME" \
	    $${DEB_BUILD_OPTIONS:+DEB_BUILD_OPTIONS="$$DEB_BUILD_OPTIONS"} \
	    nice dpkg-buildpackage -b -us -uc -Jauto) >"$$log" 2>&1; then \
	    tail -n 30 "$$log"; exit 1; \
	fi && \
	lintian --display-info --fail-on error,warning "$$d/$(notdir $(DEB))" && \
	cp "$$d/$(notdir $(DEB))" $(DEB) && echo "built $(DEB)"

# --- tests ------------------------------------------------------------------
check: deps deps-deb deps-fuzz
	$(MAKE) include-graph check-unit check-system check-install
	$(MAKE) check-asan
	$(MAKE) fuzz-ci

check-unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

check-system: $(BIN)
	ACME_NSUPDATE_BIN=$(abspath $(BIN)) $(NETNS) $(PYTHON) -m pytest -q tests/system $(PYTEST_ARGS)

# The same suite under ASan + UBSan, in a build of its own.
check-asan:
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    $(MAKE) OBJDIR=obj-asan BIN=obj-asan/acme-nsupdate SANITIZE=1 \
	    check-unit check-system

# --- fuzzing ----------------------------------------------------------------
# Each harness in turn, niced, for FUZZ_SECONDS (with tests/fuzz/TARGET.dict
# where there is one); new inputs go to
# obj-fuzz/corpus/TARGET (the seeds in tests/fuzz/corpus are only read),
# crashes to obj-fuzz/artifacts/. A crash, leak or UB fails the target.
fuzz-build: deps-fuzz
	$(MAKE) OBJDIR=$(FUZZ_OBJDIR) CC=clang SANITIZE=fuzz fuzz-bins

fuzz-bins: $(FUZZ_BIN)
.SECONDARY: $(FUZZ_SRC:%.c=$(OBJDIR)/%.o) $(FUZZ_SUPPORT_OBJ)

fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_OBJDIR)/corpus/$$t $(FUZZ_OBJDIR)/artifacts; \
	    log=$(FUZZ_OBJDIR)/fuzz_$$t.log; \
	    echo "== fuzz_$$t: $(FUZZ_SECONDS) s (log: $$log)"; \
	    if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	        nice -n 10 $(FUZZ_OBJDIR)/tests/fuzz/fuzz_$$t \
	        -max_total_time=$(FUZZ_SECONDS) -timeout=25 -print_final_stats=1 \
	        -artifact_prefix=$(FUZZ_OBJDIR)/artifacts/$$t- \
	        $$(test -f tests/fuzz/$$t.dict && echo -dict=tests/fuzz/$$t.dict) \
	        $(FUZZ_OBJDIR)/corpus/$$t tests/fuzz/corpus/$$t >$$log 2>&1; then \
	        tail -n 60 $$log; echo "fuzz_$$t failed; the input is in $(FUZZ_OBJDIR)/artifacts/"; exit 1; \
	    fi; \
	    grep -E '^Done|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss' $$log; \
	done

fuzz-ci:
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_CI_SECONDS)

# make install into a scratch DESTDIR: PREFIX and DESTDIR are honoured.
check-install: $(BIN)
	@d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && \
	$(MAKE) -s install DESTDIR="$$d" PREFIX=/opt/ans && \
	test -x "$$d/opt/ans/bin/acme-nsupdate" && \
	test -f "$$d/opt/ans/share/man/man1/acme-nsupdate.1" && \
	test -f "$$d/opt/ans/share/man/man5/acme-nsupdate.ini.5" && \
	"$$d/opt/ans/bin/acme-nsupdate" --version && \
	echo "check-install: ok, PREFIX and DESTDIR honoured"

# The module include graph; fails on a circle or an edge against the data
# flow that agent/README lists.
include-graph:
	@tests/include-graph.sh

deps-bench: deps
	$(call need_debs,$(BENCH_DEBS))

bench: deps-bench $(BIN)
	ACME_NSUPDATE_BIN=$(abspath $(BIN)) $(NETNS) $(PYTHON) tests/bench/run.py
	ACME_NSUPDATE_BIN=$(abspath $(BIN)) $(NETNS) $(PYTHON) tests/bench/issuance.py

# Detection lag against a secondary lagging 1, 3 and 10 s, and the busiest
# second per server (tests/bench/lag.py); BENCH_LAG_OLD=BINARY compares.
bench-lag: deps-bench $(BIN)
	ACME_NSUPDATE_BIN=$(abspath $(BIN)) $(NETNS) $(PYTHON) tests/bench/lag.py

# acme-nsupdate against certbot's rfc2136 plugin, lego's rfc2136 provider
# and an nsupdate + dig hook, on the system tests' topology; minutes, not in
# CI. Writes tests/bench/results/peers.{md,png,json} (tests/bench/README.md).
PEERS_DEBS = python3-certbot-dns-rfc2136 gnuplot-nox

.PHONY: bench-peers deps-bench-peers

deps-bench-peers: deps
	$(call need_debs,$(PEERS_DEBS))

bench-peers: deps-bench-peers $(BIN)
	ACME_NSUPDATE_BIN=$(abspath $(BIN)) $(NETNS) nice $(PYTHON) tests/bench/peers.py

demo: deps $(BIN)
	ACME_NSUPDATE_BIN=$(abspath $(BIN)) $(NETNS) $(PYTHON) tests/demo.py

# --- install ----------------------------------------------------------------
install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/acme-nsupdate
	install -m 644 agent/acme-nsupdate.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 agent/acme-nsupdate.ini.5 $(DESTDIR)$(MANDIR)/man5/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/acme-nsupdate $(DESTDIR)$(MANDIR)/man1/acme-nsupdate.1 \
	    $(DESTDIR)$(MANDIR)/man5/acme-nsupdate.ini.5

clean:
	rm -rf obj obj-asan $(FUZZ_OBJDIR) acme-nsupdate
