# SPDX-License-Identifier: ISC
"""GSS-TSIG against a Samba AD DC (servers/samba.py): its internal DNS
takes Kerberos-signed updates as Windows does. Any domain user may create
a name; the records then belong to that user, and another user's update
there fails. Samba 4.17 signs its replies in the variant form (the request
MAC without its length): the agent accepts it, said at -v, where nsupdate
reports "tsig verify failure" and was obeyed all the same.

The domain is provisioned once per session (a few seconds)."""

import subprocess

import pytest

from servers.common import rrset_texts
from servers.samba import ADDRESS, AGENT, INTRUDER, ZONE, SambaDc, principal
from test_clients import ClientRun, certbot
from test_gss import gss_config

FAILS_WITHIN = 15               # seconds a failure may take (timeout = 10)


def challenge(label):
    return f"_acme-challenge.{label}.{ZONE}"


def txt(name):
    return rrset_texts(ADDRESS, name, "TXT")


@pytest.fixture(scope="session")
def samba():
    dc = SambaDc()
    try:
        dc.start()
        yield dc
    finally:
        dc.stop()
        dc.cleanup()


@pytest.fixture
def samba_env(samba, monkeypatch):
    """The agent runs with the domain's krb5.conf and no ccache or client
    keytab of the machine's (Agent.run copies os.environ)."""
    for name, value in samba.env().items():
        if name.startswith("KRB5"):
            monkeypatch.setenv(name, value)
    return samba


def samba_config(agent, samba, user=AGENT, **options):
    """The agent's config for the domain's zone: no server = line (the
    primary is the SOA MNAME, dc.samba.test, and the server principal
    DNS/dc.samba.test follows from it), USER's keytab."""
    return gss_config(agent, zone=ZONE, resolver=ADDRESS, server=None,
                      keytab=samba.keytabs[principal(user)],
                      principal=principal(user), **options)


# --- the fixture, proved with nsupdate -g -----------------------------------

def test_fixture_takes_nsupdate_g(samba, tmp_path, value):
    name, token = challenge("nsupdate"), value("token")
    ccache = tmp_path / "ccache"
    samba.kinit(AGENT, ccache)

    def nsupdate(command):
        script = f"server {ADDRESS}\nzone {ZONE}\n{command}\nsend\n"
        done = subprocess.run(["nsupdate", "-g"], input=script, text=True,
                              capture_output=True, timeout=30,
                              env=samba.env(KRB5CCNAME=f"FILE:{ccache}"))
        # Samba obeys, and nsupdate cannot verify the signed reply: the
        # variant form of Samba before 4.21.
        assert "tsig verify failure" in done.stderr, done.stderr
        return done

    nsupdate(f'update add {name} 60 TXT "{token}"')
    assert txt(name) == {token}
    nsupdate(f'update delete {name} TXT "{token}"')
    assert txt(name) == set()


# --- the agent --------------------------------------------------------------

def test_add_two_values_then_remove_each(samba, samba_env, agent, value):
    name = challenge("x")
    first, second = value("first"), value("second")
    config = samba_config(agent, samba)

    result = agent.ok(config, "-v", "add", name, first)
    result.says("context", "established",
                f"{ADDRESS} port 53 signs its replies without the length of "
                "the request MAC", "accepted", "deleted")
    assert txt(name) == {first}

    agent.ok(config, "add", name, second)
    assert txt(name) == {first, second}

    agent.ok(config, "remove", name, first)
    assert txt(name) == {second}

    agent.ok(config, "remove", name, second)
    assert txt(name) == set()


def test_intruder_at_a_name_the_agent_created(samba, samba_env, agent, value):
    # The agent's value makes the name its own; another domain user's
    # update there fails: Samba answers SERVFAIL, by sending the request
    # back (our own TSIG in it, no signature of its own).
    name, mine, theirs = challenge("owned"), value("mine"), value("theirs")
    agent.ok(samba_config(agent, samba), "add", name, mine)
    intruder = samba_config(agent, samba, user=INTRUDER)
    try:
        result = agent.fails(intruder, "-v", "add", name, theirs,
                             timeout=FAILS_WITHIN)
        result.says("sent our request back with rcode SERVFAIL",
                    f"update failed on {ADDRESS} port 53 for zone "
                    f"{ZONE.rstrip('.')} (SERVFAIL): Samba and Windows answer "
                    f"so when principal {principal(INTRUDER)} may not change "
                    f"the records at {name.rstrip('.')}", "samba-tool dns delete")
        assert txt(name) == {mine}
    finally:
        agent.ok(samba_config(agent, samba), "remove", name, mine)
    assert txt(name) == set()


def test_gss_microsoft_is_formerr(samba, samba_env, agent, value):
    # Samba 4.17 reads the TKEY record only in the additional section;
    # gss_tsig = microsoft puts it in the answer section (Windows 2000).
    name, token = challenge("ms"), value("token")
    config = samba_config(agent, samba, mode="microsoft")

    result = agent.fails(config, "add", name, token, timeout=FAILS_WITHIN)
    result.says(f"{ADDRESS} port 53 cannot read the GSS-TSIG negotiation",
                "(FORMERR)", "set gss_tsig = yes")
    assert txt(name) == set()


# --- an ACME client through Samba's DNS -------------------------------------

def test_certbot_wildcard_and_base(samba, samba_env, agent, agent_path, pebble,
                                   topology, tmp_path):
    # Pebble asks the topology's Unbound, which has a stub zone for
    # samba.test (servers/topology.py).
    label = "certbot"
    names = [f"{label}.{ZONE.rstrip('.')}", f"*.{label}.{ZONE.rstrip('.')}"]
    config = samba_config(agent, samba)
    run = ClientRun(agent_path, config, pebble, topology, tmp_path, names)

    cert = certbot(run)
    assert pebble.verify(cert) == set(names), run.report()
    assert txt(challenge(label)) == set(), run.report()
