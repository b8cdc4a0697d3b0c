# SPDX-License-Identifier: ISC
"""make demo: certbot obtains a certificate for example.test and
*.example.test from Pebble (a test CA), and acme-nsupdate answers both
DNS-01 challenges in a zone that exists only for challenges, reached by a
CNAME. Everything runs on loopback in a private network namespace (the
Makefile starts this under `unshare --net`) and is stopped at the end.

    BIND 9    127.0.0.2   example.test          (no key may change it)
                          acme-challenges.test  (the key may write one TXT name)
    Unbound   127.0.0.3   the resolver the agent and Pebble ask
    Pebble    127.0.0.4   the ACME CA, https://127.0.0.4:14000/dir

Exit status 0 when the certificate was issued with both names and no
challenge record is left behind; 1 on any failure (with what failed)."""

import os
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "system"))
from servers.common import (Server, TsigKey, add_loopback_address,  # noqa: E402
                            retry_with_timeout, rrset_texts)
from servers.pebble import Pebble  # noqa: E402
from servers.unbound import Unbound  # noqa: E402

BIND_ADDR = "127.0.0.2"
RESOLVER_ADDR = "127.0.0.3"
PEBBLE_ADDR = "127.0.0.4"

DOMAIN = "example.test"
ALIAS_ZONE = "acme-challenges.test"
CHALLENGE = f"_acme-challenge.{DOMAIN}."
TARGET = f"{DOMAIN}.{ALIAS_ZONE}."          # where the TXT really goes
KEY_NAME = "acme-demo."
NAMES = [DOMAIN, f"*.{DOMAIN}"]

DEADLINE = 100.0                            # seconds for the whole demo
CERTBOT_TIMEOUT = 70.0


class DemoFailed(Exception):
    pass


# --- output ----------------------------------------------------------------

_STARTED = time.monotonic()


def step(text):
    print(f"\n[{time.monotonic() - _STARTED:5.1f} s] {text}", flush=True)


def detail(text):
    for line in str(text).rstrip("\n").splitlines():
        print(f"    {line}", flush=True)


# --- servers ---------------------------------------------------------------

NAMED_CONF = """\
options {{
	directory "{dir}";
	pid-file none;
	dnssec-validation no;
	listen-on port 53 {{ {addr}; }};
	listen-on-v6 {{ none; }};
	recursion no;
	allow-transfer {{ none; }};
	notify no;
}};
controls {{ }};

// tsig-keygen -a hmac-sha256 {key}
include "{dir}/{key}key";

// The site's zone: no key may change it. Its one record for ACME,
// {challenge} CNAME {target}, was set once by hand.
zone "{domain}" {{
	type primary;
	file "{dir}/{domain}.zone";
}};

// A zone that exists only for challenges: the key may add and delete TXT
// records at the one name the CNAME points to, and change nothing else.
// (In a zone that holds nothing but challenges, "zonesub TXT" is as safe.)
zone "{alias}" {{
	type primary;
	file "{dir}/{alias}.zone";
	update-policy {{
		grant {key} name {target} TXT;
	}};
}};
"""

DOMAIN_ZONE = """\
$TTL 300
@		SOA	ns1 hostmaster 1 3600 600 86400 300
		NS	ns1
ns1		A	{addr}
www		A	192.0.2.1
_acme-challenge	CNAME	{target}
"""

ALIAS_ZONE_TEXT = """\
$TTL 300
@		SOA	ns1 hostmaster 1 3600 600 86400 300
		NS	ns1
ns1		A	{addr}
"""


class DemoBind(Server):
    """BIND 9 serving the site's zone and the challenge zone."""

    kind = "bind"
    user = "bind"

    def __init__(self, address, key):
        super().__init__(address, {key.name: key}, [])
        self.key = key
        self.zone = f"{ALIAS_ZONE}."

    def prepare(self):
        values = dict(dir=self.dir, addr=self.address, key=self.key.name,
                      domain=DOMAIN, alias=ALIAS_ZONE, challenge=CHALLENGE,
                      target=TARGET)
        key_file = self.dir / f"{self.key.name}key"
        key_file.write_text(self.key.text)
        key_file.chmod(0o640)
        (self.dir / f"{DOMAIN}.zone").write_text(DOMAIN_ZONE.format(**values))
        (self.dir / f"{ALIAS_ZONE}.zone").write_text(ALIAS_ZONE_TEXT.format(**values))
        self.conf = self.dir / "named.conf"
        self.conf.write_text(NAMED_CONF.format(**values))

    def command(self):
        return ["named", "-g", "-u", self.user, "-c", str(self.conf)]




