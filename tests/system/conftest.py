# SPDX-License-Identifier: ISC
"""System test fixtures: one BIND, one Knot and one PowerDNS primary per
session (each started on first use, on its own 127.0.0.x, from the configs
in contrib/), the TSIG keys they share, the agent binary, and a config file
per test. Run by `make check-system`, in a network namespace of its own."""

import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from servers import ADDRESSES, DEAD, HOSTILE, HOSTILE_DECOY, KINDS, SILENT
from servers.common import (ACME_KEY, ALGORITHMS, CHALLENGE_LABELS, PERSIST_NAMES, ZONE,
                            TsigKey, add_loopback_address, challenge_name,
                            challenge_value)


# --- secrets: never in the agent's output or its state files ---------------
#
# Every TSIG secret a test hands the agent is recorded here (keys(), the
# topology's key, Agent.secrets). Every process whose argv names the agent
# binary, however a test runs it (Agent, test_cli's run, the fake certbots
# of test_attacker), has its captured stdout and stderr checked for them;
# at the end of the session the state directories the agent writes (the
# spool, the journal) are searched for them too.

SECRETS = set()
SECRET_LEAKS = []
_communicate = subprocess.Popen.communicate


def _agent_process(proc):
    """Does PROC run the agent: itself, or a client with it as its hook?"""
    args = proc.args if isinstance(proc.args, (list, tuple)) else [proc.args]
    binary = os.environ.get("ACME_NSUPDATE_BIN") or "acme-nsupdate"
    return any(binary in str(arg) for arg in args)


def _checked_communicate(self, *args, **kwargs):
    stdout, stderr = _communicate(self, *args, **kwargs)
    if _agent_process(self):
        for stream, text in (("stdout", stdout), ("stderr", stderr)):
            if isinstance(text, bytes):
                text = text.decode(errors="replace")
            for secret in SECRETS:
                if text and secret in text:
                    SECRET_LEAKS.append(f"{self.args}: secret on {stream}")
                    raise AssertionError(f"secret on {stream} of {self.args}:\n{text}")
    return stdout, stderr


subprocess.Popen.communicate = _checked_communicate


def state_directories(basetemp=None):
    """Where the agent keeps state: root's spool (/tmp/acme-nsupdate-0),
    $XDG_RUNTIME_DIR/acme-nsupdate, the journal's defaults, and every
    acme-nsupdate directory under the tests' own XDG_RUNTIME_DIRs."""
    found = [Path(tempfile.gettempdir()) / f"acme-nsupdate-{os.geteuid()}",
             Path("/var/lib/acme-nsupdate")]
    for variable in ("XDG_RUNTIME_DIR", "STATE_DIRECTORY", "XDG_STATE_HOME"):
        if os.environ.get(variable):
            found.append(Path(os.environ[variable]) / "acme-nsupdate")
    if basetemp is not None and Path(basetemp).is_dir():
        found += [p for p in Path(basetemp).rglob("acme-nsupdate") if p.is_dir()]
    return [p for p in found if p.is_dir()]


def secrets_in_state(basetemp=None):
    """[(file, 'a secret')] for every state file that holds one."""
    leaks = []
    for directory in state_directories(basetemp):
        for path in directory.rglob("*"):
            try:
                data = path.read_bytes() if path.is_file() else b""
            except OSError:
                continue
            leaks += [(str(path), "a secret") for secret in SECRETS
                      if secret.encode() in data]
    return leaks


def pytest_sessionfinish(session, exitstatus):
    basetemp = getattr(session.config, "_tmp_path_factory", None)
    basetemp = basetemp.getbasetemp() if basetemp is not None else None
    leaks = secrets_in_state(basetemp)
    if leaks or SECRET_LEAKS:
        print("\nsecrets found in the agent's output or state files:")
        for line in SECRET_LEAKS + [f"{path}: {what}" for path, what in leaks]:
            print(f"  {line}")
        session.exitstatus = 1


def pytest_sessionstart(session):
    # The fixtures add 127.0.0.x addresses to lo and bind port 53: only in a
    # namespace of our own (unshare --net), never on the host's network.
    interfaces = sorted(name for _, name in socket.if_nameindex())
    if os.geteuid() != 0 or interfaces != ["lo"]:
        pytest.exit("tests/system must run as root in a private network namespace "
                    f"(interfaces here: {', '.join(interfaces)}); use: make check-system",
                    returncode=4)
    # The agent's state directory (journal, certbot's batches): never
    # root's /var/lib/acme-nsupdate. A test that looks at the journal sets
    # state_dir = of its own.
    os.environ["STATE_DIRECTORY"] = tempfile.mkdtemp(prefix="acme-nsupdate-state.")


