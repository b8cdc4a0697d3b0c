#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Writes the seed corpora of tests/fuzz/corpus/ from real servers.

Starts the system tests' read-path topology (BIND, Knot primary and
secondary, PowerDNS, Unbound on 127.0.0.20-24; tests/system/servers) in a
network namespace of its own, with a throwaway key (support.h's), and:

- answers, hooks: runs each harness in recording mode (FUZZ_RECORD, see
  tests/fuzz/support.h) on a prefix that picks the operation, names or
  argv; the pipeline runs for real against the topology (CNAME, DNAME,
  SOA, NS and TXT answers, a referral to a delegated child, signed UPDATE
  replies, the wait) and every reply is written as a chunk of the seed;
- tsig_reply: signed UPDATEs sent with dnspython to each primary (granted,
  refused, unknown key, wrong secret), the reply with the request's MAC;
- key, config: tsig-keygen and ddns-confgen output, the example config and
  the topology's configs.

Run as root after `make fuzz-build`:  python3 tests/fuzz/capture_seeds.py
Nothing leaves the namespace: it has only lo, and every address is 127/8.
"""

import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests/fuzz/corpus"
FUZZ = ROOT / "obj-fuzz/tests/fuzz"
sys.path.insert(0, str(ROOT / "tests/system"))

# support.h: FUZZ_KEY_NAME, FUZZ_KEY_SECRET (throwaway, for tests only).
KEY_NAME = "acme-key."
KEY_SECRET = "Y8uwEcc4b2gStDG0WRwBlKSWhWT6/EWWpjcAHrSN21M="
KEY_TEXT = (f'key "{KEY_NAME}" {{\n\talgorithm hmac-sha256;\n'
            f'\tsecret "{KEY_SECRET}";\n}};\n')

# fuzz_answers.c: names[] and the operations of the first byte.
NAMES = ("now", "www", "hop", "child", "x.wild", "*.d")
ADD, REMOVE, CHECK = 0, 1, 2
VALUE = "a" * 43


def in_namespace():
    return sorted(name for _, name in socket.if_nameindex()) == ["lo"]


def save(target, name, data):
    path = CORPUS / target / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def record(target, prefix, name, resolver):
    """Runs the harness once on PREFIX in recording mode; saves the seed."""
    with tempfile.TemporaryDirectory() as tmp:
        inp, out = Path(tmp) / "in", Path(tmp) / "out"
        inp.write_bytes(prefix)
        env = dict(os.environ, FUZZ_RECORD=str(out), FUZZ_RESOLVER=resolver,
                   ASAN_OPTIONS="detect_leaks=0")
        done = subprocess.run([str(FUZZ / f"fuzz_{target}"), str(inp)],
                              env=env, capture_output=True, timeout=120)
        if done.returncode != 0 or not out.exists():
            # A real server's answer that crashes the agent: say so, go on.
            print(f"{target}/{name}: the harness failed (exit "
                  f"{done.returncode}):\n{done.stderr.decode()[-3000:]}")
            return
        data = out.read_bytes()
    save(target, name, data)
    print(f"{target}/{name}: {len(data)} bytes")


def capture_answers(resolver):
    for i, label in enumerate(NAMES):
        slug = label.replace("*", "star").replace(".", "-")
        for op, opname in ((ADD, "add"), (CHECK, "check"), (REMOVE, "remove")):
            record("answers", bytes([op | (1 << i) << 2]), f"{opname}-{slug}",
                   resolver)
    record("answers", bytes([ADD | 0x3f << 2]), "add-all", resolver)
    record("answers", bytes([REMOVE | 0x3f << 2]), "remove-all", resolver)


def words(hook, *items):
    return bytes([hook]) + b"\0".join(w.encode() for w in items) + b"\0\0"


def capture_hooks(resolver):
    # fuzz_hooks.c: hooks[] indices.
    seeds = {
        "native-add": words(0, "now.example.test", VALUE),
        "native-remove-wait": words(1, "--wait", "now.example.test", VALUE),
        "native-check": words(2, "www.example.test", "hop.example.test"),
        "lego-present": words(3, "_acme-challenge.now.example.test.", VALUE),
        "lego-cleanup": words(4, "_acme-challenge.now.example.test.", VALUE),
        "lego-raw": words(3, "EXEC_MODE=RAW", "--", "now.example.test",
                          "token", "token.thumbprint"),
        "certbot-auth": words(5, "CERTBOT_DOMAIN=now.example.test",
                              f"CERTBOT_VALIDATION={VALUE}",
                              "CERTBOT_REMAINING_CHALLENGES=0",
                              "CERTBOT_ALL_DOMAINS=now.example.test"),
        "certbot-queued": words(5, "CERTBOT_DOMAIN=www.example.test",
                                f"CERTBOT_VALIDATION={VALUE}",
                                "CERTBOT_REMAINING_CHALLENGES=1",
                                "CERTBOT_ALL_DOMAINS=www.example.test,now.example.test"),
        "certbot-cleanup": words(6, "CERTBOT_DOMAIN=www.example.test",
                                 f"CERTBOT_VALIDATION={VALUE}",
                                 "CERTBOT_AUTH_OUTPUT=acme-nsupdate "
                                 "_acme-challenge.www.example.test. "
                                 "www.example.test.knot.test. knot.test."),
        "dehydrated-deploy": words(7, "now.example.test", "tok", VALUE,
                                   "child.example.test", "tok", VALUE),
        "dehydrated-clean": words(8, "now.example.test", "tok", VALUE,
                                  "child.example.test", "tok", VALUE),
        "dehydrated-other": words(9, "startup_hook"),
        "uacme-begin": words(10, "dns-01", "x.wild.example.test", "tok", VALUE),
        "uacme-done": words(11, "dns-01", "x.wild.example.test", "tok", VALUE),
        "uacme-http": words(10, "http-01", "now.example.test", "tok", VALUE),
    }
    for name, prefix in seeds.items():
        record("hooks", prefix, name, resolver)


def capture_tsig(topology):
    import dns.name
    import dns.rcode
    import dns.tsig
    import dns.tsigkeyring
    import dns.update

    good = dns.tsig.Key(KEY_NAME, KEY_SECRET, dns.tsig.HMAC_SHA256)
    wrong = dns.tsig.Key(KEY_NAME, "c2VjcmV0IHRoYXQgZG9lcyBub3QgbWF0Y2guLi4uLi4=",
                         dns.tsig.HMAC_SHA256)
    unknown = dns.tsig.Key("nobody.", KEY_SECRET, dns.tsig.HMAC_SHA256)
    primaries = {"bind": ("example.test.", "_acme-challenge.now"),
                 "knot": ("knot.test.", "_acme-challenge.seed"),
                 "powerdns": ("pdns.test.", "pd")}
    for kind, (zone, granted) in primaries.items():
        address = topology.addresses[kind]
        cases = {
            "add": (good, granted, False),
            "refused": (good, "not-granted-name", False),
            "prereq": (good, None, False),
            "badsig": (wrong, granted, False),
            "badkey": (unknown, granted, False),
            "delete": (good, granted, True),
        }
        for case, (key, name, delete) in cases.items():
            up = dns.update.UpdateMessage(zone)
            up.use_tsig(key)
            if name is None:
                up.present(dns.name.from_text(zone), "SOA")
            elif delete:
                up.delete(name, "TXT", f'"{VALUE}"')
            else:
                up.add(name, 60, "TXT", f'"{VALUE}"')
            wire = up.to_wire()
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.settimeout(5)
            try:
                sock.sendto(wire, (address, 53))
                reply = sock.recv(65535)
            finally:
                sock.close()
            mac = up.mac if key is good and len(up.mac) == 32 else b"\0" * 32
            now = int(time.time())
            prefix = (b"\x01" + mac + struct.pack(">H", up.id) +
                      struct.pack(">HI", now >> 32, now & 0xffffffff))
            save("tsig_reply", f"{kind}-{case}", prefix + reply)
            print(f"tsig_reply/{kind}-{case}: rcode "
                  f"{dns.rcode.to_text(reply[3] & 15)}, {len(reply)} bytes")


def capture_files(topology, tmp):
    # Key files: tsig-keygen and ddns-confgen as operators run them.
    for alg in ("hmac-md5", "hmac-sha1", "hmac-sha224", "hmac-sha256",
                "hmac-sha384", "hmac-sha512"):
        text = subprocess.run(["tsig-keygen", "-a", alg, f"seed-{alg}."],
                              check=True, capture_output=True).stdout
        save("key", f"tsig-keygen-{alg}", b"\x00" + text)
    text = subprocess.run(["ddns-confgen", "-k", "seed-ddns.", "-z", "example.test"],
                          check=True, capture_output=True).stdout
    save("key", "ddns-confgen", b"\x00" + text)
    two = (subprocess.run(["tsig-keygen", "one."], check=True,
                          capture_output=True).stdout +
           subprocess.run(["tsig-keygen", "two."], check=True,
                          capture_output=True).stdout)
    save("key", "two-keys-named", b"\x02two.\n" + two)
    save("key", "two-keys", b"\x00" + two)
    save("key", "inline-sha256", f"\x01hmac-sha256:{KEY_NAME}:{KEY_SECRET}".encode())
    save("key", "inline-default", f"\x01{KEY_NAME}:{KEY_SECRET}".encode())
    save("key", "inline-md5", f"\x01hmac-md5.sig-alg.reg.int:k.:{KEY_SECRET}".encode())
    # Configs: the example, the topology's (key file and inline), the fuzz one.
    save("config", "example", (ROOT / "acme-nsupdate.ini.example").read_bytes())
    key_file = Path(tmp) / "seed.key"
    key_file.write_text(KEY_TEXT)
    key_file.chmod(0o600)
    save("config", "topology", topology.config_text(key_file).encode())
    save("config", "topology-nameservers", topology.config_text(
        key_file, servers={"example.test.": None},
        nameservers={"example.test.": ["127.0.0.21", "[::1]:53"]},
        require="reachable", ttl=300, port=53).encode())
    inline = topology.config_text(key_file).replace(
        f"key_file = {key_file}", f"key = hmac-sha256:{KEY_NAME}:{KEY_SECRET}")
    save("config", "topology-inline", inline.encode())


def main():
    if os.geteuid() != 0:
        sys.exit("capture_seeds.py: run as root (network namespace, servers)")
    if not in_namespace():
        os.execvp("unshare", ["unshare", "--net", "sh", "-c",
                              'ip link set lo up && exec "$0" "$@"',
                              sys.executable, *sys.argv])
    for target in ("answers", "hooks"):
        if not (FUZZ / f"fuzz_{target}").exists():
            sys.exit(f"{FUZZ}/fuzz_{target}: run make fuzz-build first")
    from servers.common import TsigKey
    from servers.topology import Topology

    key = TsigKey(KEY_NAME, "hmac-sha256", KEY_SECRET, KEY_TEXT)
    topology = Topology(key)
    topology.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            capture_files(topology, tmp)
        capture_tsig(topology)
        capture_answers(topology.resolver)
        capture_hooks(topology.resolver)
    finally:
        topology.stop()
        topology.cleanup()


if __name__ == "__main__":
    main()
