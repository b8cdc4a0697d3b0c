# SPDX-License-Identifier: ISC
"""The write path with BIND, Knot and PowerDNS as primaries: the agent adds
and removes TXT values, with every TSIG algorithm, and says why when a
primary refuses, is down, or is not configured; and the grants the servers
run with (contrib/) let the ACME key write nothing but challenge TXTs.

Every scenario runs once per primary kind; each writes at its own challenge
name (servers/common.py: CHALLENGE_LABELS), so tests never share records."""

import re

import dns.update
import pytest

from servers.common import (ACME_KEY, ALGORITHMS, INFO_TXT, UNRELATED_TXT,
                            WWW_A, ZONE, challenge_name, random_secret,
                            txt_update)

# What the agent must say when the primary refuses (fragments, any case).
# PowerDNS answers every TSIG failure REFUSED without a TSIG RR, and
# NOERROR to what its policy skips: only a query shows that nothing changed.
SAYS = {
    "wrong secret": {"bind": "BADSIG", "knot": "BADSIG", "powerdns": "REFUSED"},
    "unknown key": {"bind": "BADKEY", "knot": "BADKEY", "powerdns": "REFUSED"},
    "outside grant": {"bind": "REFUSED", "knot": "BADKEY", "powerdns": "not applied"},
}


# --- the agent: adding and removing ----------------------------------------

def test_second_value_coexists_and_remove_takes_only_one(primary, agent, value):
    name = challenge_name("a")          # already holds an unrelated TXT
    first, second = value("first"), value("second")
    config = agent.config(primary)

    agent.ok(config, "add", name, first)
    assert primary.txt(name) == {UNRELATED_TXT, first}

    agent.ok(config, "add", name, second)
    assert primary.txt(name) == {UNRELATED_TXT, first, second}

    agent.ok(config, "remove", name, first)
    assert primary.txt(name) == {UNRELATED_TXT, second}

    # Removing a value that is already gone is done, not an error.
    agent.ok(config, "remove", name, first)
    assert primary.txt(name) == {UNRELATED_TXT, second}

    agent.ok(config, "remove", name, second)
    assert primary.txt(name) == {UNRELATED_TXT}


def test_domain_and_its_wildcard_share_one_name(primary, agent, value):
    name = challenge_name("")           # _acme-challenge.example.test.
    base, wildcard = value("base"), value("wildcard")
    config = agent.config(primary)

    agent.ok(config, "add", "example.test", base, "*.example.test", wildcard)
    assert primary.txt(name) == {base, wildcard}

    agent.ok(config, "remove", "example.test", base, "*.example.test", wildcard)
    assert primary.txt(name) == set()


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_every_tsig_algorithm(primary, agent, keys, value, algorithm):
    key = keys[f"acme-{algorithm}."]
    name = challenge_name(f"alg-{algorithm}")
    token = value("token")
    # Key files for all but one: the inline form gets its turn too.
    config = agent.config(primary, key, inline=algorithm == "hmac-sha512")

    agent.ok(config, "add", name, token)
    assert primary.txt(name) == {token}

    agent.ok(config, "remove", name, token)
    assert primary.txt(name) == set()


# --- the agent: when the primary says no -----------------------------------

def test_wrong_secret(primary, agent, keys, value):
    name, token = challenge_name("badsig"), value("token")
    forged = keys[ACME_KEY].with_secret(random_secret())
    config = agent.config(primary, forged, inline=True)

    result = agent.fails(config, "add", name, token)
    result.says(SAYS["wrong secret"][primary.kind], primary.address)
    assert primary.txt(name) == set()


def test_unknown_key(primary, agent, keys, value):
    name, token = challenge_name("badkey"), value("token")
    config = agent.config(primary, keys[ACME_KEY].renamed("no-such-key."))

    result = agent.fails(config, "add", name, token)
    result.says(SAYS["unknown key"][primary.kind], primary.address)
    assert primary.txt(name) == set()


@pytest.mark.parametrize("command, name", [
    # lego hands over the record name itself: TXT at an A-record name.
    ("present", "www.example.test."),
    # A challenge name, but not one the key was granted.
    ("add", "_acme-challenge.nogrant.example.test"),
], ids=["present-www", "add-ungranted"])
def test_outside_the_grant(primary, agent, value, command, name):
    token = value("token")
    config = agent.config(primary)

    result = agent.fails(config, command, name, token)
    result.says(SAYS["outside grant"][primary.kind])
    if primary.kind == "knot":
        # Knot answers BADKEY to every ACL denial: the agent must say so.
        result.says("ACL")
    assert token not in primary.txt(name)
    assert primary.a("www." + ZONE) == {WWW_A}


def test_primary_refuses_connections(primary, agent, value, dead_address):
    name, token = challenge_name("down"), value("token")
    config = agent.config(primary, server=dead_address, timeout=5)

    result = agent.fails(config, "add", name, token, timeout=30)
    result.says(f"{dead_address} port 53")
    assert re.search(rf"no answer from {re.escape(dead_address)} port 53"
                     r"|connection refused", result.stderr, re.I), str(result)
    assert primary.txt(name) == set()


