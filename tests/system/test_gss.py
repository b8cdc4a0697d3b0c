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

from servers.common import add_loopback_address, rrset_texts
from servers.kdc import (AGENT_PRINCIPAL, GHOST_PRINCIPAL, GSS_BIND_ADDRESS,
                         GSS_ZONE, INTRUDER_PRINCIPAL, KDC_ADDRESS, GssBind,
                         Kdc)
from test_clients import ClientRun, certbot

BIND_ADDRESS = GSS_BIND_ADDRESS
# Nothing listens here: a KDC that is down.
DEAD_KDC = "127.0.0.42"

# One name per test, each granted to the agent's principal (and to no one
# else): tests never see each other's records.
LABELS = ("nsupdate", "x", "ms", "intruder", "nokeytab", "unknown", "kdcdown",
          "wrongsp", "ccache", "bench", "certbot", "checked")
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
               server="ns.gss.test", mode="yes", timeout=10, zone=GSS_ZONE,
               resolver=BIND_ADDRESS):
    """A config whose only zone is ZONE (gss.test), signed with GSS-TSIG;
    the zone's server is also the resolver (it serves its primary's
    address)."""
    lines = ["[defaults]", f"resolver = {resolver}", f"timeout = {timeout}",
             "", f"[zone {zone.rstrip('.')}]"]
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

@pytest.mark.parametrize("mode", ["yes", "microsoft"])
def test_add_two_values_then_remove_each(kdc, gss_bind, krb5_env, agent, value,
                                         mode):
    # microsoft: algorithm gss.microsoft.com, TKEY in the answer section;
    # BIND takes both.
    name = challenge("x" if mode == "yes" else "ms")
    first, second = value("first"), value("second")
    # No server = line: the primary is the SOA MNAME, ns.gss.test, and the
    # server principal DNS/ns.gss.test follows from it.
    config = gss_config(agent, keytab=kdc.keytabs[AGENT_PRINCIPAL],
                        principal=AGENT_PRINCIPAL, server=None, mode=mode)

    result = agent.ok(config, "-v", "add", name, first)
    result.says("context", "established", "deleted")
    assert txt(name) == {first}

    agent.ok(config, "add", name, second)
    assert txt(name) == {first, second}

    agent.ok(config, "remove", name, first)
    assert txt(name) == {second}

    agent.ok(config, "remove", name, second)
    assert txt(name) == set()


def test_credentials_from_the_users_ccache(kdc, gss_bind, krb5_env, agent,
                                           value, tmp_path, monkeypatch):
    # No keytab anywhere: the ticket kinit put in the user's ccache.
    name, token = challenge("ccache"), value("token")
    ccache = tmp_path / "ccache"
    kdc.kinit(AGENT_PRINCIPAL, ccache)
    monkeypatch.setenv("KRB5CCNAME", f"FILE:{ccache}")
    config = gss_config(agent)

    agent.ok(config, "add", name, token)
    assert txt(name) == {token}
    agent.ok(config, "remove", name, token)
    assert txt(name) == set()


# --- the agent: when Kerberos or the server says no -------------------------

def test_intruder_is_refused(kdc, gss_bind, krb5_env, agent, value):
    name, token = challenge("intruder"), value("token")
    config = gss_config(agent, keytab=kdc.keytabs[INTRUDER_PRINCIPAL],
                        principal=INTRUDER_PRINCIPAL)

    result = agent.fails(config, "add", name, token)
    result.says("update refused by 127.0.0.41 port 53", "(REFUSED)",
                f"principal {INTRUDER_PRINCIPAL} may not update TXT at "
                f"{name.rstrip('.')};",
                f'grant "{INTRUDER_PRINCIPAL}" name {name.rstrip(".")} TXT;')
    assert txt(name) == set()


def test_missing_keytab(kdc, gss_bind, krb5_env, agent, value, tmp_path):
    name, token = challenge("nokeytab"), value("token")
    gone = tmp_path / "gone.keytab"
    config = gss_config(agent, keytab=gone, principal=AGENT_PRINCIPAL)

    result = agent.fails(config, "add", name, token, status=2,
                         timeout=FAILS_WITHIN)
    result.says(f"keytab: {gone}: cannot open (No such file or directory)",
                f"ktadd -k {gone}")
    assert txt(name) == set()


def test_no_credentials_at_all(kdc, gss_bind, krb5_env, agent, value):
    # No keytab in the config, none at KRB5_CLIENT_KTNAME, no ccache.
    name, token = challenge("nokeytab"), value("token")
    config = gss_config(agent, principal=AGENT_PRINCIPAL)

    result = agent.fails(config, "add", name, token, timeout=FAILS_WITHIN)
    result.says(f"no Kerberos credentials for {AGENT_PRINCIPAL}",
                "set keytab =", "kinit", "[GSS-API:")
    assert result.seconds < FAILS_WITHIN
    assert txt(name) == set()