# --- the demo --------------------------------------------------------------

def check_namespace():
    interfaces = sorted(name for _, name in socket.if_nameindex())
    if os.geteuid() != 0 or interfaces != ["lo"]:
        sys.exit("demo: must run as root in a private network namespace "
                 f"(interfaces here: {', '.join(interfaces)}); use: make demo")


def agent_binary():
    path = os.environ.get("ACME_NSUPDATE_BIN", "")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        sys.exit(f"demo: ACME_NSUPDATE_BIN={path!r} is not an executable; use: make demo")
    return path


def write_agent_config(work, key):
    key_file = work / f"{ALIAS_ZONE}.key"
    key_file.write_text(key.text)
    key_file.chmod(0o600)
    config = work / "acme-nsupdate.ini"
    config.write_text(
        "[defaults]\n"
        f"resolver = {RESOLVER_ADDR}\n"
        "timeout = 30\n"
        "\n"
        "; The only zone the agent may write to. No server line: the\n"
        "; primary is the zone's SOA MNAME.\n"
        f"[zone {ALIAS_ZONE}]\n"
        f"key_file = {key_file}\n")
    config.chmod(0o600)
    return config


def run_certbot(agent, config, pebble, work):
    """certbot certonly with the agent as its manual DNS hooks. The agent's
    stderr (-v) goes to a log the demo prints, rather than through certbot
    (which shows a hook's stderr as a warning)."""
    log = work / "agent.log"
    hook = f"{shlex.quote(agent)} -c {shlex.quote(str(config))} -v"
    certbot_dir = work / "certbot"
    argv = ["certbot", "certonly", "--manual", "--preferred-challenges", "dns",
            "--manual-auth-hook", f"{hook} certbot-auth 2>>{shlex.quote(str(log))}",
            "--manual-cleanup-hook", f"{hook} certbot-cleanup 2>>{shlex.quote(str(log))}",
            *[arg for name in NAMES for arg in ("-d", name)],
            "--server", pebble.directory,
            "--config-dir", str(certbot_dir / "config"),
            "--work-dir", str(certbot_dir / "work"),
            "--logs-dir", str(certbot_dir / "logs"),
            "--agree-tos", "--register-unsafely-without-email", "--non-interactive"]
    step("certbot asks Pebble for the certificate; acme-nsupdate answers both challenges")
    detail("$ " + shlex.join(argv))
    detail(f"(REQUESTS_CA_BUNDLE={pebble.ca_file}: certbot trusts Pebble's HTTPS)")
    env = dict(os.environ, **pebble.client_env())
    started = time.monotonic()
    try:
        done = subprocess.run(argv, env=env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=CERTBOT_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise DemoFailed(f"certbot still running after {CERTBOT_TIMEOUT:.0f} s") from None
    agent_lines = log.read_text() if log.exists() else ""
    step(f"what acme-nsupdate did (certbot ran it {2 * len(NAMES)} times; its -v lines)")
    detail(agent_lines or "(nothing: the hooks never ran)")
    if done.returncode != 0:
        raise DemoFailed(f"certbot exited with status {done.returncode} after "
                         f"{time.monotonic() - started:.1f} s\n--- certbot stdout ---\n"
                         f"{done.stdout}--- certbot stderr ---\n{done.stderr}"
                         f"--- {certbot_dir / 'logs' / 'letsencrypt.log'} (tail) ---\n"
                         + tail(certbot_dir / "logs" / "letsencrypt.log"))
    step(f"certbot finished in {time.monotonic() - started:.1f} s")
    detail("\n".join(line for line in done.stdout.splitlines()
                     if ("certificate" in line.lower() or "key is saved" in line.lower())
                     and "scheduled task" not in line))
    return certbot_dir / "config" / "live" / DOMAIN / "fullchain.pem"


def tail(path, lines=30):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:]) + "\n"
    except OSError as exc:
        return f"{exc}\n"


