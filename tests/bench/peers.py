#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""acme-nsupdate against its peers: the same certificates, on the same
topology, interleaved, with certbot's --manual hooks (acme-nsupdate, and a
home-made nsupdate + dig hook), certbot's own --dns-rfc2136 plugin (at its
default 60 s propagation wait and at 1 s) and lego's --dns rfc2136
provider. Cases: one name, a wildcard and its base, a CNAME into another
zone, a name in a delegated child zone, and the first three again with a
secondary that serves every change 3 s after the primary. Writes a
Markdown table, a PNG picture and the raw runs to tests/bench/results/
(BENCH_RESULTS to change); README.md ("Peers") says what is measured and
how. Run by `make bench-peers`, as root in a network namespace of its own:

    ACME_NSUPDATE_BIN=./acme-nsupdate unshare --net sh -c \\
        'ip link set lo up && exec /usr/bin/python3 tests/bench/peers.py'

BENCH_RUNS (default 3): runs per cell; BENCH_SLOW_RUNS (default 1): runs
per cell of the certbot plugin at its default 60 s; BENCH_PEERS: a
comma-separated subset of the peers (e.g. to leave out the slow one);
BENCH_CASES: of the cases. `peers.py --render [FILE]` writes the table
and the picture again from the runs recorded in FILE (default
results/peers.json), without running anything.
"""

import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "system"))

import test_clients  # noqa: E402  (tests/system/test_clients.py: the runners)
from run import check_environment, fail  # noqa: E402  (tests/bench/run.py)
from servers.common import (ACME_KEY, TsigKey, retry_with_timeout,  # noqa: E402
                            rrset_texts)
from servers.pebble import Pebble  # noqa: E402
from servers.topology import Topology  # noqa: E402
from servers.unbound import Unbound  # noqa: E402

HOOK = REPO / "tests" / "bench" / "peers" / "nsupdate-hook.sh"
RESULTS = Path(os.environ.get("BENCH_RESULTS", REPO / "tests" / "bench" / "results"))
RUNS = int(os.environ.get("BENCH_RUNS", 3))
SLOW_RUNS = int(os.environ.get("BENCH_SLOW_RUNS", 1))
PEBBLE = "127.0.0.30"           # the CA: validates through the topology's Unbound
# The clients' own resolver: a second Unbound with the topology's stub
# zones. The CA's resolver (127.0.0.20) is asked by the CA alone, as on the
# Internet, where a client's lookups never land in the CA's cache.
CLIENT_RESOLVER = "127.0.0.35"
LAG = 3.0                       # seconds the lagging secondary stays behind
LAG_ZONE = "dns01.test."        # the zone the Knot secondary serves
QUIET = 1.0                     # as tests/bench/run.py: BIND's NOTIFY hold-back
# One client command may take this long: the plugin's 60 s plus lego's
# 60 s between two authorizations, with room.
CLIENT_TIMEOUT = 200
BIND, KNOT = "127.0.0.21", "127.0.0.23"


@dataclass(frozen=True)
class Case:
    title: str
    names: tuple        # {c}: the run's label
    server: str         # the primary a one-server peer is pointed at
    lag: bool = False   # the secondary serves LAG_ZONE LAG s late
    cname: str = ""     # the challenge name is a CNAME to this ({c}: the label)

    def certificate_names(self, label):
        return [name.format(c=label) for name in self.names]


# The primary a peer with a single server setting is given is the one of
# the zone the TXT has to go to (after the CNAME, if any): the most a user
# who knows the layout can do for it.
CASES = {
    "one": Case("one name", ("{c}-one.dns01.test",), BIND),
    "wildcard": Case("wildcard + base", ("{c}-wc.dns01.test", "*.{c}-wc.dns01.test"), BIND),
    # The challenge name in knot.test (Knot primary) is a CNAME into
    # dns01.test (BIND, Knot secondary), as knot.test's own
    # _acme-challenge.kb is; made for each run (knotc), so that every run
    # has names of its own.
    "cname": Case("CNAME into dns01.test", ("{c}-cn.knot.test",), BIND,
                  cname="{c}-cn.dns01.test."),
    # A child zone delegated from example.test, on the Knot primary.
    "child": Case("delegated child zone", ("{c}.acme.example.test",), KNOT),
    "lag-one": Case(f"one name, secondary +{LAG:.0f} s", ("{c}-lag.dns01.test",), BIND,
                    lag=True),
    "lag-wildcard": Case(f"wildcard + base, secondary +{LAG:.0f} s",
                         ("{c}-lagwc.dns01.test", "*.{c}-lagwc.dns01.test"), BIND, lag=True),
    "lag-cname": Case(f"CNAME, secondary +{LAG:.0f} s", ("{c}-lagcn.knot.test",), BIND,
                      lag=True, cname="{c}-lagcn.dns01.test."),
}


def make_cname(topology, case, label):
    """The CNAME from the case's challenge name in knot.test, put into the
    zone with knotc on the Knot primary (its update ACL grants the key TXT
    only)."""
    zone = "knot.test."
    owner = f"_acme-challenge.{case.names[0].format(c=label)}."
    target = case.cname.format(c=label)
    conf = str(topology.knot.conf)
    for args in (("zone-begin", zone), ("zone-set", zone, owner, "300", "CNAME", target),
                 ("zone-commit", zone)):
        done = subprocess.run(["knotc", "-c", conf, *args], capture_output=True,
                              text=True, timeout=10)
        if done.returncode != 0:
            subprocess.run(["knotc", "-c", conf, "zone-abort", zone], capture_output=True,
                           timeout=10)
            fail(f"knotc {' '.join(args)}: {(done.stderr or done.stdout).strip()}")
    retry_with_timeout(lambda: rrset_texts(KNOT, owner, "CNAME") == {target}, 10,
                       f"{owner} CNAME {target} on the Knot primary")


# --- the peers -----------------------------------------------------------------

class PeerRun(test_clients.ClientRun):
    """test_clients.ClientRun (the environment, the transcript, the secret
    checked on every output), but a failing command is recorded, not a
    test failure, and every command runs in a mount namespace of its own
    whose /etc/resolv.conf names the clients' resolver: lego and dig look
    up the NS names there, as on any host."""

    def __init__(self, *args, resolv_conf, **kwargs):
        super().__init__(*args, **kwargs)
        self.resolv_conf = resolv_conf
        self.done = None
        self.wall = None
        self.error = None

    def __call__(self, argv, env=None, ok=True):
        wrapped = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                   'mount --bind "$0" /etc/resolv.conf && exec "$@"',
                   str(self.resolv_conf), *[str(a) for a in argv]]
        start = time.monotonic()
        try:
            self.done = super().__call__(wrapped, env, ok=False)
        except pytest.fail.Exception:           # test_clients: still running
            self.error = f"still running after {test_clients.CLIENT_TIMEOUT} s: killed"
        except AssertionError:                  # test_clients: secret in output
            self.error = "the TSIG secret is in the client's output"
        self.wall = time.monotonic() - start
        return self.done


def acme_nsupdate(run, case):
    """(a) certbot --manual with acme-nsupdate as both hooks, exactly as
    tests/system/test_clients.py runs it."""
    return test_clients.certbot(run)


def certbot_plugin(seconds):
    """(b) certbot --dns-rfc2136; SECONDS None: the plugin's default
    propagation wait (60 s)."""
    def peer(run, case):
        d = run.dir / "certbot"
        d.mkdir()
        credentials = d / "rfc2136.ini"
        key = run.topology.key
        credentials.write_text(f"dns_rfc2136_server = {case.server}\n"
                               f"dns_rfc2136_name = {key.name}\n"
                               f"dns_rfc2136_secret = {key.secret}\n"
                               f"dns_rfc2136_algorithm = {key.algorithm.upper()}\n")
        credentials.chmod(0o600)
        wait = [] if seconds is None else ["--dns-rfc2136-propagation-seconds", str(seconds)]
        run.logs.append(d / "logs" / "letsencrypt.log")
        run(["certbot", "certonly", "--dns-rfc2136", "--dns-rfc2136-credentials",
             credentials, *wait,
             *[arg for name in run.names for arg in ("-d", name)],
             "--cert-name", "test", "--server", run.pebble.directory,
             "--config-dir", d / "config", "--work-dir", d / "work",
             "--logs-dir", d / "logs",
             "--agree-tos", "--register-unsafely-without-email", "--non-interactive"])
        return d / "config" / "live" / "test" / "fullchain.pem"
    return peer


def lego_rfc2136(run, case):
    """(c) lego --dns rfc2136, its settings at their defaults but for the
    server and the key. --dns.resolvers is the clients' Unbound: lego asks
    it for CNAMEs at the challenge name, the zone (SOA) and its NS set,
    then asks every NS itself (by name, through the system resolver) until
    each serves the value: 2 s between checks, 60 s at most, and 60 s
    between two authorizations (RFC2136_SEQUENCE_INTERVAL)."""
    d = run.dir / "lego"
    key = run.topology.key
    env = run.env(RFC2136_NAMESERVER=case.server, RFC2136_TSIG_KEY=key.name,
                  RFC2136_TSIG_SECRET=key.secret,
                  RFC2136_TSIG_ALGORITHM=f"{key.algorithm}.")
    run(["lego", "--accept-tos", "--email", test_clients.EMAIL,
         "--server", run.pebble.directory, "--path", d, "--dns", "rfc2136",
         "--dns.resolvers", f"{CLIENT_RESOLVER}:53",
         *[arg for name in run.names for arg in ("-d", name)], "run"], env)
    found = [p for p in (d / "certificates").glob("*.crt")
             if not p.name.endswith(".issuer.crt")]
    return found[0] if found else d / "certificates" / "none.crt"


def nsupdate_hook(run, case):
    """(d) certbot --manual with tests/bench/peers/nsupdate-hook.sh: nsupdate
    to the primary, then dig +short at every NS every 0.5 s."""
    d = run.dir / "certbot"
    run.logs.append(d / "logs" / "letsencrypt.log")
    key_file = run.dir / "tsig.key"
    key_file.write_text(run.topology.key.text)
    key_file.chmod(0o600)
    env = run.env(NSUPDATE_SERVER=case.server, NSUPDATE_KEY=str(key_file))
    run(["certbot", "certonly", "--manual", "--preferred-challenges", "dns",
         "--manual-auth-hook", f"{HOOK} auth", "--manual-cleanup-hook", f"{HOOK} cleanup",
         *[arg for name in run.names for arg in ("-d", name)],
         "--cert-name", "test", "--server", run.pebble.directory,
         "--config-dir", d / "config", "--work-dir", d / "work",
         "--logs-dir", d / "logs",
         "--agree-tos", "--register-unsafely-without-email", "--non-interactive"], env)
    return d / "config" / "live" / "test" / "fullchain.pem"


@dataclass(frozen=True)
class Peer:
    key: str
    title: str
    tag: str            # in every name the peer's runs use
    runner: object
    how: str            # for the results file
    slow: bool = False  # BENCH_SLOW_RUNS runs per cell, not BENCH_RUNS


PEERS = [
    Peer("acme-nsupdate", "acme-nsupdate (certbot hooks)", "ans", acme_nsupdate,
         "certbot --manual, acme-nsupdate certbot-auth / certbot-cleanup as the "
         "hooks; its config: every zone, resolver = the clients' resolver, ttl and "
         "timeout at their defaults (60, 120)"),
    Peer("certbot-60", "certbot rfc2136, 60 s", "cbs", certbot_plugin(None),
         "certbot --dns-rfc2136 at its default --dns-rfc2136-propagation-seconds "
         "(60); dns_rfc2136_server = the case's primary", slow=True),
    Peer("certbot-1", "certbot rfc2136, 1 s", "cbf", certbot_plugin(1),
         "the same with --dns-rfc2136-propagation-seconds 1"),
    Peer("lego", "lego rfc2136", "lego", lego_rfc2136,
         "lego --dns rfc2136 --dns.resolvers (the clients' resolver); "
         "RFC2136_NAMESERVER = the case's primary, RFC2136_TSIG_*; everything "
         "else at its default (TTL 120, checks every 2 s for up to 60 s, 60 s "
         "between two authorizations)"),
    Peer("nsupdate-hook", "nsupdate + dig hook", "sh", nsupdate_hook,
         "certbot --manual, tests/bench/peers/nsupdate-hook.sh as the hooks; "
         "NSUPDATE_SERVER = the case's primary"),
]


# --- a secondary that lags ------------------------------------------------------

class Lag:
    """The Knot secondary serves every change to ZONE SECONDS after the
    primary first served it. The secondary is frozen (knotc zone-freeze:
    it answers from what it has and postpones transfers); a thread asks
    both servers for the SOA serial every 20 ms, and when the primary has
    been ahead for SECONDS it thaws the zone, has it refreshed, waits until
    the serials match and freezes it again. Lags holds, per catch-up, the
    time from the primary first being seen ahead to the secondary serving
    its serial."""

    def __init__(self, topology, zone, seconds):
        self.topology = topology
        self.zone = zone
        self.seconds = seconds
        self.primary, self.secondary = topology.authoritative(zone)
        self.lags = []
        self.stop = threading.Event()
        self.error = None

    def __enter__(self):
        self.topology.wait_in_sync(self.zone)
        self.topology.secondary.knotc("zone-freeze", self.zone)
        self.thread = threading.Thread(target=self.watch, daemon=True)
        self.thread.start()
        return self

    def serial(self, address):
        (soa,) = rrset_texts(address, self.zone, "SOA")
        return int(soa.split()[2])

    def watch(self):
        knotc = self.topology.secondary.knotc
        ahead_since = None
        try:
            while not self.stop.is_set():
                primary = self.serial(self.primary)
                if self.serial(self.secondary) == primary:
                    ahead_since = None
                elif ahead_since is None:
                    ahead_since = time.monotonic()
                elif time.monotonic() - ahead_since >= self.seconds:
                    knotc("zone-thaw", self.zone)
                    knotc("zone-refresh", self.zone)
                    retry_with_timeout(lambda: self.serial(self.secondary) >= primary,
                                       10, f"{self.zone}: the secondary catching up",
                                       interval=0.005)
                    self.lags.append(time.monotonic() - ahead_since)
                    knotc("zone-freeze", self.zone)
                    ahead_since = None
                    continue
                time.sleep(0.02)
        except Exception as exc:        # reported by __exit__
            self.error = exc

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(30)
        self.topology.secondary.knotc("zone-thaw", self.zone)
        self.topology.secondary.knotc("zone-refresh", self.zone)
        self.topology.wait_in_sync(self.zone)
        if self.error is not None:
            fail(f"lagging secondary: {self.error}")


# --- one run -----------------------------------------------------------------------

@dataclass
class Outcome:
    peer: str
    case: str
    round: int
    ok: bool
    wall: float
    error: str = ""
    lags: tuple = ()


_VALUE = re.compile(r"[A-Za-z0-9_-]{43}")


# What is looked for in a client's output, most telling first: the line a
# hook wrote to stderr (certbot: "... ran with error output:" and the next
# line: the cause, when there is one), the CA's verdict (certbot's
# "Detail:", lego's "acme: error"), certbot's plugin errors, then any line
# that says error.
_TELLING = (r"ran with error output:",
            r"^Detail:|acme: error",
            r"^(certbot\.errors\.PluginError: )?(Unable|Encountered error|Received response)",
            r"error|fail|unable|time limit")


def first_error(text, label):
    """The first line of what went wrong in a client's output (_TELLING),
    else its last line. The run's label and 43-character values are made
    generic so that the same failure reads the same in every run."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    found = lines[-1] if lines else "no output"
    for pattern in _TELLING:
        hits = [i for i, line in enumerate(lines) if re.search(pattern, line, re.I)]
        if hits:
            i = hits[0]
            found = lines[i + 1] if "error output" in pattern and i + 1 < len(lines) \
                else lines[i]
            break
    found = re.sub(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d |^certbot\.errors\.PluginError: ",
                   "", found)
    found = _VALUE.sub("VALUE", found.replace(label, "NAME"))
    return found[:200]