def test_principal_unknown_to_the_kdc(kdc, gss_bind, krb5_env, agent, value):
    name, token = challenge("unknown"), value("token")
    kdc.forget(GHOST_PRINCIPAL)
    config = gss_config(agent, keytab=kdc.keytabs[GHOST_PRINCIPAL],
                        principal=GHOST_PRINCIPAL)

    result = agent.fails(config, "add", name, token, timeout=FAILS_WITHIN)
    result.says(f"the KDC of realm GSS.TEST ({KDC_ADDRESS}:88) does not know "
                f"principal {GHOST_PRINCIPAL}", "addprinc -randkey")
    assert txt(name) == set()


def test_kdc_down(kdc, gss_bind, krb5_env, agent, value, tmp_path, monkeypatch):
    name, token = challenge("kdcdown"), value("token")
    add_loopback_address(DEAD_KDC)
    monkeypatch.setenv("KRB5_CONFIG", str(
        kdc.krb5_conf_with_kdc(tmp_path / "krb5.conf", DEAD_KDC)))
    config = gss_config(agent, keytab=kdc.keytabs[AGENT_PRINCIPAL],
                        principal=AGENT_PRINCIPAL)

    result = agent.fails(config, "add", name, token, timeout=FAILS_WITHIN)
    result.says(f"cannot reach a KDC of realm GSS.TEST ({DEAD_KDC}:88)",
                "is the KDC running")
    assert result.seconds < FAILS_WITHIN
    assert txt(name) == set()


def test_wrong_server_principal(kdc, gss_bind, krb5_env, agent, value):
    name, token = challenge("wrongsp"), value("token")
    wrong = "DNS/nowhere.gss.test@GSS.TEST"
    config = gss_config(agent, keytab=kdc.keytabs[AGENT_PRINCIPAL],
                        principal=AGENT_PRINCIPAL, server_principal=wrong)

    result = agent.fails(config, "add", name, token, timeout=FAILS_WITHIN)
    result.says(f"the KDC does not know the DNS server's principal {wrong}",
                "set server_principal =")
    assert txt(name) == set()


def test_server_principal_the_server_cannot_accept(kdc, gss_bind, krb5_env,
                                                  agent, value):
    # Known to the KDC, but not in BIND's keytab: BIND answers TKEY BADKEY.
    name, token = challenge("wrongsp"), value("token")
    config = gss_config(agent, keytab=kdc.keytabs[AGENT_PRINCIPAL],
                        principal=AGENT_PRINCIPAL,
                        server_principal=INTRUDER_PRINCIPAL)

    result = agent.fails(config, "add", name, token, timeout=FAILS_WITHIN)
    result.says("127.0.0.41 port 53 refused the GSS-TSIG negotiation",
                "TKEY BADKEY", "tkey-gssapi-keytab")
    assert txt(name) == set()


# --- an ACME client through the GSS zone --------------------------------------

def test_certbot_wildcard_and_base(kdc, gss_bind, krb5_env, agent, agent_path,
                                   pebble, topology, tmp_path):
    # Pebble asks the topology's Unbound, which has a stub zone for gss.test
    # (servers/topology.py): the CA sees what this BIND serves. certbot's
    # auth hook batches both values at one name into one GSS-TSIG run.
    label = "certbot"
    names = [f"{label}.{GSS_ZONE.rstrip('.')}", f"*.{label}.{GSS_ZONE.rstrip('.')}"]
    config = gss_config(agent, keytab=kdc.keytabs[AGENT_PRINCIPAL],
                        principal=AGENT_PRINCIPAL)
    run = ClientRun(agent_path, config, pebble, topology, tmp_path, names)

    cert = certbot(run)
    assert pebble.verify(cert) == set(names), run.report()
    assert txt(challenge(label)) == set(), run.report()


def test_check_probes_over_the_gss_context(kdc, gss_bind, krb5_env, agent):
    """check's key and grant steps sign their probes with the negotiated
    context too: ok for the agent, the grant FAIL for the intruder (whom
    BIND refuses at that name)."""
    name = challenge("checked")
    domain = name[len("_acme-challenge."):].rstrip(".")
    good = gss_config(agent, keytab=kdc.keytabs[AGENT_PRINCIPAL],
                      principal=AGENT_PRINCIPAL)
    bad = gss_config(agent, keytab=kdc.keytabs[INTRUDER_PRINCIPAL],
                     principal=INTRUDER_PRINCIPAL)

    result = agent.run(good, "check", domain)
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"ok key {domain} ") and "GSS-TSIG" in line
               for line in lines), str(result)
    assert any(line.startswith(f"ok grant {domain} ") for line in lines), str(result)

    result = agent.run(bad, "check", domain)
    assert result.returncode == 1, str(result)
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"ok key {domain} ") for line in lines), str(result)
    (grant,) = [line for line in lines if line.startswith(f"FAIL grant {domain} ")]
    assert f"principal {INTRUDER_PRINCIPAL} may not update TXT" in grant, grant
    assert txt(name) == set()
