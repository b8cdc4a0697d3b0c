# SPDX-License-Identifier: ISC
"""A hostile network: servers/hostile.py stands where the primary (or the
resolver) should be and misbehaves in one way per case, forwarding the rest
to a real BIND. Each case: the exit status, what the agent says, a bound on
its time (the configured timeout and a second), and nothing half written on
the real server behind. The ASan run of the suite adds: no sanitizer report.

With HOSTILE_CATALOGUE=FILE set, each case appends a row (case, exit, the
first message line, seconds) to FILE: the catalogue of the report."""

import os

import pytest

from servers import HOSTILE
from servers.common import ACME_KEY, challenge_name

NAME = challenge_name("hostile")
TIMEOUT = 3


def record(case, result):
    path = os.environ.get("HOSTILE_CATALOGUE")
    if not path:
        return
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    # The error (the first line not about progress), or how it ended.
    first = next((line for line in lines if line.startswith("acme-nsupdate: ")
                  and " added in zone " not in line and "removed the values" not in line),
                 "") if result.returncode != 0 else (lines[-1] if lines else "")
    with open(path, "a") as f:
        f.write(f"| {case} | {result.returncode} | {first.replace('|', '/')} "
                f"| {result.seconds:.1f} |\n")


def config(agent, keys, *, resolver, server=HOSTILE, timeout=TIMEOUT, extra=""):
    key = keys[ACME_KEY]
    agent.secrets.add(key.secret)
    return agent.write_config(
        "[defaults]\n"
        f"resolver = {resolver}\n"
        f"timeout = {timeout}\n"
        "\n[zone example.test]\n"
        f"server = {server}\n"
        f"key_file = {agent.key_file(key)}\n" + extra,
        name=f"hostile-{agent.configs}.ini")


def assert_clean(bind_server, token):
    assert token not in bind_server.txt(NAME), \
        f"{token} left behind on BIND: {bind_server.txt(NAME)}"


# --- ignored, and the right reply still taken ------------------------------

IGNORED = {
    "wrong-source": "replies from another address and another port first",
    "wrong-id": "a reply with another ID first",
    "wrong-question": "a reply to another question first",
    "tc": "UDP truncated, then the reply over TCP",
}


@pytest.mark.parametrize("mode", sorted(IGNORED))
def test_decoys_are_ignored(bind_server, agent, keys, value, hostile, mode):
    hostile(mode, "update")
    token = value("token")
    result = agent.run(config(agent, keys, resolver=bind_server.address),
                       "add", NAME, token)
    record(f"UPDATE reply: {IGNORED[mode]}", result)
    assert result.returncode == 0, str(result)
    assert result.seconds <= TIMEOUT + 1, str(result)
    assert bind_server.txt(NAME) == {token}
    agent.ok(agent.config(bind_server), "remove", NAME, token)
    assert_clean(bind_server, token)


ANSWERS = {
    "big": "a 65535-byte TCP reply to the confirming TXT query",
    "many-txt": "500 TXT records in the confirming answer",
}


@pytest.mark.parametrize("mode", sorted(ANSWERS))
def test_large_answers_are_read(bind_server, agent, keys, value, hostile, mode):
    hostile(mode, "txt")
    token = value("token")
    result = agent.run(config(agent, keys, resolver=bind_server.address),
                       "add", NAME, token)
    record(ANSWERS[mode], result)
    assert result.returncode == 0, str(result)
    assert result.seconds <= TIMEOUT + 1, str(result)
    assert bind_server.txt(NAME) == {token}
    agent.ok(agent.config(bind_server), "remove", NAME, token)
    assert_clean(bind_server, token)


# --- transport: bounded by the timeout -------------------------------------

STREAMS = {
    "trickle": "TCP reply trickling one byte a second",
    "endless": "TCP reply that never ends (length 65535, a byte a second)",
    "flood-empty": "TCP stream of zero-length frames",
    "flood-wrong": "TCP stream of replies that do not match",
    "ptr-loop": "compression pointer to itself",
    "ptr-past-end": "compression pointer past the end",
}


@pytest.mark.parametrize("mode", sorted(STREAMS))
def test_broken_replies_end_in_the_timeout(bind_server, agent, keys, value,
                                           hostile, mode):
    # The hostile server is the resolver: every lookup meets the mode.
    hostile(mode, "query")
    token = value("token")
    result = agent.run(config(agent, keys, resolver=HOSTILE), "add", NAME, token)
    record(f"resolver: {STREAMS[mode]}", result)
    assert result.returncode == 1, str(result)
    assert result.seconds <= TIMEOUT + 1, str(result)
    result.says(f"{HOSTILE} port 53")
    assert "out of memory" not in result.stderr
    assert_clean(bind_server, token)


