# SPDX-License-Identifier: ISC
"""The read path: from _acme-challenge.<domain> along CNAME and DNAME
chains, across servers and into a delegated child, to the zone that holds
the effective name, its primary and every authoritative server; against
the topology of servers/topology.py (BIND with a Knot secondary, a Knot
primary, PowerDNS, Unbound as the resolver).

What a server serves is asked of each authoritative server directly
(RD=0), right after the agent exits and never with a retry: when `add`
returns, every server must serve the value. Each test owns its names
(zones/topology/example.test.zone.in says which)."""

import re
import subprocess

import dns.rcode
import dns.rdatatype
import pytest

from servers.common import retry_with_timeout, rrset_texts

EXAMPLE = "example.test."
CHILD = "acme.example.test."


def assert_served(topology, zone, name, values):
    """Every authoritative server of ZONE serves exactly VALUES at NAME."""
    served = topology.served(zone, name)
    # An empty server list would make the comparison below vacuous.
    assert served, f"{zone} has no authoritative server in the topology"
    assert served == {address: set(values) for address in served}, \
        f"{name} in {zone}: {served}"


def assert_cname_only(topology, zone, name, target):
    """NAME is still a CNAME to TARGET and holds no TXT, on every server."""
    assert topology.served(zone, name, "CNAME") == \
        {address: {target} for address in topology.authoritative(zone)}
    assert_served(topology, zone, name, set())


def configured_zones(topology, *without):
    return [z for z, info in topology.zones.items()
            if info.configured and z not in without]


# --- chains that the agent follows -----------------------------------------

# The target zone's primary kind: (domain, source zone, target, target zone).
CROSS = {
    "knot": ("www.example.test", EXAMPLE, "www.example.test.knot.test.", "knot.test."),
    "powerdns": ("pd.example.test", EXAMPLE, "pd.pdns.test.", "pdns.test."),
    # Into BIND and its Knot secondary, from a zone on Knot.
    "bind": ("kb.knot.test", "knot.test.", "kb.dns01.test.", "dns01.test."),
}


@pytest.mark.parametrize("kind", sorted(CROSS))
def test_cname_into_a_zone_on_another_server(topology, topology_config, agent,
                                             value, kind):
    domain, source, target, zone = CROSS[kind]
    challenge, token = f"_acme-challenge.{domain}.", value("token")
    config = topology_config()
    before = topology.serials(source)

    result = agent.ok(config, "-v", "add", domain, token)
    assert_served(topology, zone, target, {token})
    result.says(f"chain {challenge[:-1]} -> {target[:-1]}, zone {zone}")
    # The source zone is untouched.
    assert topology.serials(source) == before
    assert_cname_only(topology, source, challenge, target)

    agent.ok(config, "remove", "--wait", domain, token)
    assert_served(topology, zone, target, set())


@pytest.mark.parametrize("primary_from", ["server", "mname"])
def test_cname_into_the_delegated_child(topology, topology_config, agent, value,
                                        primary_from):
    # With `server =`, and without it: the primary is then the SOA MNAME,
    # ns.acme.example.test, whose address only the parent's glue gives.
    label = {"server": "child", "mname": "mname"}[primary_from]
    domain, target = f"{label}.example.test", f"{label}.acme.example.test."
    token = value("token")
    config = topology_config(servers={CHILD: None} if primary_from == "mname" else None)
    before = topology.serials(EXAMPLE)

    result = agent.ok(config, "-v", "add", domain, token)
    assert_served(topology, CHILD, target, {token})
    result.says(f"chain _acme-challenge.{domain} -> {target[:-1]}, zone {CHILD}")
    assert topology.serials(EXAMPLE) == before

    agent.ok(config, "remove", domain, token)
    assert_served(topology, CHILD, target, set())


def test_delegated_child_needs_a_zone_section_of_its_own(topology, topology_config,
                                                          agent, value):
    # [zone example.test] covers the name by suffix, but the referral shows
    # the zone cut: writing into example.test would write nowhere.
    target, token = "nocut.acme.example.test.", value("token")
    config = topology_config(zones=configured_zones(topology, CHILD))
    before = {zone: topology.serials(zone) for zone in (EXAMPLE, CHILD)}

    result = agent.fails(config, "add", "nocut.example.test", token, status=2)
    result.says("is in zone acme.example.test", "add [zone acme.example.test]")
    assert {zone: topology.serials(zone) for zone in before} == before
    assert_served(topology, CHILD, target, set())


