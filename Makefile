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
PKGS	= ldns libcrypto inih krb5-gssapi krb5
CFLAGS	?= -O2 -g
WARNINGS = -std=c17 -Wall -Wextra -Wshadow -Wstrict-prototypes
# CI sets WERROR=-Werror (see .ci/run); developers get it with `make WERROR=-Werror`.
WERROR	?=
SANITIZE ?=
ifeq ($(SANITIZE),1)
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
ALL_CPPFLAGS = -Iinclude -D_DEFAULT_SOURCE -DACME_NSUPDATE_VERSION='"$(VERSION)"' $(CPPFLAGS)
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
BUILD_DEBS = gcc make pkg-config libldns-dev libinih-dev libssl-dev libcmocka-dev \
	libkrb5-dev
TEST_DEBS = bind9 bind9-utils bind9-dnsutils knot knot-dnsutils pdns-server \
	pdns-backend-sqlite3 pdns-tools unbound sqlite3 python3 python3-pytest \
	python3-dnspython iproute2 util-linux time krb5-kdc krb5-admin-server krb5-user
CLIENT_DEBS = pebble certbot lego dehydrated uacme openssl
BENCH_DEBS = tcpdump

# Debian's interpreter: the one python3-pytest and python3-dnspython belong to.
PYTHON	= /usr/bin/python3
# System tests run in a network namespace of their own: any 127.x address
# and port 53 are free there, and nothing else on the machine is touched.
NETNS	= unshare --net sh -c 'ip link set lo up && exec "$$0" "$$@"'
PYTEST_ARGS ?=

.PHONY: all check check-unit check-system check-asan check-install install \
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

# --- tests ------------------------------------------------------------------
check: deps
	$(MAKE) check-unit check-system check-install
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

deps-bench: deps
	$(call need_debs,$(BENCH_DEBS))

bench: deps-bench $(BIN)
	ACME_NSUPDATE_BIN=$(abspath $(BIN)) $(NETNS) $(PYTHON) tests/bench/run.py
	ACME_NSUPDATE_BIN=$(abspath $(BIN)) $(NETNS) $(PYTHON) tests/bench/issuance.py

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