def issue(peer, case, round_, context):
    """One certificate for CASE by PEER; its Outcome."""
    label = f"{peer.tag}{round_}"
    names = CASES[case].certificate_names(label)
    workdir = context["workdir"] / f"{peer.key}-{case}-{round_}"
    workdir.mkdir()
    run = PeerRun(context["agent"], context["config"], context["pebble"],
                  context["topology"], workdir, names, resolv_conf=context["resolv_conf"])
    topology = context["topology"]
    if CASES[case].cname:
        make_cname(topology, CASES[case], label)
    topology.wait_in_sync(LAG_ZONE)
    time.sleep(QUIET)
    lag = Lag(topology, LAG_ZONE, LAG) if CASES[case].lag else None
    if lag:
        lag.__enter__()
    try:
        cert = peer.runner(run, CASES[case])
    finally:
        if lag:
            lag.__exit__(None, None, None)
    ok, error = False, run.error
    if error is None and run.done is not None:
        output = run.done.stdout + "\n" + run.done.stderr
        if run.done.returncode == 0 and Path(cert).exists():
            got = context["pebble"].verify(cert)
            ok = got == set(names)
            if not ok:
                error = f"certificate for {sorted(got)}, asked for {names}"
        else:
            error = first_error(output, label)
            # certbot's output can be terse: its log has the CA's verdict
            # or the plugin's exception.
            for log in run.logs:
                if not re.match(r"Detail:|nsupdate-hook|Unable|Encountered|Received",
                                error) and Path(log).exists():
                    error = first_error(Path(log).read_text(errors="replace"), label)
    outcome = Outcome(peer.key, case, round_, ok, run.wall or 0.0, error or "",
                      tuple(lag.lags) if lag else ())
    status = "ok" if ok else f"FAILED: {outcome.error}"
    print(f"  {peer.key:<14} {case:<13} #{round_} {outcome.wall:6.2f} s  {status}"
          + (f"  (lag {', '.join(f'{x:.2f}' for x in outcome.lags)} s)" if outcome.lags else ""),
          flush=True)
    verbose = os.environ.get("BENCH_VERBOSE")
    if verbose == "all" or (verbose and not ok):
        print(run.report()[-4000:])
    if not os.environ.get("ACME_NSUPDATE_KEEP_SERVERS"):
        shutil.rmtree(workdir, ignore_errors=True)
    return outcome