def test_two_hop_chain_ends_in_powerdns(topology, topology_config, agent, value):
    token = value("token")
    config = topology_config()
    before = {zone: topology.serials(zone) for zone in (EXAMPLE, "knot.test.")}

    result = agent.ok(config, "-v", "add", "hop.example.test", token)
    result.says("chain _acme-challenge.hop.example.test -> hop.knot.test -> "
                "hop.pdns.test, zone pdns.test.")
    assert_served(topology, "pdns.test.", "hop.pdns.test.", {token})
    assert {zone: topology.serials(zone) for zone in before} == before

    agent.ok(config, "remove", "hop.example.test", token)
    assert_served(topology, "pdns.test.", "hop.pdns.test.", set())


def test_dname(topology, topology_config, agent, value):
    # RFC 6672: dname.example.test DNAME knot.test.
    target, token = "_acme-challenge.x.knot.test.", value("token")
    config = topology_config()
    before = topology.serials(EXAMPLE)

    result = agent.ok(config, "-v", "add", "x.dname.example.test", token)
    result.says("chain _acme-challenge.x.dname.example.test -> "
                "_acme-challenge.x.knot.test, zone knot.test.")
    assert_served(topology, "knot.test.", target, {token})
    assert topology.serials(EXAMPLE) == before

    agent.ok(config, "remove", "x.dname.example.test", token)
    assert_served(topology, "knot.test.", target, set())


# --- chains that end badly -------------------------------------------------

def test_cname_loop(topology, topology_config, agent, value):
    config = topology_config()
    before = {zone: topology.serials(zone) for zone in (EXAMPLE, "knot.test.")}

    result = agent.fails(config, "add", "loop.example.test", value("token"), status=1)
    result.says("CNAME loop: _acme-challenge.loop.example.test -> loop.knot.test "
                "-> _acme-challenge.loop.example.test")
    assert {zone: topology.serials(zone) for zone in before} == before


def test_wildcard_cname_is_written_where_it_captures(topology, topology_config,
                                                      agent, value):
    # *.wild.example.test CNAME wild.other.test., a zone with no [zone]
    # section: the TXT goes to the captured name itself, in example.test.
    name, token = "_acme-challenge.x.wild.example.test.", value("token")
    config = topology_config()
    before = topology.serials("other.test.")

    result = agent.ok(config, "add", "x.wild.example.test", token)
    result.says("comes from a wildcard")
    assert_served(topology, EXAMPLE, name, {token})
    assert topology.serials("other.test.") == before

    agent.ok(config, "remove", "--wait", "x.wild.example.test", token)
    assert_served(topology, EXAMPLE, name, set())
    # Gone again, the name is the wildcard's once more.
    assert topology.served(EXAMPLE, name, "CNAME") == \
        {address: {"wild.other.test."} for address in topology.authoritative(EXAMPLE)}


def test_chain_into_a_zone_without_a_section(topology, topology_config, agent, value):
    config = topology_config()
    before = {zone: topology.serials(zone) for zone in (EXAMPLE, "other.test.")}

    result = agent.fails(config, "add", "un.example.test", value("token"), status=2)
    result.says("which has no [zone] section", "add [zone other.test]")
    # Nothing was sent: no serial moved.
    assert {zone: topology.serials(zone) for zone in before} == before
    assert_served(topology, "other.test.", "un.other.test.", set())


def test_servfail_at_a_hop(topology, topology_config, agent, value):
    # _acme-challenge.sf.example.test CNAME sf.broken.test.: BIND is the
    # primary of broken.test but could not load it.
    bind = topology.primary("broken.test.")
    config = topology_config(zones=configured_zones(topology) + ["broken.test."])
    before = topology.serials(EXAMPLE)

    result = agent.fails(config, "add", "sf.example.test", value("token"), status=1)
    result.says(f"SERVFAIL from {bind} port 53", "unlike NXDOMAIN")
    assert topology.serials(EXAMPLE) == before


# --- what one call writes, and when it returns ------------------------------

def test_wildcard_and_base_in_one_update(topology, topology_config, agent, value):
    name = "_acme-challenge.d.example.test."
    wildcard, base = value("wildcard"), value("base")
    config = topology_config()
    (serial,) = set(topology.serials(EXAMPLE).values())

    result = agent.ok(config, "-v", "add", "*.d.example.test", wildcard,
                      "d.example.test", base)
    assert_served(topology, EXAMPLE, name, {wildcard, base})
    # One name, so its chain is followed once.
    assert result.stderr.count(": chain ") == 1, str(result)
    # One UPDATE: the serial moved by one, on the secondary too.
    assert topology.serials(EXAMPLE) == \
        {address: serial + 1 for address in topology.authoritative(EXAMPLE)}

    agent.ok(config, "remove", "--wait", "*.d.example.test", wildcard, "d.example.test", base)
    assert_served(topology, EXAMPLE, name, set())


