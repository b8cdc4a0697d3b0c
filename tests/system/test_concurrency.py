# SPDX-License-Identifier: ISC
"""Many runs at once at one name, and servers reachable over IPv6 only.

Fifty calls start together at one challenge name: 25 add new values, 25
remove values added before; an unrelated TXT is at the name all along.
Every add serves its value when it returns, every removed value is gone,
the unrelated TXT stays. Then the primary and a name server on IPv6
addresses added inside the test's namespace (a name server with an AAAA
record only, and a primary written `[addr]:port`): the agent updates over
IPv6, polls the IPv6-only server, and does not return before it serves."""

import dns.flags
import dns.message
import dns.name
import dns.query
from servers import HOSTILE
from servers.common import ACME_KEY, challenge_name, txt_update

NAME = challenge_name("many")
KEEP = "unrelated: kept through fifty runs"
RUNS = 25


def txt(address, name):
    """The TXT values ADDRESS serves at NAME, over TCP: fifty values do not
    fit in a 512-byte UDP answer."""
    message = dns.message.make_query(name, "TXT")
    message.flags &= ~dns.flags.RD
    response = dns.query.tcp(message, address, port=53, timeout=5)
    assert response.flags & dns.flags.AA, response
    return {b"".join(rdata.strings).decode()
            for rrset in response.answer for rdata in rrset
            if rrset.rdtype == 16 and rrset.name == dns.name.from_text(name)}


def test_fifty_calls_at_one_name(primary, agent, keys, value):
    key = keys[ACME_KEY]
    config = agent.config(primary, timeout=30)
    old = [value(f"old {i}") for i in range(RUNS)]
    new = [value(f"new {i}") for i in range(RUNS)]
    assert primary.update(txt_update(key, NAME, KEEP)) == "NOERROR"
    pairs = [arg for v in old for arg in (NAME, v)]
    agent.ok(config, "add", *pairs)
    assert txt(primary.address, NAME) == {KEEP, *old}
    try:
        adds = [agent.start(config, "-q", "add", NAME, v) for v in new]
        removes = [agent.start(config, "-q", "remove", NAME, v) for v in old]
        for proc, v in zip(adds, new):
            result = agent.finish(proc, timeout=60)
            assert result.returncode == 0, str(result)
            # Served when add returned (no later add or removal takes it).
            assert v in txt(primary.address, NAME), str(result)
        for proc in removes:
            result = agent.finish(proc, timeout=60)
            assert result.returncode == 0, str(result)
        assert txt(primary.address, NAME) == {KEEP, *new}
    finally:
        agent.run(config, "remove", *[arg for v in old + new for arg in (NAME, v)])
        primary.update(txt_update(key, NAME, KEEP, delete=True))
    assert txt(primary.address, NAME) == set()


# --- IPv6 ------------------------------------------------------------------

PRIMARY6 = "fd00::53"       # in front of BIND: the primary, as [addr]:port
NS6 = "fd00::54"            # ns6.example.test: AAAA only, lags LAG seconds
LAG = 1.5


def query6(address, name):
    message = dns.message.make_query(name, "TXT")
    message.flags &= ~dns.flags.RD
    response = dns.query.udp(message, address, port=53, timeout=2)
    return {b"".join(rdata.strings).decode()
            for rrset in response.answer for rdata in rrset
            if rrset.rdtype == 16}


def test_ipv6_only_servers_are_updated_and_polled(bind_server, agent, keys, value,
                                                 hostile):
    # The resolver (hostile, IPv4) tells an NS set with ns6.example.test,
    # whose only address is IPv6; the primary is reached over IPv6 too.
    hostile("v6-ns", "query", ns6=NS6)
    hostile("none", "none", address=PRIMARY6)
    hostile("lag", "txt", address=NS6, lag=LAG)
    key = keys[ACME_KEY]
    agent.secrets.add(key.secret)
    config = agent.write_config(
        f"[defaults]\nresolver = {HOSTILE}\ntimeout = 10\n"
        f"[zone example.test]\nserver = [{PRIMARY6}]:53\n"
        f"key_file = {agent.key_file(key)}\n", name="ipv6.ini")
    token = value("token")
    result = agent.run(config, "-v", "add", NAME, token)
    served6 = query6(NS6, NAME)
    assert result.returncode == 0, str(result)
    assert token in served6, f"{NS6} does not serve it on return\n{result}"
    assert result.seconds >= LAG, f"returned before {NS6} served it\n{result}"
    result.says(f"{NS6} port 53", f"{PRIMARY6} port 53")
    assert token in bind_server.txt(NAME)
    agent.ok(config, "remove", NAME, token)
    assert token not in bind_server.txt(NAME)
