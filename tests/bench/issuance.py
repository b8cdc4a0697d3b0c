#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Issuance time with certbot: the whole `certbot certonly --manual`
process, with acme-nsupdate as its auth and cleanup hook, against the same
command with /bin/true as both hooks and a Pebble that validates every
challenge without looking (PEBBLE_VA_ALWAYS_VALID=1): the hook's true cost.
README.md ("Issuance time with certbot") says what the numbers mean. Prints
numbers, asserts nothing beyond each certificate being issued. Run as root
in a network namespace of its own:

    ACME_NSUPDATE_BIN=./acme-nsupdate unshare --net sh -c \\
        'ip link set lo up && exec /usr/bin/python3 tests/bench/issuance.py'
"""

import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "system"))

from run import check_environment, fail  # noqa: E402  (tests/bench/run.py)
from servers.common import ACME_KEY, TsigKey, retry_with_timeout  # noqa: E402
from servers.pebble import Pebble  # noqa: E402
from servers.topology import Topology  # noqa: E402

# dns01.test: BIND primary 127.0.0.21 (grants zonesub TXT, so a name and
# its wildcard may be written), Knot secondary 127.0.0.22 by NOTIFY + IXFR.
# Both cases use it, so the hook waits for the secondary in both.
ZONE = "dns01.test."
CASES = {
    "(a) one name": lambda label: [f"{label}-one.{ZONE.rstrip('.')}"],
    "(b) wildcard+base": lambda label: [f"{label}-wc.{ZONE.rstrip('.')}",
                                        f"*.{label}-wc.{ZONE.rstrip('.')}"],
}
RUNS = int(os.environ.get("ISSUANCE_RUNS", 5))
CERTBOT_TIMEOUT = 60        # seconds one certbot process may take
DEADLINE = 240              # seconds for the whole script
QUIET = 1.0                 # as tests/bench/run.py: BIND's NOTIFY hold-back
PEBBLE = "127.0.0.30"           # validates through the topology's resolver
PEBBLE_VALID = "127.0.0.31"     # PEBBLE_VA_ALWAYS_VALID=1: never looks


class Certbot:
    """certbot certonly --manual as tests/system/test_clients.py runs it,
    in a fresh --config-dir per run holding a copy of an account registered
    once per Pebble (registration is not issuance; Pebble's
    PEBBLE_AUTHZREUSE=0 and a fresh name per run keep every authorization
    new)."""

    def __init__(self, pebble, hooks, env, workdir):
        self.pebble = pebble
        self.hooks = hooks              # (auth, cleanup) command lines
        self.env = {**env, **pebble.client_env()}
        self.dir = workdir
        self.dir.mkdir()
        self.runs = 0
        self.accounts = self.dir / "account" / "config" / "accounts"
        (self.dir / "account").mkdir()
        self.certbot(self.dir / "account", "register")

    def certbot(self, d, *args):
        """Run certbot in D; its wall time in seconds. A process that
        outlives CERTBOT_TIMEOUT is killed with its process group (its own
        session: it and its hooks)."""
        argv = ["certbot", *args, "--server", self.pebble.directory,
                "--config-dir", str(d / "config"), "--work-dir", str(d / "work"),
                "--logs-dir", str(d / "logs"),
                "--agree-tos", "--register-unsafely-without-email", "--non-interactive"]
        with open(d / "output", "wb") as out:
            start = time.monotonic()
            proc = subprocess.Popen(argv, env=self.env, cwd=d, stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
            try:
                proc.wait(CERTBOT_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
                fail(f"{shlex.join(argv)}: still running after {CERTBOT_TIMEOUT} s")
            wall = time.monotonic() - start
        if proc.returncode != 0:
            log = d / "logs" / "letsencrypt.log"
            tail = log.read_text(errors="replace").splitlines()[-30:] if log.exists() else []
            fail(f"{shlex.join(argv)}: exit {proc.returncode}\n"
                 f"{(d / 'output').read_text(errors='replace')}\n--- log tail ---\n"
                 + "\n".join(tail) + f"\n--- pebble ---\n{self.pebble.log_tail(10)}")
        return wall

    def issue(self, names):
        """One certificate for NAMES; its Timing."""
        self.runs += 1
        d = self.dir / f"run{self.runs}"
        d.mkdir()
        shutil.copytree(self.accounts, d / "config" / "accounts")
        auth, cleanup = self.hooks
        wall = self.certbot(d, "certonly", "--manual", "--preferred-challenges", "dns",
                            "--manual-auth-hook", auth, "--manual-cleanup-hook", cleanup,
                            *[arg for name in names for arg in ("-d", name)],
                            "--cert-name", "test")
        cert = d / "config" / "live" / "test" / "fullchain.pem"
        got = self.pebble.verify(cert)
        if got != set(names):
            fail(f"{cert}: names {sorted(got)}, asked for {names}")
        span, in_hooks = read_log(d / "logs" / "letsencrypt.log")
        return Timing(wall, span, in_hooks)


@dataclass
class Timing:
    wall: float         # the whole certbot process, fork to exit
    span: float         # certbot's log, first line to last: no interpreter start
    hooks: float        # in its auth and cleanup hooks, from its log


# "2024-01-01 12:00:00,123:DEBUG:certbot.compat.misc:Running manual-auth-hook
# command: ...": millisecond stamps. certbot logs nothing when a hook
# returns: a hook's time is from its "Running" line to the next line.
_STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}):")


def read_log(log):
    """(span, in hooks) from certbot's log: seconds from its first line to
    its last, and from each "Running manual-...-hook command" line to the
    line after it (the hook, the shell certbot starts it with, and
    certbot's own bookkeeping around it), summed."""
    stamps = []
    for line in log.read_text(errors="replace").splitlines():
        m = _STAMP.match(line)
        if m:
            t = time.mktime(time.strptime(m.group(1), "%Y-%m-%d %H:%M:%S"))
            stamps.append((t + int(m.group(2)) / 1000, line))
    if not stamps:
        fail(f"{log}: no time-stamped line")
    in_hooks = sum(after - t for (t, line), (after, _) in zip(stamps, stamps[1:])
                   if re.search(r"Running manual-(auth|cleanup)-hook command", line))
    return stamps[-1][0] - stamps[0][0], in_hooks


# --- the zone's UPDATEs, from BIND's journal ---------------------------------

def transactions(bind, zone):
    """BIND's journal of ZONE as a list of (serial after, added TXT count,
    deleted TXT count), one entry per UPDATE BIND applied."""
    journal = bind.dir / f"{zone}zone.jnl"
    if not journal.exists():
        return []
    text = subprocess.run(["named-journalprint", str(journal)], capture_output=True,
                          text=True, timeout=10).stdout
    found, current = [], None
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 5:
            continue
        op, rdtype = fields[0], fields[4] if fields[3] == "IN" else fields[3]
        if rdtype == "SOA":
            if op == "del":             # a transaction starts
                current = [None, 0, 0]
                found.append(current)
            elif current is not None:
                current[0] = int(line.split("SOA", 1)[1].split()[2])
        elif rdtype == "TXT" and current is not None:
            current[1 if op == "add" else 2] += 1
    return [tuple(t) for t in found]


# --- the benchmark -------------------------------------------------------------

def fmt(seconds):
    return f"{seconds:.2f}"


def main():
    binary = check_environment()
    began = time.monotonic()
    load_start = " ".join(f"{x:.2f}" for x in os.getloadavg())
    workdir = Path(tempfile.mkdtemp(prefix="acme-nsupdate-issuance-"))
    topology = Topology(TsigKey.generate(ACME_KEY, "hmac-sha256"))
    pebbles = []
    topology.start()
    try:
        for address, extra in ((PEBBLE, {}), (PEBBLE_VALID, {"PEBBLE_VA_ALWAYS_VALID": "1"})):
            pebbles.append(Pebble(address, topology.resolver, extra_env=extra))
            pebbles[-1].start()
        pebble, pebble_valid = pebbles
        # The config test_clients.py gives every client (ttl = 1).
        config = topology.write_config(workdir, ttl=1)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("ACME_NSUPDATE_", "CERTBOT_"))}
        env["ACME_NSUPDATE_CONFIG"] = str(config)
        agent = shlex.quote(binary)
        with_hook = Certbot(pebble, (f"{agent} certbot-auth", f"{agent} certbot-cleanup"),
                            env, workdir / "hook")
        baseline = Certbot(pebble_valid, ("/bin/true", "/bin/true"), env,
                           workdir / "baseline")
        primary, secondary = topology.authoritative(ZONE)
        print(f"certbot issuance: {binary}")
        print(f"setup {time.monotonic() - began:.1f} s. Zone {ZONE}: BIND {primary} "
              f"(primary), Knot {secondary} (secondary); resolver {topology.resolver}.")
        print(f"hook:     {pebble.directory}, validates through the resolver; "
              "hooks: acme-nsupdate certbot-auth / certbot-cleanup")
        print(f"baseline: {pebble_valid.directory} with PEBBLE_VA_ALWAYS_VALID=1; "
              "hooks: /bin/true. The record cannot be created beforehand (its\n"
              "          value exists only inside the run): a CA that validates "
              "without looking is what a record already in place would give.")

        def quiet():
            topology.wait_in_sync(ZONE)
            time.sleep(QUIET)

        # One untimed run of each, so no timed run pays for a cold start.
        quiet()
        with_hook.issue(CASES["(a) one name"]("warm"))
        baseline.issue(CASES["(a) one name"]("warm"))

        times = {(case, kind): [] for case in CASES for kind in ("hook", "baseline")}
        updates = {case: [] for case in CASES}
        for i in range(RUNS):
            for case, names in CASES.items():
                if time.monotonic() - began > DEADLINE:
                    fail(f"over {DEADLINE} s: stopped")
                quiet()
                before = topology.serials(ZONE)[primary]
                seen = len(transactions(topology.bind, ZONE))
                times[case, "hook"].append(with_hook.issue(names(f"h{i}")))
                # The cleanup hook may return before the secondary has it.
                topology.wait_in_sync(ZONE)
                after = topology.serials(ZONE)[primary]
                mine = transactions(topology.bind, ZONE)[seen:]
                updates[case].append((after - before,
                                      sum(1 for _, add, _ in mine if add),
                                      sum(1 for _, add, rm in mine if rm and not add),
                                      [add for _, add, _ in mine if add]))
                times[case, "baseline"].append(baseline.issue(names(f"b{i}")))

        med = statistics.median
        print(f"\nwall time of the whole certbot process, seconds, {RUNS} runs each "
              "(interleaved: hook, baseline, per case)")
        print(f"{'case':<18} {'hooks':<8} {'runs':<30} {'median':>6}   "
              f"{'log span':>8} {'in hooks':>8}")
        for case in CASES:
            for kind in ("hook", "baseline"):
                runs = times[case, kind]
                print(f"{case:<18} {kind:<8} "
                      f"{' '.join(f'{r.wall:5.2f}' for r in runs):<30} "
                      f"{fmt(med(r.wall for r in runs)):>6}   "
                      f"{fmt(med(r.span for r in runs)):>8} "
                      f"{fmt(med(r.hooks for r in runs)):>8}")
        print("(log span, in hooks: medians from certbot's own log, first line to "
              "last, and time inside its hook calls)")
        print()
        for case in CASES:
            hook, base = times[case, "hook"], times[case, "baseline"]

            def cost(field):
                return (med(getattr(r, field) for r in hook)
                        - med(getattr(r, field) for r in base)) * 1000

            paired = med(h.wall - b.wall for h, b in zip(hook, base)) * 1000
            print(f"{case}: hook's cost = median(hook) - median(baseline) = "
                  f"{cost('wall'):.0f} ms")
            print(f"{'':<18}  (median of paired differences {paired:.0f} ms; "
                  f"of log spans {cost('span'):.0f} ms; in hooks {cost('hooks'):.0f} ms)")
        load = os.getloadavg()
        print(f"load average now {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on "
              f"{os.cpu_count()} CPUs (at the start: {load_start})")
        print("\nUPDATEs per hook run, from BIND's journal of the zone (the SOA "
              "serial moves once per UPDATE applied, add and cleanup together):")
        for case in CASES:
            rows = updates[case]
            print(f"{case}: serial +{', +'.join(str(r[0]) for r in rows)}; "
                  f"UPDATEs adding TXT: {', '.join(str(r[1]) for r in rows)} "
                  f"(values in each: "
                  f"{', '.join('/'.join(map(str, r[3])) for r in rows)}); "
                  f"UPDATEs deleting TXT: {', '.join(str(r[2]) for r in rows)}")
        print(f"\ntotal {time.monotonic() - began:.0f} s")
    finally:
        for ca in pebbles:
            ca.stop()
            ca.cleanup()
        topology.stop()
        topology.cleanup()
        if os.environ.get("ACME_NSUPDATE_KEEP_SERVERS"):
            print(f"kept certbot directories: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