# --- keys and servers ------------------------------------------------------

@pytest.fixture(scope="session")
def keys():
    """acme-key. (hmac-sha256, the contrib configs' key) and one key per
    TSIG algorithm, acme-hmac-md5. and so on; all granted the same names."""
    found = {ACME_KEY: TsigKey.generate(ACME_KEY, "hmac-sha256")}
    for algorithm in ALGORITHMS:
        found[f"acme-{algorithm}."] = TsigKey.generate(f"acme-{algorithm}.", algorithm)
    SECRETS.update(key.secret for key in found.values())
    return found


def _serve(kind, keys):
    server = KINDS[kind](ADDRESSES[kind], keys,
                         [challenge_name(label) for label in CHALLENGE_LABELS]
                         + list(PERSIST_NAMES))
    server.start()
    try:
        yield server
    finally:
        server.stop()
        server.cleanup()


@pytest.fixture(scope="session")
def bind_server(keys):
    yield from _serve("bind", keys)


@pytest.fixture(scope="session")
def knot_server(keys):
    yield from _serve("knot", keys)


@pytest.fixture(scope="session")
def powerdns_server(keys):
    yield from _serve("powerdns", keys)


@pytest.fixture(params=sorted(KINDS))
def primary(request):
    """The primary under test: each scenario runs once per server kind."""
    return request.getfixturevalue(f"{request.param}_server")


@pytest.fixture
def silent_address():
    """An address where UDP and TCP port 53 are bound and never answered."""
    add_loopback_address(SILENT)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        udp.bind((SILENT, 53))
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind((SILENT, 53))
        tcp.listen(16)
        yield SILENT
    finally:
        udp.close()
        tcp.close()


@pytest.fixture
def dead_address():
    """An address on lo where nothing listens: port unreachable at once."""
    add_loopback_address(DEAD)
    return DEAD


@pytest.fixture
def hostile(tmp_path, keys):
    """hostile(mode, target, ...): servers/hostile.py started on HOSTILE
    for this test, forwarding to BIND (127.0.0.11) what it does not answer
    itself, signing with acme-key.; stopped by its PID afterwards."""
    from servers.hostile import Hostile

    started = []

    def start(mode="none", target="update", *, upstream=ADDRESSES["bind"],
              key=None, address=HOSTILE, **extra):
        server = Hostile(address, tmp_path, mode=mode, target=target,
                         upstream=upstream, key=key or keys[ACME_KEY],
                         decoy=HOSTILE_DECOY if mode == "wrong-source" else None,
                         **extra)
        started.append(server)
        return server.start()

    try:
        yield start
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def value(request):
    """value(tag): a DNS-01-shaped TXT value unique to this test and tag."""
    return lambda tag: challenge_value(f"{request.node.nodeid} {tag}")


# --- the agent -------------------------------------------------------------

@pytest.fixture(scope="session")
def agent_path():
    path = os.environ.get("ACME_NSUPDATE_BIN")
    if not path:
        pytest.fail("ACME_NSUPDATE_BIN is not set; run: make check-system", pytrace=False)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"ACME_NSUPDATE_BIN={path}: no such executable; "
                    "`make` builds it", pytrace=False)
    return path


class Result:
    def __init__(self, argv, done, seconds):
        self.argv = argv
        self.returncode = done.returncode
        self.stdout = done.stdout
        self.stderr = done.stderr
        self.seconds = seconds

    def __str__(self):
        return (f"$ {' '.join(self.argv)}\nexit {self.returncode} after "
                f"{self.seconds:.2f} s\n--- stdout ---\n{self.stdout}"
                f"--- stderr ---\n{self.stderr}")

    def says(self, *fragments):
        """Assert that stderr holds every fragment, in any case."""
        text = self.stderr.lower()
        for fragment in fragments:
            assert fragment.lower() in text, f"stderr lacks {fragment!r}\n{self}"


class _Recorded(set):
    """A set of secrets that also records each into SECRETS."""

    def add(self, secret):
        SECRETS.add(secret)
        super().add(secret)