# --- versions and machine ----------------------------------------------------------

def first_line(argv):
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20,
                              stdin=subprocess.DEVNULL)
        text = (done.stdout or done.stderr).strip()
        return text.splitlines()[0] if text else "?"
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"? ({exc})"


def deb_version(package):
    return first_line(["dpkg-query", "-W", "-f=${Version}", package])


def versions(binary):
    return {
        "acme-nsupdate": first_line([binary, "--version"]),
        "certbot": f"{first_line(['certbot', '--version'])} "
                   f"(python3-certbot-dns-rfc2136 {deb_version('python3-certbot-dns-rfc2136')})",
        "lego": f"{first_line(['lego', '--version'])} (Debian lego {deb_version('lego')})",
        "BIND": first_line(["named", "-v"]),
        "Knot": first_line(["knotd", "--version"]),
        "Unbound": f"{first_line(['unbound', '-V'])} (Debian {deb_version('unbound')})",
        "Pebble": f"Debian pebble {deb_version('pebble')}",
        "nsupdate/dig": f"Debian bind9-dnsutils {deb_version('bind9-dnsutils')}",
    }


def machine():
    model = "?"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"nproc": os.cpu_count(), "cpu": model,
            "kernel": f"{platform.system()} {platform.release()}"}


# --- the table and the picture -----------------------------------------------------

