# SPDX-License-Identifier: ISC
"""`check DOMAIN...`: every misconfiguration DNS-01 meets, named by the step
that finds it, with its status and its key fact, before a CA sees it; and
nothing changed on any server (no serial moves). Against the read-path
topology (servers/topology.py): BIND with a Knot secondary, a Knot
primary, PowerDNS, a server that claims to be PowerDNS 4.0.3
(servers/oldpdns.py), Unbound as the resolver (the CA's view).

Each finding is a line `STATUS STEP DOMAIN SUBJECT: what; fix`; with
--json one object per domain per line carries the same findings."""

import json
import os
import re

import pytest

EXAMPLE = "example.test."
LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"

# Every zone the tests here read, for the serial check.
ZONES_READ = ("example.test.", "dns01.test.", "knot.test.", "pdns.test.",
              "acme.example.test.")


class Findings:
    """One run of `check`: its text findings and its --json twin."""

    def __init__(self, result, parsed):
        self.result = result
        self.lines = [line for line in result.stdout.splitlines() if line]
        self.parsed = parsed

    def __str__(self):
        return str(self.result)

    def find(self, status, step, *fragments):
        """The lines of STATUS and STEP that hold every fragment."""
        found = [line for line in self.lines
                 if line.startswith(f"{status} {step} ")
                 and all(f in line for f in fragments)]
        assert found, (f"no {status} {step} finding with {fragments}\n{self}")
        return found

    def none(self, status, step=None):
        bad = [line for line in self.lines if line.startswith(f"{status} ")
               and (step is None or line.split()[1] == step)]
        assert not bad, f"unexpected {status} findings: {bad}\n{self}"

    def steps(self):
        return [line.split()[1] for line in self.lines]


def check(agent, config, *domains, status=None, env=None):
    """Runs check DOMAINS twice, as text and as --json, and compares."""
    text = agent.run(config, "check", *domains, env=env)
    js = agent.run(config, "check", "--json", *domains, env=env)
    if status is not None:
        assert text.returncode == status, str(text)
    assert js.returncode == text.returncode, str(js)
    objects = [json.loads(line) for line in js.stdout.splitlines()]
    assert [o["domain"] for o in objects] == list(domains), js.stdout
    lines = [line for line in text.stdout.splitlines() if line]
    # The same findings (the resolver may rotate NS order between runs).
    flat = [(f["status"], f["step"], o["domain"], f["subject"]) for o in objects
            for f in o["findings"]]
    assert sorted(flat) == sorted((*line.split()[:3], line.split(" ", 3)[3].split(": ")[0])
                                  for line in lines), f"{text}\n{js.stdout}"
    for o in objects:
        for f in o["findings"]:
            assert set(f) == {"step", "status", "subject", "server", "detail", "fix"}
            assert f["status"] in ("ok", "warn", "FAIL")
    return Findings(text, objects)


@pytest.fixture
def serials_kept(topology):
    """Asserts afterwards that no serial moved on any server."""
    before = {zone: topology.serials(zone) for zone in ZONES_READ}
    yield
    assert {zone: topology.serials(zone) for zone in ZONES_READ} == before


def configured(topology, *more):
    return [z for z, info in topology.zones.items() if info.configured] + list(more)


# --- healthy domains, one per primary kind ----------------------------------

HEALTHY = {
    # kind: (domain, the zone its challenge lands in)
    "bind": ("ok.dns01.test", "dns01.test"),
    "knot": ("ok.knot.test", "knot.test"),
    "powerdns": ("pd.example.test", "pdns.test"),
}


@pytest.mark.parametrize("kind", sorted(HEALTHY))
def test_check_healthy_domain(topology, topology_config, agent, serials_kept, kind):
    domain, zone = HEALTHY[kind]
    found = check(agent, topology_config(), domain, f"*.{domain}", status=0)
    found.none("FAIL")
    steps = found.steps()
    order = ["chain", "zone", "key", "grant", "caa", "dnssec", "txt", "negttl", "server"]
    # Every step, in DESIGN.md's order, for each domain.
    for d in (domain, f"*.{domain}"):
        seen = [line.split()[1] for line in found.lines if line.split()[2] == d]
        assert sorted(set(seen), key=order.index) == order, found
        assert seen == sorted(seen, key=order.index), found
    found.find("ok", "key", "clock skew")
    found.find("ok", "chain", "effective name", f"zone {zone}")
    found.find("ok", "caa", "no CAA record")
    found.find("ok", "negttl", "negative TTL 300 s")
    if kind == "powerdns":
        # PowerDNS answers NOERROR also where its policy skips the update.
        found.find("warn", "grant", "the grant is not proved")
        found.find("ok", "server", "PowerDNS 4.")
    else:
        found.find("ok", "grant", "may write TXT here")
        found.find("ok", "server", {"bind": "BIND 9.", "knot": "Knot DNS 3."}[kind])
    assert len(steps) >= 9


