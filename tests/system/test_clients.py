# SPDX-License-Identifier: ISC
"""End to end: certbot, lego, dehydrated and uacme, as Debian 12 ships
them, obtain real certificates from Pebble with acme-nsupdate as their
DNS-01 hook, each called the way DESIGN.md says (no wrapper script), on the
topology of servers/topology.py; Pebble asks its Unbound, as a CA would.
acme.sh, not in Debian 12, is represented by its dnsapi file alone.

For every client, one certificate per case: one name; a wildcard and its
base; a name whose _acme-challenge is (through example.test's DNAME) a
CNAME into knot.test on another server; a name in the delegated child
acme.example.test; several names across zones. Before the run an
unrelated TXT is put at every challenge name the case writes; afterwards
the certificate holds exactly the names asked for (OpenSSL, and issued by
this Pebble), and every authoritative server serves that unrelated TXT
and no challenge value.

Each test owns its names: the client's label is in every one of them."""

import os
import shlex
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from servers.common import REPO, challenge_value, retry_with_timeout

DNS01 = "dns01.test."           # BIND primary, Knot secondary; zonesub TXT
KNOT = "knot.test."             # Knot primary; any TXT
CHILD = "acme.example.test."    # Knot primary, delegated from example.test

CLIENT_TIMEOUT = 90             # seconds one client command may take
EMAIL = "acme@example.test"


@dataclass(frozen=True)
class Case:
    names: tuple        # on the certificate; {c} is the client's label
    writes: tuple       # (zone, name) where the TXT values go

    def certificate_names(self, label):
        return [name.format(c=label) for name in self.names]

    def challenge_names(self, label):
        return [(zone, name.format(c=label)) for zone, name in self.writes]


CASES = {
    "one": Case(("{c}-one.dns01.test",),
                ((DNS01, "_acme-challenge.{c}-one.dns01.test."),)),
    # Two values at one name at once (certbot, dehydrated) or one after
    # the other (lego, uacme: one authorization at a time).
    "wildcard": Case(("{c}-wc.knot.test", "*.{c}-wc.knot.test"),
                     ((KNOT, "_acme-challenge.{c}-wc.knot.test."),)),
    # example.test (BIND) has dname DNAME knot.test.: the resolver answers
    # _acme-challenge.{c}.dname.example.test with a CNAME into knot.test
    # (Knot), the zone the values go to; lego follows it itself.
    "cname": Case(("{c}.dname.example.test",),
                  ((KNOT, "_acme-challenge.{c}.knot.test."),)),
    # The agent finds the zone cut by referral (no stub zone for the child).
    "child": Case(("{c}.acme.example.test",),
                  ((CHILD, "_acme-challenge.{c}.acme.example.test."),)),
    "multi": Case(("{c}-m.dns01.test", "*.{c}-m.dns01.test", "{c}-m.knot.test",
                   "{c}-m.acme.example.test"),
                  ((DNS01, "_acme-challenge.{c}-m.dns01.test."),
                   (KNOT, "_acme-challenge.{c}-m.knot.test."),
                   (CHILD, "_acme-challenge.{c}-m.acme.example.test."))),
}


# --- running a client ------------------------------------------------------