def cell_stats(outcomes):
    ok = [o for o in outcomes if o.ok]
    times = [o.wall for o in ok] or [o.wall for o in outcomes]
    return len(ok), len(outcomes), statistics.median(times) if times else 0.0


def markdown(outcomes, peers, meta):
    by = {}
    for o in outcomes:
        by.setdefault((o.peer, o.case), []).append(o)
    notes, note_of = [], {}
    lines = [f"# acme-nsupdate and its peers: DNS-01 issuance, {meta['date']}", ""]
    lines += ["Each cell: certificates issued / runs, and the median wall time of",
              "the issuing command (fork to exit) over the runs that succeeded; in",
              "*italics* over all runs when none did. [n]: what the failures said",
              "(first line of the relevant error), below the table.", ""]
    lines.append("| case | " + " | ".join(p.title for p in peers) + " |")
    lines.append("|---|" + "---|" * len(peers))
    for case in dict.fromkeys(o.case for o in outcomes):
        row = [CASES[case].title]
        for peer in peers:
            runs = by.get((peer.key, case), [])
            if not runs:
                row.append("–")
                continue
            ok, n, med = cell_stats(runs)
            cell = f"{ok}/{n}, " + (f"{med:.1f} s" if ok else f"*{med:.1f} s*")
            for error in dict.fromkeys(o.error for o in runs if not o.ok):
                if error not in note_of:
                    notes.append(error)
                    note_of[error] = len(notes)
                count = sum(1 for o in runs if not o.ok and o.error == error)
                cell += f" [{note_of[error]}]" + (f"×{count}" if count > 1 else "")
            row.append(cell)
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    for i, note in enumerate(notes, 1):
        lines.append(f"[{i}] `{note}`  ")
    lags = [x for o in outcomes for x in o.lags]
    lines += ["", f"Lagging secondary: {len(lags)} catch-ups, median "
              + (f"{statistics.median(lags):.2f} s, min {min(lags):.2f} s, max {max(lags):.2f} s"
                 if lags else "–")
              + " from the primary first serving a change to the secondary serving it.", ""]
    lines += ["![peers](peers.png)", "", "## Peers", ""]
    lines += [f"- {p.title}: {p.how}" for p in peers]
    lines += ["", "The case's primary: BIND (127.0.0.21) for dns01.test, also behind "
              "the CNAME; the Knot primary (127.0.0.23) for the child zone. The CA "
              "(Pebble) asks the topology's Unbound, the clients a second one with "
              "the same stub zones.", "", "## Setup", ""]
    lines += [f"- {k}: {v}" for k, v in meta["versions"].items()]
    m = meta["machine"]
    lines += [f"- machine: {m['nproc']} CPUs, {m['cpu']}, {m['kernel']}; load average "
              f"{meta['load_start']} at the start, {meta['load_end']} at the end",
              f"- runs per cell: {meta['runs']} ({meta['slow_runs']} for the certbot "
              f"plugin at 60 s), interleaved round-robin; {meta['total']:.0f} s in all",
              "- method: tests/bench/README.md, \"Peers\"; raw runs: peers.json", ""]
    return "\n".join(lines)


