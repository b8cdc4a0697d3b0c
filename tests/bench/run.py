#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Benchmarks of acme-nsupdate against the system tests' topology
(tests/system/servers/topology.py: BIND primary + Knot secondary for
dns01.test, Unbound as the resolver). Prints numbers, asserts nothing;
README.md says what each number means. Run by `make bench`, as root in a
network namespace of its own:

    ACME_NSUPDATE_BIN=./acme-nsupdate unshare --net sh -c \\
        'ip link set lo up && exec /usr/bin/python3 tests/bench/run.py'
"""

import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "system"))

import dns.exception  # noqa: E402
import dns.message  # noqa: E402
import dns.rdatatype  # noqa: E402

from servers.common import ACME_KEY, TsigKey, challenge_value  # noqa: E402
from servers.topology import Topology  # noqa: E402

ZONE = "dns01.test."    # challenges only (zonesub TXT): room for 1,000 names
RUNS = 20
BULK = (100, 1000)
BULK_RUNS = 3
# What the agent sends to 127.0.0.x leaves from 127.0.0.x itself (Linux
# picks the destination's own address as the source on lo), while every
# server of the topology sends from its own address to another one
# (notify-source, via, outgoing-interface): source == destination is the
# agent's traffic, and only it, while nothing else asks.
AGENT_TRAFFIC = "port 53 and ip[12:4] = ip[16:4]"
# BIND and Knot hold back a NOTIFY or a refresh that follows the previous
# one within about half a second; ACME orders are further apart than that.
QUIET = 1.0


def fail(message):
    print(f"bench: {message}", file=sys.stderr)
    sys.exit(2)


def check_environment():
    interfaces = sorted(name for _, name in socket.if_nameindex())
    if os.geteuid() != 0 or interfaces != ["lo"]:
        fail("must run as root in a private network namespace "
             f"(interfaces here: {', '.join(interfaces)}); use: make bench")
    path = os.environ.get("ACME_NSUPDATE_BIN")
    if not path or not os.access(path, os.X_OK):
        fail("ACME_NSUPDATE_BIN must name the built binary; use: make bench")
    return os.path.abspath(path)


# --- running the agent -------------------------------------------------------

class Run:
    """One finished agent process: wall time, its own CPU time (wait4's
    resource usage of that child alone) and, when asked for, peak RSS."""

    def __init__(self, status, wall, rusage, stderr, maxrss_kib):
        self.status = status
        self.wall = wall
        self.cpu = rusage.ru_utime + rusage.ru_stime
        self.maxrss_kib = maxrss_kib
        self.stderr = stderr


def run_agent(binary, config, *args, wrap=(), rss=False):
    """Run the agent; return (Run, monotonic time at which it had exited).
    RSS: measure peak RSS with GNU time. wait4's ru_maxrss cannot: Linux
    carries the high-water mark of the forking process's memory over
    exec, so every child of this Python reports Python's RSS."""
    with tempfile.TemporaryDirectory() as tmp:
        err_path, rss_path = Path(tmp) / "stderr", Path(tmp) / "rss"
        if rss:
            wrap = (*wrap, "/usr/bin/time", "-f", "%M", "-o", str(rss_path))
        with open(err_path, "wb") as err:
            start = time.monotonic()
            proc = subprocess.Popen([*wrap, binary, "-q", "-c", str(config), *args],
                                    stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=err)
            _, status, rusage = os.wait4(proc.pid, 0)
            end = time.monotonic()
        proc.returncode = os.waitstatus_to_exitcode(status)
        maxrss = int(rss_path.read_text().split()[-1]) if rss else None
        run = Run(proc.returncode, end - start, rusage,
                  err_path.read_text(errors="replace"), maxrss)
    if run.status != 0:
        fail(f"{' '.join(args[:3])}...: exit {run.status}\n{run.stderr}")
    return run, end


# --- the secondary, watched from the outside ---------------------------------

