# SPDX-License-Identifier: ISC
"""The read-path topology: zones spread over BIND, Knot and PowerDNS, a
secondary, a delegated child, and Unbound as the resolver in front of them,
as the public (and a CA) would see them.

    example.test       BIND primary 127.0.0.21, Knot secondary 127.0.0.22
                       (NOTIFY + IXFR); delegates acme.example.test (glue)
    dns01.test         challenges only; BIND primary, the same secondary
    acme.example.test  challenges only; Knot primary 127.0.0.23 (a child)
    knot.test          challenge targets; Knot primary 127.0.0.23
    pdns.test          PowerDNS 127.0.0.24
    other.test         PowerDNS 127.0.0.24; no [zone] section for the agent
    broken.test        BIND is its primary, but it does not load: SERVFAIL
    bad.test           Knot; an MNAME without address, a lame and a dead
                       NS, negative TTL 3600 (test_check.py)
    old.test           servers/oldpdns.py 127.0.0.25: claims PowerDNS 4.0.3
                       and answers SERVFAIL to CAA (test_check.py)
    resolver           Unbound 127.0.0.20, a stub zone per zone above, and
                       one per zone of OUTSIDE_STUBS (other fixtures' servers)

The zones and configs are templates in zones/topology/. Every server runs
in a directory of its own and is stopped by PID. Usable without pytest
(tests/bench/run.py): Topology(key).start() ... .stop(); .cleanup()."""

import contextlib
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from . import kdc, samba
from .bind import Bind
from .common import (ZONES as ZONE_DIR, render_file, retry_with_timeout,
                     rrset_texts, send_update, txt_update)
from .knot import Knot
from .oldpdns import OldPowerDNS
from .powerdns import PowerDNS
from .unbound import Unbound

TEMPLATES = ZONE_DIR / "topology"

# Each server on its own address; the 20s are the topology's, apart from
# the write-path servers (servers/__init__.py: 127.0.0.11-13).
ADDRESSES = {
    "resolver": "127.0.0.20",
    "bind": "127.0.0.21",
    "knot-secondary": "127.0.0.22",
    "knot": "127.0.0.23",
    "powerdns": "127.0.0.24",
    "old-powerdns": "127.0.0.25",
}
# bad.test's NS that nothing answers on (servers/__init__.py's DEAD).
DEAD_NS = "127.0.0.99"
# test_check.py: the TXT RRsets whose answers come near and beyond the
# 4096 bytes a CA accepts.
BULK_VALUES = 70
MID_VALUES = 55
# Where the resolver's root stub points: nothing listens, so a question
# about any name outside the test zones fails at once, and never leaves
# loopback.
NOWHERE = "127.0.0.29"
# Zones whose servers other fixtures start (test_gss.py, test_samba.py):
# the resolver knows where they are, so that the CA validates challenges
# there as anywhere else. While their server is down, a question there
# fails at once, as one about any other name outside the topology does.
OUTSIDE_STUBS = {kdc.GSS_ZONE: [kdc.GSS_BIND_ADDRESS],
                 samba.ZONE: [samba.ADDRESS]}


@dataclass(frozen=True)
class Zone:
    name: str                   # absolute, lower case
    primary: str                # role in ADDRESSES
    secondaries: tuple = ()     # roles
    configured: bool = True     # a [zone] section in the agent's default config
    delegated: bool = False     # reached by referral from its parent, no stub
    grant: str = ""             # what the key may write there, and why

    @property
    def roles(self):
        return (self.primary, *self.secondaries)


ZONES = {zone.name: zone for zone in (
    Zone("example.test.", "bind", ("knot-secondary",),
         grant="BIND grants the key TXT at the listed challenge names only "
               "(the zone holds other records), as contrib/bind does"),
    Zone("dns01.test.", "bind", ("knot-secondary",),
         grant="exists only for challenges: BIND grants zonesub TXT, there "
               "is no other TXT in it to spoil"),
    Zone("acme.example.test.", "knot", delegated=True,
         grant="exists only for challenges: Knot grants any TXT in the zone"),
    Zone("knot.test.", "knot",
         grant="holds only challenge TXTs and the CNAMEs of the chains: "
               "Knot grants any TXT in the zone"),
    Zone("pdns.test.", "powerdns",
         grant="the PowerDNS Lua policy grants TXT at the listed names only, "
               "as contrib/powerdns does"),
    Zone("other.test.", "powerdns", configured=False),
    Zone("broken.test.", "bind", configured=False),
    Zone("bad.test.", "knot", configured=False,
         grant="Knot grants any TXT in the zone, as in knot.test"),
    Zone("old.test.", "old-powerdns", configured=False),
)}