# --- key and grant -----------------------------------------------------------

def key_config(topology, agent, key):
    agent.secrets.add(key.secret)
    path = agent.workdir / f"{key.name}other.key"
    path.write_text(key.text)
    path.chmod(0o600)
    config = agent.workdir / "check-key.ini"
    config.write_text(topology.config_text(path))
    config.chmod(0o600)
    return config


def test_check_wrong_secret(topology, agent, serials_kept):
    from servers.common import random_secret
    config = key_config(topology, agent, topology.key.with_secret(random_secret()))
    found = check(agent, config, "ok.dns01.test", status=1)
    line, = found.find("FAIL", "key", "BADSIG", "secret")
    assert f"{topology.primary('dns01.test.')} port 53" in line
    # The grant probe is not sent with a key that failed.
    assert not [l for l in found.lines if l.split()[1] == "grant"], found


def test_check_unknown_key(topology, agent, serials_kept):
    config = key_config(topology, agent, topology.key.renamed("nobody-knows-me."))
    found = check(agent, config, "ok.dns01.test", status=1)
    found.find("FAIL", "key", "BADKEY", "knows no key named nobody-knows-me")


def test_check_unknown_key_powerdns(topology, agent, serials_kept):
    # PowerDNS answers every TSIG failure with an unsigned REFUSED.
    config = key_config(topology, agent, topology.key.renamed("nobody-knows-me."))
    found = check(agent, config, "pd.example.test", status=1)
    found.find("FAIL", "key", "REFUSED", "PowerDNS answers an unsigned REFUSED for every TSIG failure")


@pytest.mark.parametrize("offset, status, fact", [
    (90, "warn", "clocks differ by"),
    (-900, "FAIL", "BADTIME"),
])
def test_check_clock_skew(topology, topology_config, agent, offset, status, fact):
    env = {"LD_PRELOAD": LIBFAKETIME, "FAKETIME": f"{offset:+d}s",
           "FAKETIME_DONT_FAKE_MONOTONIC": "1",
           # A sanitizer build: libfaketime is preloaded before libasan.
           "ASAN_OPTIONS": ":".join(filter(None, (os.environ.get("ASAN_OPTIONS"),
                                                  "verify_asan_link_order=0")))}
    found = check(agent, topology_config(), "ok.dns01.test",
                  status=1 if status == "FAIL" else 0, env=env)
    line, = found.find(status, "key", fact)
    skew = int(re.search(r"(-?\d+) s", line).group(1))
    # The server's clock is OFFSET behind the agent's, within a few seconds.
    assert abs(skew + offset) <= 5, line


def test_check_key_without_grant(topology, topology_config, agent, serials_kept):
    # example.test grants the key only the names it lists.
    found = check(agent, topology_config(), "nogrant.example.test", status=1)
    found.find("ok", "key", "clock skew")
    found.find("FAIL", "grant", "REFUSED", "may not update TXT at _acme-challenge.nogrant.example.test")


# --- chain and zone ----------------------------------------------------------

def test_check_chain_into_zone_without_section(topology, topology_config, agent):
    found = check(agent, topology_config(), "un.example.test", status=1)
    found.find("ok", "chain", "alias to un.other.test")
    found.find("FAIL", "zone", "no [zone] section", "add [zone other.test]")
    # The other steps still run.
    found.find("ok", "caa")
    found.find("ok", "negttl")


def test_check_servfail_hop(topology, topology_config, agent):
    # _acme-challenge.sf.example.test CNAME sf.broken.test.; BIND could
    # not load broken.test. Asked directly (a [zone] section) and through
    # the resolver (none): SERVFAIL either way, never NXDOMAIN.
    config = topology_config(zones=configured(topology, "broken.test."))
    found = check(agent, config, "sf.example.test", status=1)
    line, = found.find("FAIL", "chain", "SERVFAIL from 127.0.0.21 port 53",
                       "unlike NXDOMAIN")
    found.find("ok", "caa")
    found = check(agent, topology_config(), "sf.example.test", status=1)
    found.find("FAIL", "chain", "answered SERVFAIL for broken.test", "unlike NXDOMAIN")