def picture(outcomes, peers, path):
    """Grouped bars with gnuplot: one group per case, one bar per peer, the
    median time on a log scale; a cell with a failed run is hatched and
    labelled with its success count."""
    by = {}
    for o in outcomes:
        by.setdefault((o.peer, o.case), []).append(o)
    width = 0.8 / len(peers)
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch) / "bars.dat"
        rows = []
        for ci, case in enumerate(CASES):
            for pi, peer in enumerate(peers):
                runs = by.get((peer.key, case), [])
                if not runs:
                    continue
                ok, n, med = cell_stats(runs)
                x = ci + (pi - (len(peers) - 1) / 2) * width
                rows.append(f"{x:.4f} {max(med, 0.1):.3f} {pi} {int(ok == n)} \"{ok}/{n}\"")
        data.write_text("\n".join(rows) + "\n")
        newline = "\\n"      # gnuplot's, in a double-quoted string
        tics = ", ".join(f'"{CASES[c].title.replace(", ", newline)}" {i}'
                         for i, c in enumerate(CASES))
        colors = ["#1b9e77", "#d95f02", "#e6ab02", "#7570b3", "#e7298a", "#66a61e"]
        plots = []
        for pi, peer in enumerate(peers):
            c = colors[pi % len(colors)]
            plots.append(f"'{data}' using ($3=={pi} && $4==1 ? $1 : 1/0):2 with boxes "
                         f"fs solid 0.8 lc rgb '{c}' title '{peer.title}'")
            plots.append(f"'{data}' using ($3=={pi} && $4==0 ? $1 : 1/0):2 with boxes "
                         f"fs pattern 4 lc rgb '{c}' notitle")
        plots.append(f"'{data}' using 1:($2*1.12):5 with labels font ',8' notitle")
        script = Path(scratch) / "plot.gp"
        script.write_text(f"""
set terminal pngcairo size 1400,660 font 'sans,10'
set output '{path}'
set title 'DNS-01 issuance on the test topology (tests/bench/peers.py): median seconds per certificate, log scale. Label: issued/runs; hatched: a run failed'
set style data boxes
set boxwidth {width * 0.95:.4f} absolute
set logscale y
set yrange [0.08:250]
set bmargin 4
set ylabel 'seconds'
set xrange [-0.6:{len(CASES) - 0.4}]
set xtics ({tics}) scale 0
set grid ytics
set key above horizontal
plot {", ".join(plots)}
""")
        done = subprocess.run(["gnuplot", str(script)], capture_output=True, text=True,
                              timeout=60)
        if done.returncode != 0:
            print(f"gnuplot: exit {done.returncode}\n{done.stderr}", file=sys.stderr)