def demo(agent, work):
    started = []                    # what to stop, in reverse order
    try:
        key = TsigKey.generate(KEY_NAME, "hmac-sha256")

        step(f"BIND on {BIND_ADDR}: {DOMAIN} and the challenge zone {ALIAS_ZONE}")
        bind = DemoBind(BIND_ADDR, key)
        started.append(bind)
        bind.start()
        detail(f"{CHALLENGE} CNAME {TARGET}   (in {DOMAIN}, set once by hand)")
        detail(f"key {KEY_NAME} may write TXT at {TARGET} only "
               f"(update-policy grant ... name ... TXT)")

        step(f"Unbound on {RESOLVER_ADDR}: the resolver (stub zones to {BIND_ADDR})")
        unbound = Unbound(RESOLVER_ADDR, {DOMAIN: [BIND_ADDR], ALIAS_ZONE: [BIND_ADDR]},
                          f"{DOMAIN}.")
        started.append(unbound)
        unbound.start()
        # Ask for the CNAME only: a TXT query now would make Unbound cache
        # "no such name" at the target, and show it to Pebble later.
        detail("\n".join(rrset.to_text() for rrset in
                         unbound.resolve(CHALLENGE, "CNAME").answer))

        pebble = Pebble(PEBBLE_ADDR, RESOLVER_ADDR)
        step(f"Pebble on {pebble.directory}: validates DNS-01 by asking {RESOLVER_ADDR}")
        started.append(pebble)
        pebble.start()

        config = write_agent_config(work, key)
        step(f"agent config {config} (mode 600)")
        detail(config.read_text())

        cert = run_certbot(agent, config, pebble, work)

        step("the certificate, checked with OpenSSL")
        if not cert.exists():
            raise DemoFailed(f"certbot succeeded but {cert} does not exist")
        try:
            names = pebble.verify(cert)
        except AssertionError as exc:
            raise DemoFailed(str(exc)) from None
        detail(f"{cert}")
        detail(f"issued by this Pebble; subjectAltName: {', '.join(sorted(names))}")
        if names != set(NAMES):
            raise DemoFailed(f"{cert}: names {sorted(names)}, expected {sorted(NAMES)}")

        step(f"after cleanup: TXT at {TARGET} on {BIND_ADDR}")
        retry_with_timeout(lambda: not rrset_texts(BIND_ADDR, TARGET, "TXT"), 10,
                           f"challenge TXT at {TARGET} removed from {BIND_ADDR}")
        detail("none: every challenge value was removed")
        return 0
    except (DemoFailed, AssertionError, RuntimeError, OSError,
            subprocess.SubprocessError) as exc:
        print(f"\ndemo FAILED: {exc}", file=sys.stderr)
        for server in started:
            print(f"--- {server.kind} log ({server.log}) ---\n{server.log_tail(15)}",
                  file=sys.stderr)
        return 1
    finally:
        for server in reversed(started):
            server.stop()
        for server in reversed(started):
            server.cleanup()


def main():
    check_namespace()
    agent = agent_binary()
    for address in (BIND_ADDR, RESOLVER_ADDR, PEBBLE_ADDR):
        add_loopback_address(address)
    work = Path(tempfile.mkdtemp(prefix="acme-nsupdate-demo-"))
    print(f"acme-nsupdate demo: certbot gets a certificate for "
          f"{' and '.join(NAMES)} from a test CA,\nthe DNS-01 challenges answered "
          f"in {ALIAS_ZONE} by {agent}; files in {work}")
    status = demo(agent, work)
    elapsed = time.monotonic() - _STARTED
    if status == 0:
        print(f"\ndemo done in {elapsed:.1f} s; everything it started is stopped. "
              f"Its files stay in {work}.")
    if elapsed > DEADLINE:
        print(f"demo: took {elapsed:.1f} s, more than the {DEADLINE:.0f} s it may",
              file=sys.stderr)
        status = status or 1
    return status


if __name__ == "__main__":
    sys.exit(main())