def bad_config(topology, topology_config):
    # bad.test with a [zone] section but no server =: the MNAME is asked.
    return topology_config(zones=configured(topology, "bad.test."),
                           servers={"bad.test.": None})


def test_check_mname_without_address(topology, topology_config, agent, dead_address):
    found = check(agent, bad_config(topology, topology_config), "x.bad.test", status=1)
    found.find("FAIL", "zone", "cannot find the address of ghost.bad.test",
               "no address")


def test_check_lame_ns(topology, topology_config, agent, dead_address):
    found = check(agent, bad_config(topology, topology_config), "x.bad.test", status=1)
    found.find("FAIL", "zone", "127.0.0.24 port 53", "lame for zone bad.test", "REFUSED")
    found.find("ok", "zone", "127.0.0.23 port 53", "over UDP and TCP")


def test_check_unreachable_ns(topology, topology_config, agent, dead_address):
    found = check(agent, bad_config(topology, topology_config), "x.bad.test", status=1)
    found.find("FAIL", "zone", f"{dead_address} port 53", "no answer for zone bad.test")


def test_check_negative_ttl(topology, topology_config, agent, dead_address):
    found = check(agent, bad_config(topology, topology_config), "x.bad.test", status=1)
    found.find("warn", "negttl", "negative TTL 3600 s", "lower the SOA minimum")


# --- caa ---------------------------------------------------------------------

def test_check_caa_servfail_and_old_powerdns(topology, topology_config, agent):
    found = check(agent, topology_config(), "old.test", status=1)
    found.find("FAIL", "caa", "SERVFAIL", "CAs treat this as a refusal to issue")
    found.find("FAIL", "server", "127.0.0.25 port 53", "PowerDNS 4.0.3",
               "upgrade PowerDNS to 4.0.4")


@pytest.mark.parametrize("domain, status, facts", [
    ("caa-other.dns01.test", "FAIL", ("names sectigo.com, not letsencrypt.org",)),
    ("*.wild.dns01.test", "FAIL", ("issuewild", "forbids every CA")),
    ("wild.dns01.test", "ok", ("issue permits letsencrypt.org",)),
    ("vm.dns01.test", "FAIL", ("validationmethods=http-01,tls-alpn-01 only",)),
    ("acct.dns01.test", "ok", ("accounturi",)),
    ("deep.parent.dns01.test", "FAIL", ("parent.dns01.test: CAA issue names sectigo.com",)),
])
def test_check_caa(topology, topology_config, agent, domain, status, facts):
    found = check(agent, topology_config(), domain, status=1 if status == "FAIL" else 0)
    found.find(status, "caa", *facts)


def test_check_caa_other_ca_configured(topology, topology_config, agent):
    # ca = names the CA in use: then sectigo.com's record permits it.
    found = check(agent, topology_config(ca="letsencrypt.org SECTIGO.com"),
                  "caa-other.dns01.test", status=0)
    found.find("ok", "caa", "permits letsencrypt.org or sectigo.com")


# --- txt -----------------------------------------------------------------------

def test_check_txt_too_big(topology, topology_config, agent):
    found = check(agent, topology_config(), "big.dns01.test", status=1)
    line, = found.find("FAIL", "txt", "70 TXT value(s)")
    size = int(re.search(r"is (\d+) bytes", line).group(1))
    assert size > 4096, line


def test_check_txt_near_the_limit(topology, topology_config, agent):
    found = check(agent, topology_config(), "mid.knot.test", status=0)
    line, = found.find("warn", "txt", "55 TXT value(s)")
    size = int(re.search(r"is (\d+) bytes", line).group(1))
    assert 3072 < size <= 4096, line


# --- setup: the real primary, and only its server's grant --------------------

@pytest.mark.parametrize("domain, zone, address, grant, others", [
    ("ok.dns01.test", "dns01.test.", "127.0.0.21", "update-policy {", ("acl:", "lua-dnsupdate")),
    ("ok.knot.test", "knot.test.", "127.0.0.23", "acl:", ("update-policy {", "lua-dnsupdate")),
    ("pd.example.test", "pdns.test.", "127.0.0.24", "lua-dnsupdate-policy-script",
     ("update-policy {", "acl:")),
])
def test_setup_names_the_primary_and_its_grant(topology, topology_config, agent,
                                               domain, zone, address, grant, others):
    # Without server =, the primary is the SOA MNAME, looked up.
    config = topology_config(servers={zone: None})
    result = agent.ok(config, "setup", domain)
    assert f"[zone {zone.rstrip('.')}]\nserver = {address}\n" in result.stdout, str(result)
    assert "PRIMARY-ADDRESS" not in result.stdout, str(result)
    assert grant in result.stdout, str(result)
    for other in others:
        assert other not in result.stdout, str(result)


