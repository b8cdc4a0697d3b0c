#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Detection lag against a secondary that lags 1 s, 3 s and 10 s, and the
queries per second each server gets from the agent meanwhile.

For each lag L: the Knot secondary of dns01.test is frozen (it takes no
transfer), `add` starts, and after L seconds plus a random jitter of up
to 0.3 s (so that no schedule can lock onto a round number) the secondary
is thawed and takes the change by IXFR. A poller asks the secondary every
millisecond, from an address of its own, and notes when it first serves
the value; the lag is the time from then until `add` has exited. tcpdump
captures the agent's queries (source == destination on lo: see run.py),
and the busiest one-second window per server is reported.

    make bench-lag      (BENCH_LAG_RUNS=N runs per lag, default 10;
                         BENCH_LAG_OLD=PATH also runs another binary,
                         interleaved, e.g. a build of an earlier commit)
"""

import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import (AGENT_TRAFFIC, QUIET, ZONE, check_environment, fail,  # noqa: E402
                 ms, p90, watch)
from servers.common import ACME_KEY, TsigKey, challenge_value  # noqa: E402
from servers.topology import Topology  # noqa: E402

LAGS = (1.0, 3.0, 10.0)
JITTER = 0.3
POLLER_SOURCE = "127.0.0.77"      # not the agent's: the capture skips it
RUNS = int(os.environ.get("BENCH_LAG_RUNS", "10"))


class Capture:
    """tcpdump of the agent's DNS queries on lo while the block runs;
    .busiest() is {server: most queries in any one-second window}."""

    def __init__(self, workdir):
        self.path = Path(workdir) / "lag.pcap"

    def __enter__(self):
        self.proc = subprocess.Popen(
            ["tcpdump", "-i", "lo", "-n", "-U", "--immediate-mode", "-w",
             str(self.path), f"dst port 53 and ({AGENT_TRAFFIC})"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.proc.stderr.readline()          # "listening on lo"
        return self

    def __exit__(self, *exc):
        time.sleep(0.2)
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(10)

    def busiest(self):
        out = subprocess.run(["tcpdump", "-tt", "-n", "-r", str(self.path)],
                             capture_output=True, text=True).stdout
        times = {}
        for line in out.splitlines():
            # "1733.123456 IP 127.0.0.22.40123 > 127.0.0.22.53: ..."
            parts = line.split()
            if len(parts) < 5 or parts[3] != ">":
                continue
            server = parts[4].rstrip(":").rsplit(".", 1)[0]
            times.setdefault(server, []).append(float(parts[0]))
        best = {}
        for server, stamps in times.items():
            stamps.sort()
            most, first = 0, 0
            for last, stamp in enumerate(stamps):
                while stamp - stamps[first] >= 1.0:
                    first += 1
                most = max(most, last - first + 1)
            best[server] = most
        return best


def one_run(binary, config, topology, secondary, lag, label):
    """One add against a secondary frozen for LAG s (+ jitter): returns
    (detection lag in s, {server: busiest second}) or None if unseen."""
    domain = f"{label}.{ZONE.rstrip('.')}"
    value = challenge_value(label)
    name = f"_acme-challenge.{domain}."
    with tempfile.TemporaryDirectory() as tmp:
        with Capture(tmp) as capture:
            pipe, poller = watch([secondary], name, value, source=POLLER_SOURCE,
                                 limit=lag + 30)
            with topology.secondary_frozen() as thaw:
                timer = threading.Timer(lag + random.uniform(0, JITTER), thaw)
                proc = subprocess.Popen([binary, "-q", "-c", str(config), "add",
                                         domain, value],
                                        stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True)
                timer.start()
                _, err = proc.communicate(timeout=lag + 60)
                returned = time.monotonic()
                timer.join()
            if proc.returncode != 0:
                fail(f"add exit {proc.returncode}: {err}")
            seen = pipe.recv() if pipe.poll(lag + 35) else {}
            poller.join(5)
        # Read once tcpdump has stopped, while its directory still exists.
        busiest = capture.busiest()
    if secondary not in seen:
        return None, busiest
    return returned - seen[secondary], busiest


def main():
    binaries = {"now": check_environment()}
    if os.environ.get("BENCH_LAG_OLD"):
        binaries["before"] = os.path.abspath(os.environ["BENCH_LAG_OLD"])
    if shutil.which("tcpdump") is None:
        fail("tcpdump is needed to count queries (make bench-lag installs it)")
    workdir = Path(tempfile.mkdtemp(prefix="acme-nsupdate-lag-"))
    topology = Topology(TsigKey.generate(ACME_KEY, "hmac-sha256"))
    topology.start()
    try:
        primary, secondary = topology.authoritative(ZONE)
        config = topology.write_config(workdir, "lag.ini", zones=[ZONE],
                                       timeout=60)
        print(f"detection lag: zone {ZONE}, BIND {primary}, Knot secondary "
              f"{secondary} frozen for L s + up to {JITTER} s; {RUNS} runs "
              f"per lag and binary, interleaved")
        results = {(b, lag): ([], {}) for b in binaries for lag in LAGS}
        counter = 0
        for run in range(RUNS):
            for lag in LAGS:
                for label, binary in binaries.items():
                    counter += 1
                    topology.wait_in_sync(ZONE)
                    time.sleep(QUIET)
                    found, busiest = one_run(binary, config, topology, secondary,
                                             lag, f"lag{counter}")
                    lags, rates = results[(label, lag)]
                    if found is not None:
                        lags.append(found)
                    for server, most in busiest.items():
                        rates[server] = max(rates.get(server, 0), most)
        print("\n| binary | secondary lag | runs seen | median lag | p90 lag "
              "| max queries in 1 s (primary / secondary) |")
        print("|---|---|---|---|---|---|")
        for (label, lag), (lags, rates) in results.items():
            if not lags:
                print(f"| {label} | {lag:.0f} s | 0 | - | - | - |")
                continue
            print(f"| {label} | {lag:.0f} s | {len(lags)}/{RUNS} | "
                  f"{ms(statistics.median(lags))} | "
                  f"{ms(p90(lags)) if len(lags) > 1 else '-'} | "
                  f"{rates.get(primary, 0)} / {rates.get(secondary, 0)} |")
    finally:
        topology.stop()
        topology.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