# --- the benchmark -------------------------------------------------------------------

def main():
    binary = check_environment()
    began = time.monotonic()
    load_start = " ".join(f"{x:.2f}" for x in os.getloadavg())
    wanted = os.environ.get("BENCH_PEERS")
    only = os.environ.get("BENCH_CASES")
    peers = [p for p in PEERS if not wanted or p.key in wanted.split(",")]
    if not peers:
        fail(f"BENCH_PEERS={wanted}: none of {', '.join(p.key for p in PEERS)}")
    test_clients.CLIENT_TIMEOUT = CLIENT_TIMEOUT
    workdir = Path(tempfile.mkdtemp(prefix="acme-nsupdate-peers-"))
    topology = Topology(TsigKey.generate(ACME_KEY, "hmac-sha256"))
    started = []
    outcomes = []
    try:
        topology.start()
        client_resolver = Unbound(CLIENT_RESOLVER, topology.unbound.stubs, "example.test.")
        started.append(client_resolver)
        client_resolver.start()
        pebble = Pebble(PEBBLE, topology.resolver)
        started.append(pebble)
        pebble.start()
        resolv_conf = workdir / "resolv.conf"
        resolv_conf.write_text(f"nameserver {CLIENT_RESOLVER}\n")
        # The agent at its defaults (ttl 60, timeout 120), asking the
        # clients' resolver.
        config = topology.write_config(workdir, resolver=CLIENT_RESOLVER, timeout=120)
        context = {"agent": binary, "config": config, "pebble": pebble,
                   "topology": topology, "workdir": workdir, "resolv_conf": resolv_conf}
        print(f"peers: {', '.join(p.key for p in peers)}; {RUNS} runs per cell "
              f"({SLOW_RUNS} for the slow ones); setup {time.monotonic() - began:.1f} s",
              flush=True)
        cases = [c for c in CASES if not only or c in only.split(",")]
        for round_ in range(max(RUNS, SLOW_RUNS)):
            for case in cases:
                for peer in peers:
                    if round_ < (SLOW_RUNS if peer.slow else RUNS):
                        outcomes.append(issue(peer, case, round_, context))
    finally:
        for process in reversed(started):
            process.stop()
            process.cleanup()
        topology.stop()
        topology.cleanup()
        if os.environ.get("ACME_NSUPDATE_KEEP_SERVERS"):
            print(f"kept client directories: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    meta = {
        "date": datetime.date.today().isoformat(),
        "versions": versions(binary),
        "machine": machine(),
        "load_start": load_start,
        "load_end": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "runs": RUNS, "slow_runs": SLOW_RUNS,
        "total": time.monotonic() - began,
    }
    write(outcomes, peers, meta)


def write(outcomes, peers, meta):
    """peers.md, peers.json and peers.png in RESULTS."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = markdown(outcomes, peers, meta)
    (RESULTS / "peers.md").write_text(text)
    (RESULTS / "peers.json").write_text(json.dumps(
        {"meta": meta, "cases": {k: CASES[k].title for k in CASES},
         "peers": {p.key: p.title for p in peers},
         "runs": [o.__dict__ for o in outcomes]}, indent=1) + "\n")
    picture(outcomes, peers, RESULTS / "peers.png")
    print("\n" + text)
    print(f"written: {RESULTS}/peers.md, peers.png, peers.json")


def render(path):
    """`peers.py --render [peers.json]`: the table and the picture again
    from the runs a benchmark recorded, without running anything."""
    recorded = json.loads(Path(path).read_text())
    outcomes = [Outcome(**{**run, "lags": tuple(run["lags"])}) for run in recorded["runs"]]
    peers = [p for p in PEERS if p.key in recorded["peers"]]
    write(outcomes, peers, recorded["meta"])


if __name__ == "__main__":
    if sys.argv[1:2] == ["--render"]:
        render(sys.argv[2] if len(sys.argv) > 2 else RESULTS / "peers.json")
    else:
        main()