def test_primary_never_answers(bind_server, agent, value, silent_address):
    # Waits out the whole timeout, so once: the resolver's kind is no matter.
    name, token = challenge_name("silent"), value("token")
    config = agent.config(bind_server, server=silent_address, timeout=5)

    result = agent.fails(config, "add", name, token, timeout=30)
    result.says(f"no answer from {silent_address} port 53")
    assert result.seconds < 15, f"timeout = 5 not kept\n{result}"
    assert bind_server.txt(name) == set()


def test_name_in_no_zone_section(primary, agent, value):
    name, token = challenge_name("nozone"), value("token")
    # The only [zone] section is for another zone.
    config = agent.config(primary, zone="elsewhere.test.")

    result = agent.run(config, "add", name, token)
    # DESIGN.md: a zone without its [zone] section is a config error (2).
    assert result.returncode == 2, str(result)
    result.says("ends in zone example.test, which has no [zone] section",
                "add [zone example.test]")
    assert primary.txt(name) == set()


# --- the agent: config errors name the file and line -----------------------

MALFORMED = {
    "unknown-key": "colour = blue",
    "bad-timeout": "timeout = soon",
    "no-equals": "resolver",
    "unnamed-zone": "[zone]",
}


@pytest.mark.parametrize("line", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_config(agent, keys, line):
    key_file = agent.key_file(keys[ACME_KEY])
    config = agent.write_config(
        "; line 4 is wrong on purpose\n"
        "[defaults]\n"
        "resolver = 127.0.0.11\n"
        f"{line}\n"
        "[zone example.test]\n"
        "server = 127.0.0.11\n"
        f"key_file = {key_file}\n")

    result = agent.fails(config, "add", challenge_name("nozone"), "x" * 43, status=2)
    result.says(f"{config}:4:")


def test_key_file_readable_by_others(agent, keys):
    key_file = agent.key_file(keys[ACME_KEY], mode=0o644)
    config = agent.write_config(
        "[defaults]\n"
        "resolver = 127.0.0.11\n"
        "[zone example.test]\n"
        "server = 127.0.0.11\n"
        f"key_file = {key_file}\n")

    result = agent.fails(config, "add", challenge_name("nozone"), "x" * 43, status=2)
    result.says(f"{config}:5:")


# --- the servers themselves (dnspython): what the tests above rely on ------

@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_server_takes_update_signed_with(primary, keys, value, algorithm):
    key = keys[f"acme-{algorithm}."]
    name, token = challenge_name(f"py-{algorithm}"), value("token")

    serial = primary.serial()
    assert primary.update(txt_update(key, name, token)) == "NOERROR"
    assert primary.txt(name) == {token}
    # Counted up, not set to a date (PowerDNS: SOA-EDIT-DNSUPDATE INCREASE).
    assert serial < primary.serial() < serial + 100

    assert primary.update(txt_update(key, name, token, delete=True)) == "NOERROR"
    assert primary.txt(name) == set()


def test_server_tsig_failures(primary, keys, value):
    name, token = challenge_name("badsig"), value("token")
    forged = keys[ACME_KEY].with_secret(random_secret())
    stranger = keys[ACME_KEY].renamed("no-such-key.")

    assert primary.update(txt_update(forged, name, token)) == primary.answers["wrong secret"]
    assert primary.update(txt_update(stranger, name, token)) == primary.answers["unknown key"]
    assert primary.txt(name) == set()


def test_acme_key_may_write_nothing_but_challenge_txt(primary, keys, value):
    key = keys[ACME_KEY]
    www, info = "www." + ZONE, "info." + ZONE
    challenge, ungranted = challenge_name("lp"), "_acme-challenge.nogrant." + ZONE
    denied = primary.answers["outside grant"]

    replace_a = dns.update.UpdateMessage(ZONE)
    replace_a.replace(www, 60, "A", "192.0.2.66")
    replace_a.use_tsig(key.dnspython())
    assert primary.update(replace_a) == denied

    assert primary.update(txt_update(key, info, value("info"))) == denied
    assert primary.update(txt_update(key, info, INFO_TXT, delete=True)) == denied
    assert primary.update(txt_update(key, ungranted, value("ungranted"))) == denied
    assert primary.update(txt_update(key, challenge, "www.example.test.",
                                     rdtype="CNAME")) == denied
    # Unsigned: the grant is the key's, not the address's.
    assert primary.update(txt_update(None, challenge, value("unsigned"))) \
        == primary.answers["unsigned"]

    assert primary.a(www) == {WWW_A}
    assert primary.txt(www) == set()
    assert primary.txt(info) == {INFO_TXT}
    assert primary.txt(ungranted) == set()
    assert primary.txt(challenge) == set()
    assert primary.rrset(challenge, "CNAME") == set()
