# SPDX-License-Identifier: ISC
"""The journal, sweep, signals and the run-wide timeout, against the
read-path topology (dns01.test: BIND primary, Knot secondary, any TXT
granted). Every add journals its values before the UPDATE leaves; a
signal makes it remove them again and exit 128+N; what a SIGKILL leaves,
sweep removes. Each test has a state directory of its own (state_dir =).

A primary that answers slowly (or not at all) is a relay on 127.0.0.97 in
front of BIND: it holds every datagram DELAY seconds before it forwards
it, or swallows it, and says when it sees an UPDATE."""

import os
import random
import signal
import socket
import subprocess
import threading
import time

import dns.opcode
import pytest

from servers.common import add_loopback_address, retry_with_timeout, rrset_texts

ZONE = "dns01.test."
RELAY = "127.0.0.97"
MAGIC = "acme-nsupdate-journal 1"
FIELDS = ("name", "effective", "zone", "primary", "value", "time", "pid", "start")


# --- helpers ---------------------------------------------------------------

def challenge(label):
    return f"_acme-challenge.{label}.{ZONE}"


def parse_record(text):
    """A journal file's record as a dict; raises unless it is whole."""
    lines = text.split("\n")
    assert lines[0] == MAGIC, text
    assert lines[-2:] == ["end", ""], text
    record = {}
    for key, line in zip(FIELDS, lines[1:-2], strict=True):
        field, _, value = line.partition(" ")
        assert field == key and value, text
        record[key] = value
    int(record["time"]), int(record["pid"]), int(record["start"])
    return record


def journal(state, temporary=False):
    """{file name: record} of the journal in STATE. Every file but a
    temporary one (a run killed before its rename: nothing was sent) must
    be a whole record; with TEMPORARY, their names too (value None)."""
    directory = state / "journal"
    if not directory.exists():
        return {}
    found = {}
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".tmp-"):
            if temporary:
                found[path.name] = None
        else:
            found[path.name] = parse_record(path.read_text())
    return found