# The names written directly in example.test (one BIND grant each) and in
# the PowerDNS zones (the Lua policy's list); one test owns each name.
EXAMPLE_CHALLENGES = tuple(f"_acme-challenge.{label}.example.test." for label in (
    "x.wild",           # a wildcard CNAME's capture, written where it is
    "d",                # *.d and d in one call
    "now",              # served everywhere when add returns
    "sec",              # a stopped secondary
    "rm",               # remove and remove --wait
))
PDNS_CHALLENGES = ("pd.pdns.test.", "hop.pdns.test.",
                   # written by the tests themselves, not the agent
                   "prime.other.test.", "neg.other.test.")


def _zone_files(server, zones, values):
    for zone in zones:
        render_file(TEMPLATES / f"{zone}zone.in", server.dir / f"{zone}zone", values)


class _Member:
    """What the topology's servers add to the write-path server classes:
    the topology's template values (every address) and its zones."""

    def __init__(self, topology_values, zones, address, keys, challenges):
        super().__init__(address, keys, challenges)
        self.topology_values = topology_values
        self.zones = zones
        self.zone = zones[0]

    def values(self):
        values = self.template_values()
        values.update(self.topology_values)
        return values


# Children of example.test signed offline (test_check.py's dnssec step),
# served by BIND next to their parent, which holds their DS records:
# valid; a DS that matches no DNSKEY; signatures that expired.
SIGNED = ("sec-ok.example.test.", "sec-ds.example.test.", "sec-exp.example.test.")


def _run(*argv, cwd):
    return subprocess.run(argv, cwd=cwd, check=True, capture_output=True,
                          text=True, timeout=60).stdout


def sign_children(directory):
    """dnssec-keygen and dnssec-signzone (bind9-utils) in DIRECTORY: a
    signed zone file per SIGNED zone; returns the DS records the parent
    publishes, as zone file lines."""
    import datetime
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp = "%Y%m%d%H%M%S"
    ds_lines = []
    for zone in SIGNED:
        label = zone.split(".")[0]
        work = directory / label
        work.mkdir(exist_ok=True)
        (work / "zone").write_text(
            f"$ORIGIN {zone}\n$TTL 300\n"
            "@ SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 300\n"
            "@ NS ns1.example.test.\n"
            "txt TXT \"signed\"\n")
        ksk = _run("dnssec-keygen", "-q", "-a", "ECDSAP256SHA256", "-f", "KSK",
                   "-K", str(work), zone, cwd=work).strip()
        zsk = _run("dnssec-keygen", "-q", "-a", "ECDSAP256SHA256",
                   "-K", str(work), zone, cwd=work).strip()
        if label == "sec-exp":
            # -P: no verification after signing, which refuses old signatures.
            window = ["-P", "-s", (now - datetime.timedelta(days=20)).strftime(stamp),
                      "-e", (now - datetime.timedelta(days=2)).strftime(stamp)]
        else:
            window = ["-s", (now - datetime.timedelta(hours=1)).strftime(stamp),
                      "-e", (now + datetime.timedelta(days=30)).strftime(stamp)]
        with open(work / "zone", "a") as f:
            f.write(f"$INCLUDE {work}/{ksk}.key\n$INCLUDE {work}/{zsk}.key\n")
        _run("dnssec-signzone", "-K", str(work), "-o", zone, "-f",
             str(directory / f"{zone}signed"), *window, str(work / "zone"),
             f"{ksk}.private", f"{zsk}.private", cwd=work)
        if label == "sec-ds":
            # A DS made from a key the zone does not publish.
            other = directory / "sec-ds-other"
            other.mkdir(exist_ok=True)
            ksk = _run("dnssec-keygen", "-q", "-a", "ECDSAP256SHA256", "-f", "KSK",
                       "-K", str(other), zone, cwd=other).strip()
            work = other
        ds = _run("dnssec-dsfromkey", "-2", f"{work}/{ksk}.key", cwd=work).strip()
        ds_lines.append(ds)
    return ds_lines


class TopologyBind(_Member, Bind):
    def prepare(self):
        values = self.values()
        values["KEY_FILE"] = str(self.write_keys())
        self.ds_records = sign_children(self.dir)
        values["SIGNED_ZONE"] = list(SIGNED)
        values["SIGNED_PARENT_RR"] = (
            [f"{zone} NS ns1.example.test." for zone in SIGNED] + self.ds_records)
        _zone_files(self, self.zones, values)
        self.conf = render_file(TEMPLATES / "named.conf.in",
                                self.dir / "named.conf", values)