class Agent:
    """acme-nsupdate run as ACME clients run it: a config file, a command,
    its arguments. Every run is checked for secrets on stdout and stderr."""

    def __init__(self, path, workdir):
        self.path = path
        self.workdir = workdir
        self.secrets = _Recorded()
        self.configs = 0

    def key_file(self, key, mode=0o600):
        """The key as tsig-keygen wrote it, in a file of its own."""
        path = self.workdir / f"{key.name}key"
        path.write_text(key.text)
        path.chmod(mode)
        return path

    def config(self, primary, key=None, *, inline=False, server=None,
               zone=ZONE, timeout=10):
        """Write a config for PRIMARY: the primary is also the resolver.
        SERVER overrides the [zone] server, ZONE the only [zone] section;
        the key goes to a key file, or inline (ALG:NAME:SECRET)."""
        key = key or primary.keys[ACME_KEY]
        self.secrets.add(key.secret)
        key_line = (f"key = {key.inline()}" if inline
                    else f"key_file = {self.key_file(key)}")
        self.configs += 1
        path = self.workdir / f"acme-nsupdate-{self.configs}.ini"
        path.write_text(
            f"; {primary.kind} primary on {primary.address}\n"
            "[defaults]\n"
            f"resolver = {primary.address}\n"
            f"timeout = {timeout}\n"
            "\n"
            f"[zone {zone.rstrip('.')}]\n"
            f"server = {server or primary.address}\n"
            f"{key_line}\n")
        path.chmod(0o600)
        return path

    def write_config(self, text, name="acme-nsupdate.ini"):
        """A config file from literal text (mode 600)."""
        path = self.workdir / name
        path.write_text(text)
        path.chmod(0o600)
        return path

    def run(self, config, *args, timeout=60, env=None):
        """ENV: variables to add to the agent's environment (FAKETIME...)."""
        argv = [self.path, "-c", str(config), *args]
        env = {**{k: v for k, v in os.environ.items() if k != "ACME_NSUPDATE_CONFIG"},
               **(env or {})}
        start = time.monotonic()
        try:
            done = subprocess.run(argv, capture_output=True, text=True,
                                  timeout=timeout, env=env, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{' '.join(argv)}: still running after {timeout} s")
        return self._checked(Result(argv, done, time.monotonic() - start))

    def _checked(self, result):
        for secret in self.secrets:
            assert secret not in result.stdout, f"secret on stdout\n{result}"
            assert secret not in result.stderr, f"secret on stderr\n{result}"
        return result

    def start(self, config, *args):
        """The agent in the background, for a test that acts while it runs;
        finish() waits for it and checks it as run() does."""
        argv = [self.path, "-c", str(config), *args]
        env = {k: v for k, v in os.environ.items() if k != "ACME_NSUPDATE_CONFIG"}
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, text=True, env=env)
        proc.started = time.monotonic()
        return proc

    def finish(self, proc, timeout=60):
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            pytest.fail(f"{' '.join(proc.args)}: still running after {timeout} s")
        done = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
        return self._checked(Result(proc.args, done, time.monotonic() - proc.started))

    def ok(self, config, *args):
        result = self.run(config, *args)
        assert result.returncode == 0, str(result)
        return result

    def fails(self, config, *args, status=1, timeout=60, env=None):
        result = self.run(config, *args, timeout=timeout, env=env)
        assert result.returncode == status, str(result)
        return result


@pytest.fixture
def agent(agent_path, tmp_path):
    return Agent(agent_path, tmp_path)



# --- the read-path topology -------------------------------------------------

@pytest.fixture(scope="session")
def topology(keys):
    """servers/topology.py: BIND, a Knot secondary, a Knot primary, PowerDNS
    and Unbound on 127.0.0.20-24, started once per session. Its zones
    (topology.zones), addresses (topology.addresses, .authoritative(zone)),
    resolver (topology.resolver) and what they serve (.served, .serials,
    .resolve) are what the read-path and end-to-end tests use."""
    from servers.topology import Topology

    SECRETS.add(keys[ACME_KEY].secret)
    topo = Topology(keys[ACME_KEY])
    topo.start()
    try:
        yield topo
    finally:
        topo.stop()
        topo.cleanup()


@pytest.fixture
def topology_config(topology, agent):
    """topology_config(**options): write an agent config for the topology
    into this test's directory (Topology.config_text says which options),
    its key in a key file; the key's secret is checked on every run."""
    def write(**options):
        agent.secrets.add(topology.key.secret)
        agent.configs += 1
        return topology.write_config(agent.workdir,
                                     name=f"topology-{agent.configs}.ini", **options)
    return write


# --- the ACME CA ------------------------------------------------------------

PEBBLE = "127.0.0.30"


@pytest.fixture(scope="session")
def pebble(topology):
    """servers/pebble.py: Pebble on 127.0.0.30, started once per session,
    validating DNS-01 through the topology's resolver. pebble.directory is
    the URL the clients get, pebble.client_env() makes them trust it,
    pebble.verify(path) checks an issued certificate and returns its SANs."""
    from servers.pebble import Pebble

    ca = Pebble(PEBBLE, topology.resolver)
    ca.start()
    try:
        yield ca
    finally:
        ca.stop()
        ca.cleanup()