def _poll(addresses, name, value, ready, report, source=None, limit=30):
    """Child process: ask each of ADDRESSES for NAME/TXT every millisecond,
    from SOURCE if given (so that a capture can tell it from the agent);
    report {address: monotonic time of the first answer holding VALUE}."""
    query = dns.message.make_query(name, "TXT")
    query.flags = 0                         # RD=0: the server itself
    socks = {}
    for address in addresses:
        socks[address] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        if source is not None:
            socks[address].bind((source, 0))
        socks[address].connect((address, 53))
        socks[address].settimeout(0.05)
    seen = {}
    ready.set()
    deadline = time.monotonic() + limit
    while len(seen) < len(addresses) and time.monotonic() < deadline:
        for address, sock in socks.items():
            if address in seen:
                continue
            query.id = (query.id + 1) & 0xFFFF
            sock.send(query.to_wire())
            try:
                reply = dns.message.from_wire(sock.recv(65535))
            except (socket.timeout, dns.exception.DNSException):
                continue
            for rrset in reply.answer:
                if rrset.rdtype == dns.rdatatype.TXT and any(
                        b"".join(rdata.strings).decode() == value for rdata in rrset):
                    seen[address] = time.monotonic()
        time.sleep(0.001)
    report.send(seen)


def watch(addresses, name, value, source=None, limit=30):
    """Start a poller; returns its pipe end, and the process to join."""
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Event()
    mine, theirs = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_poll, args=(addresses, name, value, ready, theirs,
                                           source, limit))
    proc.start()
    ready.wait(5)
    return mine, proc


# --- packets ------------------------------------------------------------------

