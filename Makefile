# acme-nsupdate: plain Makefile. `make` builds ./acme-nsupdate; `make check`
# installs missing Debian packages (as root), builds and runs every test,
# plainly and under AddressSanitizer + UndefinedBehaviorSanitizer.

VERSION	= 0.1.0
PREFIX	?= /usr/local
DESTDIR	?=
BINDIR	= $(PREFIX)/bin
MANDIR	= $(PREFIX)/share/man

CC	?= cc
PKG_CONFIG ?= pkg-config
PKGS	= ldns libcrypto inih
CFLAGS	?= -O2 -g
WARNINGS = -std=c17 -Wall -Wextra -Wshadow -Wstrict-prototypes
# CI sets WERROR=-Werror (see .ci/run); developers get it with `make WERROR=-Werror`.
WERROR	?=
SANITIZE ?=
ifeq ($(SANITIZE),1)
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
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

# Debian packages: to build, to run the test suite, and for `make demo`.
BUILD_DEBS = gcc make pkg-config libldns-dev libinih-dev libssl-dev libcmocka-dev
TEST_DEBS = bind9 bind9-utils bind9-dnsutils knot knot-dnsutils pdns-server \
	pdns-backend-sqlite3 pdns-tools unbound sqlite3 python3 python3-pytest \
	python3-dnspython iproute2 util-linux time
CLIENT_DEBS = pebble certbot lego dehydrated uacme openssl
BENCH_DEBS = tcpdump

# Debian's interpreter: the one python3-pytest and python3-dnspython belong to.
PYTHON	= /usr/bin/python3
# System tests run in a network namespace of their own: any 127.x address
# and port 53 are free there, and nothing else on the machine is touched.
NETNS	= unshare --net sh -c 'ip link set lo up && exec "$$0" "$$@"'
PYTEST_ARGS ?=

.PHONY: all check include-graph check-unit check-system check-asan check-install install \
	uninstall clean \
	deps deps-build deps-test deps-bench bench demo

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

# --- packages ---------------------------------------------------------------
# Installs what is missing when root; otherwise prints the one line to run.
define need_debs
	@missing=""; for p in $(1); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ]; then \
	        echo "installing:$$missing"; \
	        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	    else \
	        echo "missing Debian packages; run as root:"; \
	        echo "  apt-get install$$missing"; exit 1; \
	    fi; \
	fi
endef

deps-build:
	$(call need_debs,$(BUILD_DEBS))
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
check: deps deps-deb
	$(MAKE) include-graph check-unit check-system check-install
	$(MAKE) check-asan

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
	rm -rf obj obj-asan acme-nsupdate