class ClientRun:
    """One client's commands for one certificate: the environment every
    client gets (the agent's config, trust in Pebble), a transcript of what
    ran for the failure message, and the secret checked on every output."""

    def __init__(self, agent_path, config, pebble, topology, workdir, names):
        self.agent = agent_path
        self.config = config
        self.pebble = pebble
        self.topology = topology
        self.dir = workdir
        self.names = names
        self.secret = topology.key.secret
        self.transcript = []
        self.logs = []          # client log files worth showing on failure

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("ACME_NSUPDATE_", "EXEC_", "CERTBOT_", "LEGO_"))}
        # The hooks find the agent's config here: clients pass their
        # environment on to the program they call.
        env["ACME_NSUPDATE_CONFIG"] = str(self.config)
        env.update(self.pebble.client_env())
        env.update(extra)
        return env

    def __call__(self, argv, env=None, ok=True):
        argv = [str(arg) for arg in argv]
        start = time.monotonic()
        try:
            done = subprocess.run(argv, env=env or self.env(), cwd=self.dir,
                                  capture_output=True, text=True,
                                  stdin=subprocess.DEVNULL, timeout=CLIENT_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            self.transcript.append(f"$ {shlex.join(argv)}\nstill running after "
                                   f"{CLIENT_TIMEOUT} s\n{exc.stdout or ''}{exc.stderr or ''}")
            pytest.fail(self.report(), pytrace=False)
        self.transcript.append(
            f"$ {shlex.join(argv)}\nexit {done.returncode} after "
            f"{time.monotonic() - start:.1f} s\n--- stdout ---\n{done.stdout}"
            f"--- stderr ---\n{done.stderr}")
        assert self.secret not in done.stdout + done.stderr, \
            f"the TSIG secret is in the output\n{self.report()}"
        if ok and done.returncode != 0:
            pytest.fail(self.report(), pytrace=False)
        return done

    def report(self):
        text = "\n".join(self.transcript)
        for log in self.logs:
            if Path(log).exists():
                lines = Path(log).read_text(errors="replace").splitlines()
                text += f"\n--- {log} (tail) ---\n" + "\n".join(lines[-40:])
        return text + f"\n--- pebble {self.pebble.log} ---\n{self.pebble.log_tail(20)}"


def certbot(run):
    """certbot --manual with the agent as both hooks (certbot-auth batches
    until CERTBOT_REMAINING_CHALLENGES is 0)."""
    d = run.dir / "certbot"
    run.logs.append(d / "logs" / "letsencrypt.log")
    agent = shlex.quote(run.agent)
    run(["certbot", "certonly", "--manual", "--preferred-challenges", "dns",
         "--manual-auth-hook", f"{agent} certbot-auth",
         "--manual-cleanup-hook", f"{agent} certbot-cleanup",
         *[arg for name in run.names for arg in ("-d", name)],
         "--cert-name", "test", "--server", run.pebble.directory,
         "--config-dir", d / "config", "--work-dir", d / "work",
         "--logs-dir", d / "logs",
         "--agree-tos", "--register-unsafely-without-email", "--non-interactive"])
    return d / "config" / "live" / "test" / "fullchain.pem"


def lego(run, mode=None):
    """lego --dns exec, EXEC_PATH the binary. lego asks --dns.resolvers
    for a CNAME at each challenge name and hands `present` the target.
    Its own propagation check is off: it resolves the NS names with the
    system resolver, which this namespace has not got, and the agent has
    already waited for every authoritative server. (Its CNAME question
    goes to the resolver Pebble shares: a challenge name that did not
    exist would be cached there as NXDOMAIN for the zones' SOA minimum;
    the unrelated TXT each test puts first makes every one exist.)"""
    d = run.dir / "lego"
    env = run.env(EXEC_PATH=run.agent,
                  # No pause between challenges: the agent's updates are
                  # safe side by side, and an add at a name whose value was
                  # just removed waits out the CA resolver's cache itself.
                  EXEC_SEQUENCE_INTERVAL="0",
                  EXEC_PROPAGATION_TIMEOUT="30", EXEC_POLLING_INTERVAL="1")
    if mode is not None:
        env["EXEC_MODE"] = mode
    run(["lego", "--accept-tos", "--email", EMAIL, "--server", run.pebble.directory,
         "--path", d, "--dns", "exec",
         "--dns.resolvers", f"{run.topology.resolver}:53", "--dns.disable-cp",
         *[arg for name in run.names for arg in ("-d", name)], "run"], env)
    # certificates/<first name, * as _>.crt holds the leaf and the chain.
    (cert,) = [p for p in (d / "certificates").glob("*.crt")
               if not p.name.endswith(".issuer.crt")]
    return cert


def lego_raw(run):
    """EXEC_MODE=RAW: `present -- DOMAIN TOKEN KEYAUTH`; the agent derives
    the name and the digest itself."""
    return lego(run, mode="RAW")


def dehydrated(run, chain="no"):
    """dehydrated with HOOK the binary, its own BASEDIR; registered first."""
    d = run.dir / "dehydrated"
    d.mkdir()
    config = d / "config"
    config.write_text(f'CA="{run.pebble.directory}"\n'
                      f'BASEDIR="{d}"\n'
                      'CHALLENGETYPE="dns-01"\n'
                      # The account key (RSA, 4096 bits by default) is made
                      # for every test: 2048 bits is quicker.
                      'KEYSIZE="2048"\n'
                      f'HOOK="{run.agent}"\n'
                      f'HOOK_CHAIN="{chain}"\n')
    run(["dehydrated", "--config", config, "--register", "--accept-terms"])
    # --alias: the certificate's directory (a wildcard cannot name it).
    run(["dehydrated", "--config", config, "--cron", "--alias", "test",
         *[arg for name in run.names for arg in ("--domain", name)]])
    return d / "certs" / "test" / "fullchain.pem"


def dehydrated_chain(run):
    """HOOK_CHAIN=yes: one deploy_challenge with every triple."""
    return dehydrated(run, chain="yes")


def uacme(run):
    """uacme -h the binary (`begin dns-01 IDENT TOKEN AUTH`; other types
    declined). Its libcurl-gnutls trusts only the system bundle: run in a
    mount namespace where that is Pebble's CA (servers/pebble.py)."""
    d = run.dir / "uacme"
    base = ["uacme", "-v", "-c", d, "-a", run.pebble.directory]
    run(run.pebble.trusting([*base, "-y", "new"]))
    run(run.pebble.trusting([*base, "-h", run.agent, "issue", *run.names]))
    return d / run.names[0].removeprefix("*.") / "cert.pem"


CLIENTS = {"certbot": certbot, "lego": lego, "lego-raw": lego_raw,
           "dehydrated": dehydrated, "dehydrated-chain": dehydrated_chain,
           "uacme": uacme}

def matrix():
    """Every client and case; the variants (EXEC_MODE=RAW, HOOK_CHAIN=yes)
    where they differ: a CNAME lego does not hand over, a wildcard, and two
    values at one name in one call."""
    cases = [(client, case) for client in ("certbot", "lego", "dehydrated", "uacme")
             for case in CASES]
    cases += [("lego-raw", "cname"), ("lego-raw", "wildcard"),
              ("dehydrated-chain", "multi")]
    return [pytest.param(client, case, id=f"{client}-{case}")
            for client, case in cases]


# --- the test ----------------------------------------------------------------

def served_everywhere(topology, zone, name, values):
    """Every authoritative server of ZONE serves exactly VALUES at NAME."""
    served = topology.served(zone, name)
    return all(found == values for found in served.values()) and served


@pytest.mark.parametrize("client,case", matrix())
def test_client_obtains_certificate(client, case, topology, topology_config, pebble,
                                    agent_path, tmp_path, request):
    names = CASES[case].certificate_names(client)
    challenges = CASES[case].challenge_names(client)
    unrelated = f"unrelated: {request.node.name}"
    # A TTL of 1 s: the CA's resolver must not show a value from a moment
    # ago when lego or uacme, one authorization after the other, put the
    # second value at a name.
    config = topology_config(ttl=1)
    for zone, name in challenges:
        # The TTL the agent is configured with: an added value takes the
        # TTL of the TXT already at its name (so that record keeps it).
        assert topology.update(zone, name, unrelated, ttl=1) == "NOERROR"
    for zone, name in challenges:
        retry_with_timeout(lambda: served_everywhere(topology, zone, name, {unrelated}),
                           10, f"{name}: the unrelated TXT on every server of {zone}")

    run = ClientRun(agent_path, config, pebble, topology, tmp_path, names)
    try:
        cert = CLIENTS[client](run)
        assert cert.exists(), f"{cert}: no certificate\n{run.report()}"
        assert pebble.verify(cert) == set(names), run.report()
        for zone, name in challenges:
            # Removal may return before the secondary has it (remove
            # without --wait): wait for every server, with a deadline.
            try:
                retry_with_timeout(
                    lambda: served_everywhere(topology, zone, name, {unrelated}),
                    10, f"{name}: only the unrelated TXT, on every server of {zone}")
            except AssertionError as exc:
                pytest.fail(f"{exc}: {topology.served(zone, name)}\n{run.report()}",
                            pytrace=False)
    finally:
        for zone, name in challenges:
            topology.update(zone, name, unrelated, delete=True)


# --- acme.sh ---------------------------------------------------------------

@pytest.mark.parametrize("case", ["one", "cname"])
def test_acme_sh_dnsapi_file(case, topology, topology_config, agent_path, tmp_path,
                             request):
    """acme.sh is not in Debian 12: its dnsapi file is sourced by sh and
    its functions called as acme.sh calls them, with the TXT name and value;
    outside acme.sh its helper functions are absent and the file falls back
    to ACME_NSUPDATE_BIN and ACME_NSUPDATE_CONFIG."""
    label = "acmesh"
    (domain,) = CASES[case].certificate_names(label)
    ((zone, name),) = CASES[case].challenge_names(label)
    unrelated, token = f"unrelated: {request.node.name}", challenge_value(request.node.nodeid)
    config = topology_config(ttl=1)
    assert topology.update(zone, name, unrelated) == "NOERROR"
    hook = REPO / "hooks" / "acme.sh" / "dns_acmensupdate.sh"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACME_NSUPDATE_")}
    env.update(ACME_NSUPDATE_BIN=agent_path, ACME_NSUPDATE_CONFIG=str(config))

    def call(function):
        script = f'. "$0" && {function} "$1" "$2"'
        done = subprocess.run(["sh", "-c", script, str(hook), f"_acme-challenge.{domain}",
                               token], env=env, cwd=tmp_path, capture_output=True,
                              text=True, stdin=subprocess.DEVNULL, timeout=CLIENT_TIMEOUT)
        assert done.returncode == 0, f"{function}: exit {done.returncode}\n" \
            f"--- stdout ---\n{done.stdout}--- stderr ---\n{done.stderr}"
        assert topology.key.secret not in done.stdout + done.stderr
        return done

    try:
        call("dns_acmensupdate_add")
        # The add returns once every authoritative server serves the value.
        assert served_everywhere(topology, zone, name, {unrelated, token}), \
            topology.served(zone, name)
        call("dns_acmensupdate_rm")
        retry_with_timeout(lambda: served_everywhere(topology, zone, name, {unrelated}),
                           10, f"{name}: only the unrelated TXT, on every server of {zone}")
    finally:
        topology.update(zone, name, unrelated, delete=True)
