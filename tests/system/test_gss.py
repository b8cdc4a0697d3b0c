# SPDX-License-Identifier: ISC
"""GSS-TSIG (RFC 3645): the agent writes TXT records on a BIND that takes
Kerberos-signed updates, with credentials from a keytab, and says in words
what is wrong when the keytab, the principal, the KDC or the server
principal is. An MIT KDC of its own realm (servers/kdc.py) and a BIND of
its own serve gss.test; BIND grants the agent's principal TXT at the
listed challenge names only (contrib/gss/named.conf.in).

First the fixture is proved with BIND's own client, `nsupdate -g`."""

import subprocess

import pytest

from servers.common import challenge_value, retry_with_timeout, rrset_texts
from servers.kdc import (AGENT_PRINCIPAL, GSS_ZONE, INTRUDER_PRINCIPAL,
                         SERVER_PRINCIPAL, GssBind, Kdc)

KDC_ADDRESS = "127.0.0.40"
BIND_ADDRESS = "127.0.0.41"
# Nothing listens here: a KDC that is down.
DEAD_KDC = "127.0.0.42"

# One name per test, each granted to the agent's principal (and to no one
# else): tests never see each other's records.
LABELS = ("nsupdate", "x", "intruder", "nokeytab", "unknown", "kdcdown",
          "wrongsp", "ccache", "bench")
FAILS_WITHIN = 15               # seconds a failure may take (timeout = 10)


def challenge(label):
    return f"_acme-challenge.{label}.{GSS_ZONE}"


@pytest.fixture(scope="module")
def kdc():
    server = Kdc(KDC_ADDRESS)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        server.cleanup()


@pytest.fixture(scope="module")
def gss_bind(kdc):
    server = GssBind(BIND_ADDRESS, kdc, [AGENT_PRINCIPAL],
                     [challenge(label) for label in LABELS])
    try:
        server.start()
        yield server
    finally:
        server.stop()
        server.cleanup()


@pytest.fixture
def krb5_env(kdc, monkeypatch):
    """The agent runs with the test realm's krb5.conf and no default
    ccache or client keytab of the machine's (Agent.run copies os.environ)."""
    for name, value in kdc.env().items():
        if name.startswith("KRB5"):
            monkeypatch.setenv(name, value)
    return kdc


def gss_config(agent, *, keytab=None, principal=None, server_principal=None,
               server="ns.gss.test", mode="yes", timeout=10):
    """A config whose only zone is gss.test, signed with GSS-TSIG; the GSS
    BIND is also the resolver (it serves ns.gss.test's address)."""
    lines = ["[defaults]", f"resolver = {BIND_ADDRESS}", f"timeout = {timeout}",
             "", f"[zone {GSS_ZONE.rstrip('.')}]"]
    if server is not None:
        lines.append(f"server = {server}")
    lines.append(f"gss_tsig = {mode}")
    for key, val in (("keytab", keytab), ("principal", principal),
                     ("server_principal", server_principal)):
        if val is not None:
            lines.append(f"{key} = {val}")
    agent.configs += 1
    return agent.write_config("\n".join(lines) + "\n",
                              name=f"gss-{agent.configs}.ini")


def txt(name):
    return rrset_texts(BIND_ADDRESS, name, "TXT")


# --- the fixture, proved with nsupdate -g -----------------------------------

def test_fixture_takes_nsupdate_g(kdc, gss_bind, tmp_path, value):
    name, token = challenge("nsupdate"), value("token")
    ccache = tmp_path / "ccache"
    kdc.kinit(AGENT_PRINCIPAL, ccache)
    script = (f"server {BIND_ADDRESS}\nzone {GSS_ZONE}\n"
              f"update add {name} 60 TXT \"{token}\"\nsend\n")
    done = subprocess.run(["nsupdate", "-g"], input=script, text=True,
                          capture_output=True, timeout=30,
                          env=kdc.env(KRB5CCNAME=f"FILE:{ccache}"))
    assert done.returncode == 0, done.stderr
    assert txt(name) == {token}


# --- the agent --------------------------------------------------------------

def test_add_two_values_then_remove_each(kdc, gss_bind, krb5_env, agent, value):
    name = challenge("x")
    first, second = value("first"), value("second")
    # No server = line: the primary is the SOA MNAME, ns.gss.test, and the
    # server principal DNS/ns.gss.test follows from it.
    config = gss_config(agent, keytab=kdc.keytabs[AGENT_PRINCIPAL],
                        principal=AGENT_PRINCIPAL, server=None)

    result = agent.ok(config, "-v", "add", name, first)
    result.says("context", "established", "deleted")
    assert txt(name) == {first}

    agent.ok(config, "add", name, second)
    assert txt(name) == {first, second}

    agent.ok(config, "remove", name, first)
    assert txt(name) == {second}

    agent.ok(config, "remove", name, second)
    assert txt(name) == set()