class Relay:
    """UDP on RELAY port 53 to BIND, each datagram held `delay` seconds
    (or dropped while `swallow`); `updates` is set when an UPDATE comes,
    `queries` when anything does."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.delay = 0.0
        self.swallow = False
        self.updates = threading.Event()
        self.queries = threading.Event()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((RELAY, 53))
        self.sock.settimeout(0.1)
        self.running = True
        self.timers = []
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while self.running:
            try:
                data, peer = self.sock.recvfrom(65535)
            except (socket.timeout, OSError):
                continue
            self.queries.set()
            # RFC 1035 4.1.1: the opcode, bits 1-4 of the third octet.
            if len(data) > 2 and (data[2] >> 3) & 0xF == dns.opcode.UPDATE:
                self.updates.set()
            if self.swallow:
                continue
            timer = threading.Timer(self.delay, self._forward, (data, peer))
            timer.start()
            self.timers.append(timer)

    def _forward(self, data, peer):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as up:
            up.settimeout(2)
            try:
                up.sendto(data, (self.upstream, 53))
                reply = up.recv(65535)
                if self.running:
                    self.sock.sendto(reply, peer)
            except OSError:
                pass

    def close(self):
        self.running = False
        self.thread.join(2)
        for timer in self.timers:
            timer.cancel()
            timer.join(3)
        self.sock.close()


@pytest.fixture
def relay(topology):
    add_loopback_address(RELAY)
    r = Relay(topology.primary(ZONE))
    try:
        yield r
    finally:
        r.close()


@pytest.fixture
def state(tmp_path):
    return tmp_path / "state"


@pytest.fixture
def config(topology_config, state):
    """config(**options): a topology config whose state_dir is STATE."""
    def write(**options):
        return topology_config(zones=[ZONE], state_dir=str(state), **options)
    return write


def served(topology, name):
    return rrset_texts(topology.primary(ZONE), name, "TXT")


def stop(proc, sig, agent, timeout=15):
    proc.send_signal(sig)
    return agent.finish(proc, timeout=timeout)


# --- the journal while add runs ---------------------------------------------

def test_entry_while_add_waits_struck_by_remove(topology, agent, config, state, value):
    name, token = challenge("jw"), value("token")
    conf = config()
    with topology.secondary_frozen() as thaw:
        proc = agent.start(conf, "add", f"jw.{ZONE}", token)
        retry_with_timeout(lambda: token in served(topology, name), 10,
                           "BIND serving the value")
        records = list(journal(state).values())
        assert len(records) == 1
        assert records[0]["name"] == records[0]["effective"] == name
        assert records[0]["zone"] == ZONE and records[0]["value"] == token
        assert records[0]["pid"] == str(proc.pid)
        assert records[0]["primary"] == f"{topology.primary(ZONE)} port 53"
        assert oct(state.stat().st_mode & 0o777) == "0o700"
        thaw()
        result = agent.finish(proc)
    assert result.returncode == 0, str(result)
    # Added and live: the entry stays until the value is removed.
    assert [r["value"] for r in journal(state).values()] == [token]
    agent.ok(conf, "remove", f"jw.{ZONE}", token)
    assert journal(state) == {}
    assert token not in served(topology, name)


# --- signals ----------------------------------------------------------------

SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]


@pytest.mark.parametrize("sig", SIGNALS, ids=lambda s: s.name)
@pytest.mark.parametrize("phase", ["before-update", "during-update", "wait"])
def test_signal_removes_what_add_added(topology, agent, config, state, value,
                                       relay, sig, phase):
    label = f"sig-{phase}-{sig.name.lower()}"
    name, token = challenge(label), value("token")
    # A primary that answers each datagram half a second late stretches
    # resolve (its SOA check) and the UPDATE; a frozen secondary the wait.
    relay.delay = 0.5
    conf = config(timeout=30, servers={ZONE: RELAY})
    with topology.secondary_frozen():
        proc = agent.start(conf, "add", f"{label}.{ZONE}", token)
        if phase == "before-update":
            assert relay.queries.wait(10), "no query reached the primary"
            assert not relay.updates.is_set()
        elif phase == "during-update":
            assert relay.updates.wait(10), "no UPDATE reached the primary"
        else:
            retry_with_timeout(lambda: token in served(topology, name), 10,
                               "BIND serving the value")
        sent = time.monotonic()
        result = stop(proc, sig, agent)
    assert result.returncode == 128 + sig, str(result)
    # Removed on the primary within the signal's own bound.
    assert time.monotonic() - sent < 10, str(result)
    assert token not in served(topology, name), str(result)
    assert journal(state) == {}, str(result)
    result.says("stopping; removing the values this run added")


def test_second_signal_exits_at_once_and_sweep_cleans(topology, agent, config,
                                                      topology_config, state,
                                                      value, relay):
    label = "sig-twice"
    name, token = challenge(label), value("token")
    conf = config(timeout=30, servers={ZONE: RELAY})
    with topology.secondary_frozen():
        proc = agent.start(conf, "add", f"{label}.{ZONE}", token)
        retry_with_timeout(lambda: token in served(topology, name), 10,
                           "BIND serving the value")
        # The rollback's UPDATE goes nowhere: the cleanup hangs...
        relay.swallow = True
        relay.updates.clear()
        proc.send_signal(signal.SIGTERM)
        assert relay.updates.wait(10), "no rollback UPDATE"
        # ...until a second signal ends the run at once.
        sent = time.monotonic()
        result = stop(proc, signal.SIGINT, agent)
    assert result.returncode == 128 + signal.SIGINT, str(result)
    assert time.monotonic() - sent < 2, str(result)
    assert token in served(topology, name)
    assert [r["value"] for r in journal(state).values()] == [token]

    # sweep, straight to BIND this time, removes it and empties the journal.
    direct = topology_config(zones=[ZONE], state_dir=str(state))
    done = agent.ok(direct, "sweep", "--older-than", "0s")
    assert done.stdout == f"removed {name} {name} {token}\n", str(done)
    assert token not in served(topology, name)
    assert journal(state) == {}


# --- the run-wide timeout ---------------------------------------------------

def test_timeout_bounds_the_add_and_its_rollback(topology, agent, config, state,
                                                 value, silent_address):
    """An add that cannot complete (a silent NS) returns within the timeout
    and a second, with its value removed: the rollback shares the timeout."""
    name, token = challenge("tmo"), value("token")
    conf = config(timeout=3, nameservers={ZONE: [topology.primary(ZONE),
                                                 silent_address]})
    result = agent.run(conf, "add", f"tmo.{ZONE}", token)
    assert result.returncode == 1, str(result)
    assert result.seconds < 4, str(result)
    result.says(f"{silent_address} port 53", "removed the values added by this run")
    assert token not in served(topology, name)
    assert journal(state) == {}


# --- kill -9 and sweep ------------------------------------------------------

def test_sigkill_at_random_points_then_sweep(topology, agent, config, state, value):
    """50 adds at distinct names, each killed (SIGKILL) at a random moment:
    every journal file is a whole record, and sweep removes every value any
    of them left on the server."""
    rng = random.Random(os.environ.get("JOURNAL_SEED", "9"))
    conf = config(timeout=5)
    runs = [(f"k{i}", value(f"k{i}")) for i in range(50)]
    # Each killed at a random moment of its own life: from before its
    # journal entry to the wait (a timer per run, started with it).
    procs, timers = [], []
    for label, token in runs:
        proc = agent.start(conf, "add", f"{label}.{ZONE}", token)
        timer = threading.Timer(rng.uniform(0, 0.25), proc.kill)
        timer.start()
        procs.append((label, token, proc))
        timers.append(timer)
    for timer in timers:
        timer.join(10)
    finished = 0
    for _, _, proc in procs:
        proc.communicate(timeout=30)
        finished += proc.returncode == 0
    records = journal(state)              # every record parses, or this fails
    pending = len(journal(state, temporary=True)) - len(records)
    leftover = {label for label, token in runs
                if token in served(topology, challenge(label))}
    journaled = {r["value"] for r in records.values()}
    # The invariant: nothing is on the server that the journal lacks.
    assert {t for label, t in runs if label in leftover} <= journaled
    print(f"kill -9: {finished} finished before the kill, {len(records)} "
          f"journaled, {pending} killed between temporary file and rename, "
          f"{len(leftover)} served before sweep")

    done = agent.ok(conf, "sweep", "--older-than", "0s")
    assert len(done.stdout.splitlines()) == len(records), str(done)
    assert all(line.startswith("removed ") for line in done.stdout.splitlines())
    for label, token in runs:
        assert token not in served(topology, challenge(label)), label
    # The temporary files of dead runs are gone too.
    assert journal(state, temporary=True) == {}


def test_sweep_skips_live_owner_and_dry_run_changes_nothing(topology, agent, config,
                                                            state, value):
    name, token = challenge("sw"), value("token")
    conf = config()
    with topology.secondary_frozen() as thaw:
        proc = agent.start(conf, "add", f"sw.{ZONE}", token)
        retry_with_timeout(lambda: token in served(topology, name), 10,
                           "BIND serving the value")
        # The add still runs: its value is not sweep's.
        done = agent.ok(conf, "sweep", "--older-than", "0s")
        assert done.stdout == "", str(done)
        done.says(f"written by process {proc.pid}, which still runs")
        assert token in served(topology, name)
        thaw()
        assert agent.finish(proc).returncode == 0
    before = journal(state)
    # Younger than the default hour: left alone.
    done = agent.ok(conf, "sweep")
    assert done.stdout == ""
    done = agent.ok(conf, "sweep", "--dry-run", "--older-than", "0s")
    assert done.stdout == f"would-remove {name} {name} {token}\n"
    assert token in served(topology, name)
    assert journal(state) == before
    done = agent.ok(conf, "sweep", "--older-than", "0s")
    assert done.stdout == f"removed {name} {name} {token}\n"
    assert token not in served(topology, name)
    assert journal(state) == {}


@pytest.mark.parametrize("args", [["--older-than", "1y"], ["--older-than"],
                                  ["extra"], ["--older-than", "-1h"]])
def test_sweep_usage(agent, config, args):
    result = agent.fails(config(), "sweep", *args, status=2)
    result.says("sweep")


# --- the clients' cleanup without what the add printed ------------------------

def test_certbot_cleanup_after_killed_auth(topology, agent, config, state, value):
    name, token = challenge("cbk"), value("token")
    conf = config()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CERTBOT_") and k != "ACME_NSUPDATE_CONFIG"}
    env.update(CERTBOT_DOMAIN=f"cbk.{ZONE}".rstrip("."), CERTBOT_VALIDATION=token,
               CERTBOT_REMAINING_CHALLENGES="0",
               CERTBOT_ALL_DOMAINS=f"cbk.{ZONE}".rstrip("."))
    with topology.secondary_frozen():
        proc = subprocess.Popen([agent.path, "-c", str(conf), "certbot-auth"],
                                env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        retry_with_timeout(lambda: token in served(topology, name), 10,
                           "BIND serving the value")
        proc.kill()
        out, _ = proc.communicate(timeout=10)
    assert out == b""                   # nothing for CERTBOT_AUTH_OUTPUT
    assert [r["value"] for r in journal(state).values()] == [token]
    done = subprocess.run([agent.path, "-v", "-c", str(conf), "certbot-cleanup"],
                          env=env, capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert "as the journal says" in done.stderr, done.stderr
    assert token not in served(topology, name)
    assert journal(state) == {}


def test_lego_cleanup_after_failed_present(topology, agent, config, state,
                                           value):
    """lego calls cleanup after a present that failed or was killed: the
    record name it hands over is the journal's, and the journal says where
    the value went."""
    fqdn, token = challenge("lgk"), value("token")
    conf = config()
    with topology.secondary_frozen():
        proc = agent.start(conf, "present", fqdn, token)
        retry_with_timeout(lambda: token in served(topology, fqdn), 10,
                           "BIND serving the value")
        proc.kill()
        proc.wait(10)
    assert [r["value"] for r in journal(state).values()] == [token]
    done = agent.ok(conf, "-v", "cleanup", fqdn, token)
    assert "as the journal says" in done.stderr, str(done)
    assert token not in served(topology, fqdn)
    assert journal(state) == {}


# --- the state directory ----------------------------------------------------

def test_state_dir_refused(topology, agent, config, state, tmp_path, value):
    token = value("token")
    real = tmp_path / "real"
    real.mkdir(mode=0o700)

    # A link, even to a good directory.
    state.symlink_to(real)
    result = agent.fails(config(), "add", f"sd.{ZONE}", token, status=2)
    result.says(f"{state}: the state directory is a symbolic link", "state_dir =")
    state.unlink()

    # Open to the group or the world.
    state.mkdir(mode=0o700)
    state.chmod(0o750)
    result = agent.fails(config(), "add", f"sd.{ZONE}", token, status=2)
    result.says(f"{state}: the state directory has mode 0750", f"chmod 700 {state}")

    # Another user's.
    state.chmod(0o700)
    os.chown(state, 65534, 65534)
    result = agent.fails(config(), "add", f"sd.{ZONE}", token, status=2)
    result.says(f"{state}: the state directory belongs to uid 65534",
                "not to this user (uid 0)", "state_dir =")
    # Nothing was sent.
    assert token not in served(topology, challenge("sd"))


def test_check_names_values_left_behind(topology, agent, config, state, value):
    """A run killed while it waits leaves its value: check's txt step names
    it, with the sweep that removes it; after the sweep it is gone."""
    label = "left"
    domain = f"{label}.{ZONE.rstrip('.')}"
    name, token = challenge(label), value("token")
    conf = config(timeout=30)
    with topology.secondary_frozen():
        proc = agent.start(conf, "add", domain, token)
        retry_with_timeout(lambda: token in served(topology, name), 10,
                           "BIND serving the value")
        proc.kill()
        proc.wait(10)

    result = agent.run(conf, "check", domain)
    assert f"warn txt {domain} {name.rstrip('.')}: value {token} was left " \
           f"there by a run (process {proc.pid}," in result.stdout, str(result)
    assert "acme-nsupdate sweep removes it" in result.stdout, str(result)

    agent.ok(conf, "sweep", "--older-than", "0s")
    result = agent.run(conf, "check", domain)
    assert "left there by a run" not in result.stdout, str(result)