# --- the UPDATE's reply: refused or not trusted ----------------------------

REJECTED = {
    # mode: (what the reply is, what the agent must say)
    "unsigned": ("unsigned NOERROR to a signed UPDATE", "not signed"),
    "bad-mac": ("signed, MAC flipped", "MAC does not verify"),
    "mac-length": ("signed, MAC 8 bytes too long", "malformed"),
    "key-name": ("signed with another key name", "signed with another key"),
    "algorithm": ("signed with another algorithm", "another algorithm"),
    "time": ("signed an hour ago", "outside the allowed clock skew"),
    "other-data": ("signed, 64 KiB of other data", "malformed"),
    "badtime-unsigned": ("unsigned BADTIME without the server's time",
                         "unsigned and carries no time"),
    "formerr": ("FORMERR", "(FORMERR)"),
    "notimp": ("NOTIMP", "(NOTIMPL)"),
    "servfail": ("SERVFAIL", "(SERVFAIL)"),
    "refused": ("REFUSED", "(REFUSED)"),
}


@pytest.mark.parametrize("mode", sorted(REJECTED))
def test_untrusted_or_refused_update_reply(bind_server, agent, keys, value,
                                           hostile, mode):
    what, says = REJECTED[mode]
    hostile(mode, "update")
    token = value("token")
    result = agent.run(config(agent, keys, resolver=bind_server.address),
                       "add", NAME, token)
    record(f"UPDATE reply: {what}", result)
    assert result.returncode == 1, str(result)
    result.says(says, f"{HOSTILE} port 53")
    # The TSIG cases went through to BIND: the rollback must undo them,
    # within the same timeout (it shares the run's).
    assert result.seconds <= TIMEOUT + 1, str(result)
    assert_clean(bind_server, token)


# --- the chain: traps in hostile.test --------------------------------------

CHAINS = {
    "c17": ("CNAME chain of 17 hops", "more than 16 CNAME/DNAME hops"),
    "self": ("CNAME to itself", "CNAME loop"),
    "dlong": ("DNAME whose target is over 255 octets", "no usable answer"),
    "dun": ("DNAME for an unrelated name", "no usable answer"),
}


@pytest.mark.parametrize("label", sorted(CHAINS))
def test_chain_traps(bind_server, agent, keys, value, hostile, label):
    what, says = CHAINS[label]
    hostile("none", "none")
    result = agent.run(config(agent, keys, resolver=HOSTILE),
                       "add", f"_acme-challenge.{label}.hostile.test", value("t"))
    record(what, result)
    assert result.returncode == 1, str(result)
    assert result.seconds <= TIMEOUT + 1, str(result)
    result.says(says)
    assert "out of memory" not in result.stderr


def test_newline_in_a_dns_name_is_escaped(bind_server, agent, keys, value, hostile):
    hostile("none", "none")
    result = agent.run(config(agent, keys, resolver=HOSTILE),
                       "add", "_acme-challenge.nl.hostile.test", value("t"))
    record("CNAME target with a newline in a label", result)
    # The chain ends in hostile.test, which has no [zone] section.
    assert result.returncode == 2, str(result)
    assert "evil\\010acme-nsupdate:" in result.stderr, str(result)
    for line in result.stderr.splitlines():
        assert line.startswith("acme-nsupdate: "), str(result)
        assert not line.startswith("acme-nsupdate: forged"), str(result)


# --- messages that once misled ---------------------------------------------

def test_a_resolver_that_refuses_is_named(agent, keys, value, hostile):
    hostile("refused", "query")
    result = agent.run(config(agent, keys, resolver=HOSTILE), "add", NAME, value("t"))
    record("resolver answers REFUSED to everything", result)
    assert result.returncode == 1, str(result)
    result.says(f"{HOSTILE} port 53", "(REFUSED)")
    assert "no resolver configured" not in result.stderr, str(result)


def test_confirmation_that_times_out_says_so(bind_server, agent, keys, value,
                                             hostile):
    # UPDATEs reach BIND; the TXT queries that confirm them go unanswered
    # (those before the UPDATE, that read the RRset's TTL, are answered).
    hostile("drop-after-update", "txt")
    token = value("token")
    result = agent.run(config(agent, keys, resolver=bind_server.address),
                       "add", NAME, token)
    record("confirming TXT queries never answered", result)
    assert result.returncode == 1, str(result)
    result.says("did not answer the query that checks")
    assert "does not serve the value" not in result.stderr, str(result)
    assert result.seconds <= TIMEOUT + 1, str(result)
    # The add went through to BIND: the rollback took it back.
    assert_clean(bind_server, token)