def count_packets(binary, config, *args):
    """(method, sent, received) for one agent run: tcpdump on lo if there
    is one (every UDP datagram and TCP segment from/to the agent's source
    address), else strace (socket send/write system calls only)."""
    tcpdump = shutil.which("tcpdump")
    if tcpdump:
        with tempfile.TemporaryDirectory() as tmp:
            capture = Path(tmp) / "agent.pcap"
            sniffer = subprocess.Popen(
                [tcpdump, "-i", "lo", "-n", "-U", "--immediate-mode", "-w", str(capture),
                 AGENT_TRAFFIC],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            # It says "listening on lo" once it captures.
            sniffer.stderr.readline()
            run_agent(binary, config, *args)
            time.sleep(0.2)             # let the last packets reach the file
            sniffer.send_signal(signal.SIGINT)
            sniffer.wait(10)
            lines = subprocess.run([tcpdump, "-r", str(capture), "-n"],
                                   capture_output=True, text=True).stdout.splitlines()
        # "TIME IP 127.0.0.21.40123 > 127.0.0.21.53: ...": to port 53 is sent.
        sent = sum(line.split(" > ", 1)[1].split(":", 1)[0].endswith(".53")
                   for line in lines if " > " in line)
        return "tcpdump (packets on lo, UDP and TCP)", sent, len(lines) - sent
    strace = shutil.which("strace")
    if strace is None:
        return "neither tcpdump nor strace installed", None, None
    with tempfile.TemporaryDirectory() as tmp:
        trace = Path(tmp) / "agent.strace"
        run_agent(binary, config, *args,
                  wrap=(strace, "-f", "-qq", "-yy", "-o", str(trace), "-e",
                        "trace=sendto,sendmsg,sendmmsg,write,recvfrom,recvmsg,read"))
        lines = trace.read_text().splitlines()
    sockets = [line for line in lines if "UDP:" in line or "TCP:" in line]
    sent = sum(line.split("(")[0].split()[-1].startswith(("send", "write"))
               for line in sockets)
    return "strace (socket system calls, not packets)", sent, len(sockets) - sent


# --- the benchmarks -----------------------------------------------------------

def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def p90(values):
    return statistics.quantiles(values, n=10)[-1]


def main():
    binary = check_environment()
    workdir = Path(tempfile.mkdtemp(prefix="acme-nsupdate-bench-"))
    topology = Topology(TsigKey.generate(ACME_KEY, "hmac-sha256"))
    started = time.monotonic()
    topology.start()
    try:
        primary, secondary = topology.authoritative(ZONE)
        print(f"acme-nsupdate benchmarks: {binary}")
        print(f"topology up in {time.monotonic() - started:.1f} s: zone {ZONE} on "
              f"BIND {primary} (primary) and Knot {secondary} (secondary); "
              f"resolver Unbound {topology.resolver}")
        both = topology.write_config(workdir, "both.ini", zones=[ZONE])
        bind_only = topology.write_config(workdir, "bind.ini", zones=[ZONE],
                                          nameservers={ZONE: [primary]})
        counter = 0

        def fresh(label):
            nonlocal counter
            counter += 1
            return f"{label}{counter}.{ZONE.rstrip('.')}", challenge_value(f"bench {counter}")

        def quiet():
            topology.wait_in_sync(ZONE)
            time.sleep(QUIET)

        # 1. Detection lag: the secondary serves -> add returns.
        print(f"\n1. detection lag: one name, BIND + Knot secondary, {RUNS} runs, "
              f"{QUIET:.0f} s apart")
        lags, spreads, walls, cpus = [], [], [], []
        for _ in range(RUNS):
            quiet()
            domain, value = fresh("lag")
            pipe, poller = watch([primary, secondary], f"_acme-challenge.{domain}.", value)
            result, returned = run_agent(binary, both, "add", domain, value)
            seen = pipe.recv() if pipe.poll(10) else {}
            poller.join(5)
            if secondary in seen:
                lags.append(returned - seen[secondary])
            if len(seen) == 2:
                spreads.append(seen[secondary] - seen[primary])
            walls.append(result.wall)
            cpus.append(result.cpu)
        print(f"   secondary first serves -> add returns: median {ms(statistics.median(lags))}, "
              f"p90 {ms(p90(lags))}, max {ms(max(lags))} "
              f"({len(lags)} of {RUNS} runs seen by the 1 ms poller; target: median < 50 ms)")
        print(f"   (primary serves -> secondary serves: median "
              f"{ms(statistics.median(spreads))}, max {ms(max(spreads))})")
        print(f"   add, wall: median {ms(statistics.median(walls))}, p90 {ms(p90(walls))}; "
              f"CPU (user+sys): median {ms(statistics.median(cpus))}")

        # 2. One name against BIND alone: wall, CPU, peak RSS.
        print(f"\n2. one name, BIND alone (nameservers = {primary}), {RUNS} runs")
        results = [run_agent(binary, bind_only, "add", *fresh("one"))[0]
                   for _ in range(RUNS)]
        walls = [r.wall for r in results]
        cpus = [r.cpu for r in results]
        print(f"   add, wall: median {ms(statistics.median(walls))}, p90 {ms(p90(walls))}")
        print(f"   CPU (user+sys) of the process: median {ms(statistics.median(cpus))}, "
              f"p90 {ms(p90(cpus))} (target: median < 5 ms)")
        rss = [run_agent(binary, bind_only, "add", *fresh("rss"), rss=True)[0].maxrss_kib
               for _ in range(RUNS)]
        print(f"   peak RSS (GNU time, {RUNS} more runs): median "
              f"{statistics.median(rss):.0f} KiB, max {max(rss)} KiB")

        # 3. Packets of one add.
        print("\n3. packets of one add")
        for label, config in (("BIND alone", bind_only),
                              ("BIND + secondary, NS set from the resolver", both)):
            quiet()
            domain, value = fresh("pkt")
            method, sent, received = count_packets(binary, config, "add", domain, value)
            print(f"   {label}: sent {sent}, received {received} [{method}]")

        # 4. Many names in one zone in one call.
        print(f"\n4. many names in one zone in one call, {BULK_RUNS} runs each")
        for size in BULK:
            for label, config in (("BIND + secondary", both), ("BIND alone", bind_only)):
                adds, removes = [], []
                for _ in range(BULK_RUNS):
                    counter += 1
                    args = []
                    for i in range(size):
                        args += [f"n{i}.b{counter}.{ZONE.rstrip('.')}",
                                 challenge_value(f"bulk {counter} {i}")]
                    quiet()
                    adds.append(run_agent(binary, config, "add", *args, rss=True)[0])
                    quiet()
                    removes.append(run_agent(binary, config, "remove", "--wait", *args)[0])
                print(f"   {size:>5} names, {label}: add until all served: median "
                      f"{ms(statistics.median(r.wall for r in adds))} "
                      f"(runs: {', '.join(ms(r.wall) for r in adds)})"
                      + ("; target: under 1 s" if size == 1000 else ""))
                print(f"          CPU median {ms(statistics.median(r.cpu for r in adds))}, "
                      f"peak RSS {max(r.maxrss_kib for r in adds)} KiB; remove --wait: "
                      f"median {ms(statistics.median(r.wall for r in removes))}")
    finally:
        topology.stop()
        topology.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