def test_add_returns_when_every_server_serves(topology, topology_config, agent, value):
    name, token = "_acme-challenge.now.example.test.", value("token")
    bind, secondary = topology.authoritative(EXAMPLE)
    config = topology_config()

    # The secondary holds back the transfer: add must wait for it.
    with topology.secondary_frozen() as thaw:
        proc = agent.start(config, "add", "now.example.test", token)
        retry_with_timeout(lambda: token in rrset_texts(bind, name, "TXT"), 10,
                           "BIND serving the value")
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=0.5)
        assert token not in rrset_texts(secondary, name, "TXT")
        thaw()
        result = agent.finish(proc)
    assert result.returncode == 0, str(result)
    # No retry: served by both the moment add has returned.
    assert_served(topology, EXAMPLE, name, {token})
    result.says(f"zone example.test.: {bind} port 53 done",
                f"zone example.test.: {secondary} port 53 done")
    assert re.search(r"every authoritative server serves the values \(\d+ ms\)",
                     result.stderr), str(result)

    # And without holding anything back.
    again = value("again")
    agent.ok(config, "add", "now.example.test", again)
    assert_served(topology, EXAMPLE, name, {token, again})

    agent.ok(config, "remove", "now.example.test", token, "now.example.test", again)


def test_stopped_secondary(topology, topology_config, agent, value):
    name = "_acme-challenge.sec.example.test."
    bind, secondary = topology.authoritative(EXAMPLE)
    first, second = value("first"), value("second")

    with topology.secondary_stopped():
        config = topology_config(timeout=3)
        result = agent.fails(config, "add", "sec.example.test", first, status=1,
                             timeout=30)
        assert result.seconds < 15, f"timeout = 3 not kept\n{result}"
        result.says(f"{secondary} port 53", "no answer")
        # Nothing left half done: the primary no longer has it either.
        assert rrset_texts(bind, name, "TXT") == set(), str(result)

        config = topology_config(timeout=3, require="reachable")
        result = agent.ok(config, "add", "sec.example.test", second)
        warnings = [line for line in result.stderr.splitlines()
                    if f"{secondary} port 53" in line and "require = reachable" in line]
        assert warnings, f"no warning names {secondary}\n{result}"
        assert rrset_texts(bind, name, "TXT") == {second}
    # Started again, it has caught up.
    assert_served(topology, EXAMPLE, name, {second})

    agent.ok(topology_config(), "remove", "--wait", "sec.example.test", second)
    assert_served(topology, EXAMPLE, name, set())


def test_remove_waits_only_when_asked(topology, topology_config, agent, value):
    name, token = "_acme-challenge.rm.example.test.", value("token")
    bind, secondary = topology.authoritative(EXAMPLE)
    config = topology_config()

    agent.ok(config, "add", "rm.example.test", token)
    assert_served(topology, EXAMPLE, name, {token})

    # Plain remove: done on the primary, it does not wait for the secondary.
    with topology.secondary_frozen():
        result = agent.ok(config, "remove", "rm.example.test", token)
        assert rrset_texts(bind, name, "TXT") == set()
        assert rrset_texts(secondary, name, "TXT") == {token}
        assert "dropped the values" not in result.stderr, str(result)
    topology.wait_in_sync(EXAMPLE)
    assert_served(topology, EXAMPLE, name, set())

    # remove --wait: returns once no server serves the value.
    agent.ok(config, "add", "rm.example.test", token)
    with topology.secondary_frozen() as thaw:
        proc = agent.start(config, "remove", "--wait", "rm.example.test", token)
        retry_with_timeout(lambda: rrset_texts(bind, name, "TXT") == set(), 10,
                           "BIND dropping the value")
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=0.5)
        thaw()
        result = agent.finish(proc)
    assert result.returncode == 0, str(result)
    assert_served(topology, EXAMPLE, name, set())
    result.says("every authoritative server has dropped the values")


# --- the resolver: nothing the agent asks may prime it with a negative -------