# --- dnssec ------------------------------------------------------------------

VALIDATOR = "127.0.0.26"


@pytest.fixture
def validator(topology):
    """A validating Unbound with the parent's DS records as trust anchors:
    what a CA's resolver makes of the signed children."""
    from servers.common import ZONES
    from servers.unbound import Unbound

    class Validating(Unbound):
        def template_values(self):
            values = super().template_values()
            values["TRUST"] = list(topology.bind.ds_records)
            return values

    server = Validating(VALIDATOR, {"example.test.": [topology.primary(EXAMPLE)]},
                        "example.test.", template=ZONES / "topology" / "unbound-validating.conf.in")
    server.start()
    try:
        yield server
    finally:
        server.stop()
        server.cleanup()


def test_dnssec_fixtures_as_a_validator_sees_them(validator):
    import dns.rcode
    rcode = {zone: dns.rcode.to_text(validator.resolve(f"txt.{zone}", "TXT").rcode())
             for zone in ("sec-ok.example.test.", "sec-ds.example.test.",
                          "sec-exp.example.test.")}
    assert rcode == {"sec-ok.example.test.": "NOERROR", "sec-ds.example.test.": "SERVFAIL",
                     "sec-exp.example.test.": "SERVFAIL"}


@pytest.mark.parametrize("label, status, facts", [
    ("sec-ok", "ok", ("the DS matches DNSKEY",)),
    ("sec-ds", "FAIL", ("no DNSKEY matches the DS at the parent (key tag",)),
    ("sec-exp", "FAIL", ("expired on 20", "sign the zone again")),
])
def test_check_dnssec(topology, topology_config, agent, label, status, facts):
    found = check(agent, topology_config(), f"x.{label}.example.test", status=1)
    found.find(status, "dnssec", f"zone {label}.example.test", *facts)
    # The unsigned parent is on the chain's way, not on it.
    found.find("ok", "chain", f"in zone {label}.example.test")


# --- the probes on each primary kind: what they answer, and no serial moves --

# What the grant probe meets at a name outside the key's grant.
OUTSIDE_GRANT = {
    "bind": ("FAIL", "(REFUSED); key acme-key may not update TXT"),
    # Knot's ACL denial is NOTAUTH + BADKEY; after a key that passed its
    # own probe, check reads it as the grant it is.
    "knot": ("FAIL", "(NOTAUTH, TSIG BADKEY); key acme-key may not update TXT"),
    # PowerDNS's policy script skips it and answers NOERROR.
    "powerdns": ("warn", "the grant is not proved"),
}


def test_check_probes_on_each_primary(primary, agent):
    # The write-path servers (servers/__init__.py), the primary its own
    # resolver: the CAA climb meets REFUSED above the zone (exit 1).
    from servers.common import challenge_name
    config = agent.config(primary)
    serial = primary.serial()
    granted = check(agent, config, "a.example.test", status=1)
    granted.find("ok", "key", f"accepted by {primary.address} port 53", "clock skew")
    if primary.kind == "powerdns":
        granted.find("warn", "grant", "the grant is not proved")
    else:
        granted.find("ok", "grant", challenge_name("a").rstrip("."), "may write TXT here")
    outside = check(agent, config, "outside.example.test", status=1)
    status, fact = OUTSIDE_GRANT[primary.kind]
    outside.find(status, "grant", "_acme-challenge.outside.example.test", fact)
    # Neither probe moved the serial.
    assert primary.serial() == serial


def test_setup_alias_names_the_alias_zones_primary(topology, topology_config, agent):
    # --alias needs no lookup, but where the alias zone can be found its
    # primary (the SOA MNAME here) and its software are printed.
    config = topology_config(servers={"dns01.test.": None})
    result = agent.ok(config, "setup", "--alias", "dns01.test", "example.org")
    assert "[zone dns01.test]\nserver = 127.0.0.21\n" in result.stdout, str(result)
    assert "PRIMARY-ADDRESS" not in result.stdout, str(result)
    assert "grant acme-key. zonesub TXT;" in result.stdout, str(result)
    assert "acl:" not in result.stdout and "lua-dnsupdate" not in result.stdout
