# SPDX-License-Identifier: ISC
"""persist: the dns-persist-01 record (draft-ietf-acme-dns-persist) on
BIND, Knot and PowerDNS: written through the same chain, zone, update and
wait path as add; one record per issuer and account, replaced and removed
without touching the others; a CNAME followed (with a warning); a value
longer than one string split at 255 octets; bad input refused before
anything is sent."""

import time

import pytest

from servers.common import ACME_KEY, ZONE, txt_update

NAME = "_validation-persist." + ZONE
ALIASED = "_validation-persist.p." + ZONE       # behind ...alias.example.test
UNRELATED = "unrelated: not a persist record"
LE = "letsencrypt.org"
ACCOUNT_1 = "https://acme-v02.api.letsencrypt.org/acme/acct/1001"
ACCOUNT_2 = "https://acme-v02.api.letsencrypt.org/acme/acct/2002"


def record(issuer, account, *, wildcard=False, until=None):
    """The value the agent writes (draft 3.2; DESIGN.md)."""
    text = f"{issuer}; accounturi={account}"
    if wildcard:
        text += "; policy=wildcard"
    if until is not None:
        text += f"; persistUntil={until}"
    return text


def persist(agent, config, *args, status=0):
    result = agent.run(config, "persist", *args)
    assert result.returncode == status, str(result)
    return result


def test_replace_and_remove_by_issuer_and_account(primary, agent, keys):
    config = agent.config(primary)
    domain = ZONE.rstrip(".")

    persist(agent, config, domain, "--issuer", LE, "--account-uri", ACCOUNT_1)
    assert primary.txt(NAME) == {record(LE, ACCOUNT_1)}
    persist(agent, config, domain, "--issuer", "LetsEncrypt.ORG.",
            "--account-uri", ACCOUNT_2)
    assert primary.txt(NAME) == {record(LE, ACCOUNT_1), record(LE, ACCOUNT_2)}

    # The same issuer and account: that record replaced, in one UPDATE.
    until = int(time.time()) + 86400 * 90
    before = primary.serial()
    persist(agent, config, "*." + domain, "--issuer", LE, "--account-uri",
            ACCOUNT_1, "--until", str(until))
    assert primary.serial() != before
    assert primary.txt(NAME) == {record(LE, ACCOUNT_1, wildcard=True, until=until),
                                 record(LE, ACCOUNT_2)}
    persist(agent, config, domain, "--issuer", "ca.example.net",
            "--account-uri", ACCOUNT_1)
    assert len(primary.txt(NAME)) == 3

    # Its TTL: --ttl, else a day (a CA may reuse the validation that long).
    (rrset,) = [r for r in primary.rrsets(NAME, "TXT")]
    assert rrset.ttl == 86400

    # check names them, with policy and expiry; a past one is a warning.
    result = agent.run(config, "check", domain)
    assert f"ok txt {domain} {NAME.rstrip('.')}: dns-persist-01 record of {LE} " \
           f"for account {ACCOUNT_1}, policy=wildcard" in result.stdout, str(result)
    assert f"dns-persist-01 record of ca.example.net for account {ACCOUNT_1}" \
        in result.stdout, str(result)
    stale = record("ca.example.org", ACCOUNT_2, until=1000)
    assert primary.update(txt_update(keys[ACME_KEY], NAME, stale)) == "NOERROR"
    result = agent.run(config, "check", domain)
    assert f"warn txt {domain} {NAME.rstrip('.')}: dns-persist-01 record of " \
           f"ca.example.org for account {ACCOUNT_2}: its persistUntil" \
        in result.stdout, str(result)
    persist(agent, config, "--remove", domain, "--issuer", "ca.example.org")

    # --remove with an account takes that record only ...
    persist(agent, config, "--remove", domain, "--issuer", LE,
            "--account-uri", ACCOUNT_2)
    assert primary.txt(NAME) == {record(LE, ACCOUNT_1, wildcard=True, until=until),
                                 record("ca.example.net", ACCOUNT_1)}
    # ... without one, every record of the issuer; others stay.
    persist(agent, config, "--remove", "--wait", domain, "--issuer", LE)
    assert primary.txt(NAME) == {record("ca.example.net", ACCOUNT_1)}
    result = persist(agent, config, "--remove", domain, "--issuer", LE)
    result.says("nothing to remove")
    persist(agent, config, "--remove", domain, "--issuer", "ca.example.net")
    assert primary.txt(NAME) == set()


def test_through_a_cname_and_longer_than_a_string(primary, agent):
    config = agent.config(primary)
    account = "https://ca.example/acme/acct/" + "x" * 300
    value = record(LE, account)

    result = persist(agent, config, "alias." + ZONE.rstrip("."), "--issuer", LE,
                     "--account-uri", account, "--ttl", "3600")
    result.says("a CNAME leads to " + ALIASED.rstrip("."))
    # Written at the target, in strings of at most 255 octets.
    assert primary.txt(ALIASED) == {UNRELATED, value}
    (rrset,) = primary.rrsets(ALIASED, "TXT")
    (long,) = [r for r in rrset if b"".join(r.strings).decode() == value]
    assert [len(s) for s in long.strings] == [255, len(value) - 255]
    assert rrset.ttl == 3600

    persist(agent, config, "--remove", "alias." + ZONE.rstrip("."), "--issuer", LE)
    assert primary.txt(ALIASED) == {UNRELATED}


@pytest.mark.parametrize("args, says", [
    (["--issuer", "Lets Encrypt", "--account-uri", ACCOUNT_1],
     "the issuer is not a domain name"),
    (["--issuer", LE, "--account-uri", "not a uri"], "is not a URI"),
    (["--issuer", LE, "--account-uri", "https://ca/a;b"], "holds a blank, a ';'"),
    (["--issuer", LE, "--account-uri", ACCOUNT_1, "--until", "1000"],
     "--until 1000 is in the past"),
    (["--issuer", LE], "usage: acme-nsupdate persist"),
])
def test_refused_before_anything_is_sent(primary, agent, args, says):
    config = agent.config(primary)
    before = primary.serial()

    result = persist(agent, config, ZONE.rstrip("."), *args, status=2)
    result.says(says)
    assert primary.serial() == before
    assert primary.txt(NAME) == set()