class TopologyKnot(_Member, Knot):
    """The Knot primary for knot.test and acme.example.test."""

    def prepare(self):
        values = self.values()
        values["KEY_FILE"] = str(self.dir / "keys.conf")
        (self.dir / "keys.conf").write_text(self.knot_keys())
        (self.dir / "keys.conf").chmod(0o640)
        _zone_files(self, self.zones, values)
        self.conf = render_file(TEMPLATES / "knot-primary.conf.in",
                                self.dir / "knot.conf", values)


class KnotSecondary(_Member, Knot):
    """A Knot secondary of BIND's zones: ready once it serves every one."""

    kind = "knot-secondary"

    def prepare(self):
        values = self.values()
        values["SECONDARY_ZONE"] = list(self.zones)
        self.conf = render_file(TEMPLATES / "knot-secondary.conf.in",
                                self.dir / "knot.conf", values)

    def _serves_zone(self):
        for zone in self.zones:
            self.zone = zone
            if not super()._serves_zone():
                return False
        self.zone = self.zones[0]
        return True

    def knotc(self, *args):
        done = subprocess.run(["knotc", "-c", str(self.conf), *args],
                              capture_output=True, text=True, timeout=10)
        if done.returncode != 0:
            raise RuntimeError(f"knotc {' '.join(args)}: "
                               f"{(done.stderr or done.stdout).strip()}")
        return done.stdout


class TopologyPowerDNS(_Member, PowerDNS):
    def zone_files(self):
        values = self.values()
        _zone_files(self, self.zones, values)
        return {zone: self.dir / f"{zone}zone" for zone in self.zones}


