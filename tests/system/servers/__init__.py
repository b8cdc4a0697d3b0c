# SPDX-License-Identifier: ISC
"""The authoritative servers the system tests run, one module per kind; each
renders its config from contrib/ so the tests prove the configs we ship."""

from .bind import Bind
from .knot import Knot
from .powerdns import PowerDNS

KINDS = {server.kind: server for server in (Bind, Knot, PowerDNS)}
# Each kind on its own address; nothing listens on DEAD, SILENT swallows.
ADDRESSES = {"bind": "127.0.0.11", "knot": "127.0.0.12", "powerdns": "127.0.0.13"}
SILENT = "127.0.0.98"
# servers/hostile.py, and where it sends replies from the wrong address.
HOSTILE = "127.0.0.60"
HOSTILE_DECOY = "127.0.0.61"
DEAD = "127.0.0.99"