def resolved_txt(topology, name):
    """(rcode, TXT values) the resolver returns for NAME, CNAMEs followed."""
    response = topology.resolve(name, "TXT")
    values = {b"".join(rdata.strings).decode()
              for rrset in response.answer if rrset.rdtype == dns.rdatatype.TXT
              for rdata in rrset}
    return dns.rcode.to_text(response.rcode()), values


def test_resolver_keeps_negative_answers(topology):
    # What the next two tests rely on: a negative answer, once cached, hides
    # a record written later (SOA minimum 3600).
    name, token = "neg.other.test.", "written after the resolver was asked"
    assert resolved_txt(topology, name) == ("NXDOMAIN", set())
    assert topology.update("other.test.", name, token) == "NOERROR"
    assert_served(topology, "other.test.", name, {token})
    assert resolved_txt(topology, name) == ("NXDOMAIN", set())


def test_add_primes_no_negative_answer(topology, topology_config, agent, value):
    token = value("token")
    config = topology_config()

    agent.ok(config, "add", "prime.example.test", token)
    for name in ("_acme-challenge.prime.example.test.", "prime.knot.test."):
        assert resolved_txt(topology, name) == ("NOERROR", {token}), name


def test_failed_add_primes_no_negative_answer(topology, topology_config, agent, value):
    # The chain ends in other.test, which has no [zone] section: the agent
    # gives up; the operator then writes the TXT some other way.
    token = value("token")
    config = topology_config()

    agent.fails(config, "add", "prime-un.example.test", token, status=2)
    assert topology.update("other.test.", "prime.other.test.", token) == "NOERROR"
    assert_served(topology, "other.test.", "prime.other.test.", {token})
    for name in ("_acme-challenge.prime-un.example.test.", "prime.other.test."):
        assert resolved_txt(topology, name) == ("NOERROR", {token}), name


def test_many_names_wait_by_serial(topology, topology_config, agent, value):
    """Twelve names in one zone: the wait polls one SOA per server until its
    serial reaches the primary's, then checks every TXT once; the frozen
    secondary still holds add back until it serves every value."""
    zone = "dns01.test."
    bind, secondary = topology.authoritative(zone)
    config = topology_config()
    pairs = {f"many{i}.dns01.test": value(f"many{i}") for i in range(12)}
    args = [word for pair in pairs.items() for word in pair]

    with topology.secondary_frozen() as thaw:
        proc = agent.start(config, "add", *args)
        first = "_acme-challenge.many0.dns01.test."
        retry_with_timeout(lambda: pairs["many0.dns01.test"] in
                           rrset_texts(bind, first, "TXT"), 10, "BIND serving")
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=0.5)
        thaw()
        result = agent.finish(proc)
    assert result.returncode == 0, str(result)
    for domain, token in pairs.items():
        name = f"_acme-challenge.{domain}."
        assert token in rrset_texts(secondary, name, "TXT"), str(result)
    agent.ok(config, "remove", "--wait", *args)
    for domain in pairs:
        assert rrset_texts(secondary, f"_acme-challenge.{domain}.", "TXT") == set()



def test_timeout_message_lists_every_server(topology, topology_config, agent, value):
    """A wait that runs out of time names every server and name it still
    waited for, in one line, whole: here well over 8 KiB (messages were
    once cut at 2 KiB, losing the list)."""
    zone = "dns01.test."
    bind = topology.primary(zone)
    dead = [f"127.0.1.{i}" for i in range(1, 14)]     # nothing listens there
    # BIND must be seen done first: ten TXT checks at ten queries a second,
    # after the chain's and the update's own queries to it, can take 2 s.
    config = topology_config(timeout=5, nameservers={zone: [bind, *dead]})
    domains = [f"wide{i}.dns01.test" for i in range(10)]
    pairs = [word for domain in domains for word in (domain, value(domain))]

    result = agent.fails(config, "add", *pairs, status=1, timeout=30)
    lines = [line for line in result.stderr.splitlines()
             if "not served everywhere within 5 s" in line]
    assert len(lines) == 1, str(result)
    (line,) = lines
    assert len(line) > 8192, f"{len(line)} bytes"
    for domain in domains:
        for address in dead:
            assert f"_acme-challenge.{domain} on {address} port 53 " \
                   f"(zone {zone}: no answer)" in line, domain + " " + address
        assert f"_acme-challenge.{domain} on {bind} port 53" not in line
    assert line.endswith("or set require = reachable"), line[-200:]
    # The failed add took its values back.
    for domain in domains:
        assert rrset_texts(bind, f"_acme-challenge.{domain}.", "TXT") == set()