class Topology:
    """The servers, the zones, and what tests and benchmarks ask of them."""

    def __init__(self, key, challenges=()):
        """KEY: the TsigKey every primary grants (TsigKey.generate).
        CHALLENGES: absolute names to grant in example.test besides
        EXAMPLE_CHALLENGES (for tests that add names of their own)."""
        self.key = key
        self.resolver = ADDRESSES["resolver"]
        self.addresses = dict(ADDRESSES)
        self.zones = ZONES
        keys = {key.name: key}
        values = {role.upper().replace("-", "_"): address
                  for role, address in ADDRESSES.items()}
        values["KEY"] = [key.name]
        values["DEAD_NS"] = DEAD_NS
        values["BULK_TXT"] = [f"bulk value {i:02d} " + "x" * 31 for i in range(BULK_VALUES)]
        values["MID_TXT"] = [f"mid value {i:02d} " + "x" * 32 for i in range(MID_VALUES)]

        def zones_of(role, secondary=False):
            return [z.name for z in ZONES.values()
                    if (role in z.secondaries if secondary else z.primary == role)]

        self.bind = TopologyBind(values, zones_of("bind"), ADDRESSES["bind"], keys,
                                 list(EXAMPLE_CHALLENGES) + list(challenges))
        self.knot = TopologyKnot(values, zones_of("knot"), ADDRESSES["knot"], keys, [])
        self.powerdns = TopologyPowerDNS(values, zones_of("powerdns"),
                                         ADDRESSES["powerdns"], keys,
                                         list(PDNS_CHALLENGES))
        self.old_powerdns = OldPowerDNS(ADDRESSES["old-powerdns"], "old.test.")
        self.secondary = KnotSecondary(values, zones_of("knot-secondary", True),
                                       ADDRESSES["knot-secondary"], keys, [])
        # broken.test too: the resolver must reach the server that fails.
        stubs = {z.name: [ADDRESSES[r] for r in z.roles]
                 for z in ZONES.values() if not z.delegated}
        stubs.update(OUTSIDE_STUBS)
        stubs["."] = [NOWHERE]
        self.unbound = Unbound(ADDRESSES["resolver"], stubs, "example.test.")
        self.servers = {"bind": self.bind, "knot": self.knot,
                        "powerdns": self.powerdns,
                        "knot-secondary": self.secondary, "resolver": self.unbound,
                        "old-powerdns": self.old_powerdns}
        self._started = []

    # --- life cycle --------------------------------------------------------

    def start(self):
        """Start every server, the primaries side by side, then the
        secondary (it transfers from BIND), then the resolver."""
        try:
            with ThreadPoolExecutor(4) as pool:
                primaries = [self.bind, self.knot, self.powerdns,
                             self.old_powerdns]
                futures = [pool.submit(server.start) for server in primaries]
                for server, future in zip(primaries, futures):
                    try:
                        future.result()
                    finally:
                        self._started.append(server)
            self._started.append(self.secondary)
            self.secondary.start()
            self._started.append(self.unbound)
            self.unbound.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        for server in reversed(self._started):
            server.stop()

    def cleanup(self):
        for server in self._started:
            server.cleanup()
        self._started = []

    def log_tails(self):
        return "\n".join(f"--- {s.kind} {s.log} ---\n{s.log_tail(15)}"
                         for s in self.servers.values())

    # --- the zones ---------------------------------------------------------

    def primary(self, zone):
        return self.addresses[self.zones[zone].primary]

    def authoritative(self, zone):
        """Every authoritative address of ZONE, primary first."""
        return [self.addresses[role] for role in self.zones[zone].roles]

    def served(self, zone, name, rdtype="TXT"):
        """{address: set of RDATA} as each authoritative server of ZONE
        serves NAME itself (RD=0, authoritative answers only)."""
        return {address: rrset_texts(address, name, rdtype)
                for address in self.authoritative(zone)}

    def serials(self, zone):
        """{address: SOA serial} on each authoritative server of ZONE."""
        found = {}
        for address in self.authoritative(zone):
            (soa,) = rrset_texts(address, zone, "SOA")
            found[address] = int(soa.split()[2])
        return found

    def resolve(self, name, rdtype="TXT"):
        """The resolver's answer (RD=1): what a CA's lookup would get."""
        return self.unbound.resolve(name, rdtype)

    def update(self, zone, name, value, *, delete=False, ttl=60):
        """A TXT added (or deleted) at NAME by a signed UPDATE straight to
        the zone's primary, not through the agent; returns the rcode."""
        return send_update(self.primary(zone),
                           txt_update(self.key, name, value, delete=delete,
                                      zone=zone, ttl=ttl))

    def wait_in_sync(self, zone, timeout=10.0):
        """Until every authoritative server of ZONE has the primary's serial."""
        def in_sync():
            serials = self.serials(zone)
            return len(set(serials.values())) == 1
        retry_with_timeout(in_sync, timeout, f"{zone} in sync on every server")

    # --- the agent's config ------------------------------------------------

    def config_text(self, key_file, *, zones=None, servers=None,
                    nameservers=None, **defaults):
        """An acme-nsupdate config for this topology, the resolver its
        `resolver =`. ZONES: the [zone] sections (default: every configured
        zone). SERVERS: {zone: address, or None for no `server =` line (the
        SOA MNAME is the primary)}; default: each zone's primary.
        NAMESERVERS: {zone: [addresses]} for `nameservers =`. DEFAULTS:
        more [defaults] keys (timeout = 10 unless given)."""
        zones = [z for z in self.zones if self.zones[z].configured] \
            if zones is None else zones
        servers = servers or {}
        nameservers = nameservers or {}
        options = {"resolver": self.resolver, "timeout": 10, **defaults}
        lines = ["; acme-nsupdate for the read-path topology "
                 "(tests/system/servers/topology.py)", "[defaults]"]
        lines += [f"{key} = {value}" for key, value in options.items()]
        for zone in zones:
            zone = zone.lower().rstrip(".") + "."
            info = self.zones.get(zone)
            lines.append("")
            if info is not None and info.grant:
                lines.append(f"; {info.grant}")
            lines.append(f"[zone {zone.rstrip('.')}]")
            server = servers.get(zone, self.primary(zone) if info else None)
            if server is not None:
                lines.append(f"server = {server}")
            lines.append(f"key_file = {key_file}")
            if zone in nameservers:
                lines.append("nameservers = " + " ".join(nameservers[zone]))
        return "\n".join(lines) + "\n"

    def write_config(self, directory, name="acme-nsupdate.ini", **options):
        """The key file and a config (both mode 600) in DIRECTORY; returns
        the config's path. OPTIONS as for config_text."""
        key_file = directory / f"{self.key.name}key"
        key_file.write_text(self.key.text)
        key_file.chmod(0o600)
        path = directory / name
        path.write_text(self.config_text(key_file, **options))
        path.chmod(0o600)
        return path

    # --- a secondary that is down, or lags ---------------------------------

    @contextlib.contextmanager
    def secondary_stopped(self):
        """The Knot secondary stopped by its PID; started again afterwards,
        and waited for until it has caught up with BIND."""
        self.secondary.stop()
        try:
            yield self.secondary.address
        finally:
            self.secondary.start()
            # Knot keeps its refresh timers across a restart, and the
            # NOTIFYs sent while it was down are lost: ask it to refresh.
            self.secondary.knotc("zone-refresh", *self.secondary.zones)
            for zone in self.secondary.zones:
                self.wait_in_sync(zone)

    @contextlib.contextmanager
    def secondary_frozen(self):
        """The Knot secondary takes no transfers (knotc zone-freeze): it
        keeps serving what it has until the block ends (zone-thaw).
        Yields a function that thaws it early."""
        zones = list(self.secondary.zones)
        thawed = []

        def thaw():
            if not thawed:
                thawed.append(True)
                self.secondary.knotc("zone-thaw", *zones)

        self.secondary.knotc("zone-freeze", *zones)
        try:
            yield thaw
        finally:
            thaw()
