# SPDX-License-Identifier: ISC
"""Pebble, the ACME test CA (Debian's pebble package), on a loopback
address, validating DNS-01 through the resolver the tests run
(-dnsserver), at full speed and without refused nonces.

Debian's package ships no certificates (its +ds source drops test/certs),
so the certificate Pebble serves the ACME API with is made here with
openssl, under a throwaway CA that each client is told to trust:
certbot through REQUESTS_CA_BUNDLE, lego through LEGO_CA_CERTIFICATES,
dehydrated (the curl tool) through CURL_CA_BUNDLE. uacme (libcurl-gnutls)
has no option or variable for it: `trusting()` runs it in a mount
namespace of its own in which that CA is the system bundle."""

import json
import os
import re
import ssl
import subprocess
import tempfile
import urllib.request
from pathlib import Path

from .common import Process, add_loopback_address

# The bundle libcurl-gnutls (uacme) reads, compiled in.
SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def openssl(*args, cwd=None):
    done = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise RuntimeError(f"openssl {args[0]}: exit {done.returncode}\n"
                           f"{done.stderr.strip()}")
    return done.stdout


def certificate_names(path):
    """The subjectAltName entries of the (first) certificate in PATH, as a
    set of strings without their "DNS:" prefix, read by OpenSSL."""
    text = openssl("x509", "-in", str(path), "-noout", "-ext", "subjectAltName")
    # "X509v3 Subject Alternative Name: \n    DNS:a.test, DNS:*.a.test"
    return {entry.strip().removeprefix("DNS:")
            for line in text.splitlines()[1:]
            for entry in line.split(",") if entry.strip()}


class Pebble(Process):
    kind = "pebble"
    start_timeout = 20.0
    stop_timeout = 10.0

    def __init__(self, address, resolver, port=14000, management_port=15000,
                 extra_env=None):
        """Pebble on ADDRESS (HTTPS on PORT, management on MANAGEMENT_PORT),
        asking RESOLVER ("addr" or "addr:port") for challenge TXTs.
        EXTRA_ENV: more PEBBLE_* variables, over the defaults below (e.g.
        {"PEBBLE_VA_ALWAYS_VALID": "1"} for tests/bench/issuance.py)."""
        self.address = address
        self.extra_env = dict(extra_env or {})
        self.resolver = resolver if ":" in resolver else f"{resolver}:53"
        self.port = port
        self.management_port = management_port
        self.proc = None
        self.dir = Path(tempfile.mkdtemp(prefix="acme-nsupdate-pebble-"))
        self.log = self.dir / "pebble.log"
        self.ca_file = self.dir / "tls-ca.pem"        # what clients trust
        self._root = None

    @property
    def directory(self):
        """The ACME directory URL the clients are given."""
        return f"https://{self.address}:{self.port}/dir"

    # --- process ----------------------------------------------------------

    def prepare(self):
        """A CA and, under it, the HTTPS certificate for ADDRESS; Pebble's
        config (the package's example, with our addresses and files)."""
        d = self.dir
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                "-subj", "/CN=acme-nsupdate tests: Pebble TLS CA",
                "-keyout", "tls-ca.key", "-out", "tls-ca.pem", cwd=d)
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                "-subj", "/CN=pebble", "-CA", "tls-ca.pem", "-CAkey", "tls-ca.key",
                "-addext", f"subjectAltName=IP:{self.address},DNS:localhost",
                "-addext", "basicConstraints=critical,CA:FALSE",
                "-addext", "extendedKeyUsage=serverAuth",
                "-keyout", "tls.key", "-out", "tls.pem", cwd=d)
        (d / "tls-ca.key").unlink()
        config = {"pebble": {
            "listenAddress": f"{self.address}:{self.port}",
            "managementListenAddress": f"{self.address}:{self.management_port}",
            "certificate": str(d / "tls.pem"),
            "privateKey": str(d / "tls.key"),
            # Unused (DNS-01 only), but Pebble wants them; kept off 80/443.
            "httpPort": 5002,
            "tlsPort": 5001,
            "ocspResponderURL": "",
            "externalAccountBindingRequired": False,
        }}
        self.config = d / "pebble-config.json"
        self.config.write_text(json.dumps(config, indent=2) + "\n")

    def environment(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PEBBLE_")}
        env.update({
            "PEBBLE_VA_NOSLEEP": "1",         # validate at once
            "PEBBLE_WFE_NONCEREJECT": "0",    # never reject a good nonce
            # Never reuse a valid authorization: every order runs the hook.
            "PEBBLE_AUTHZREUSE": "0",
        })
        env.update(self.extra_env)
        return env

    def start(self):
        add_loopback_address(self.address)
        self.prepare()
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                ["pebble", "-config", str(self.config), "-dnsserver", self.resolver],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=self.dir, env=self.environment(), start_new_session=True)
        self.await_ready(self._serves_directory,
                         f"pebble serving {self.directory}", interval=0.1)
        return self

    def _serves_directory(self):
        return "newOrder" in json.loads(self.get(self.directory))

    # --- what the tests ask -------------------------------------------------

    def get(self, url, timeout=5.0):
        """GET URL over HTTPS, trusting only our TLS CA; the body as text."""
        context = ssl.create_default_context(cafile=str(self.ca_file))
        with urllib.request.urlopen(url, timeout=timeout, context=context) as reply:
            return reply.read().decode()

    def root(self):
        """The PEM file of the root Pebble issues under (it makes a new one
        every start; the management interface hands it out)."""
        if self._root is None:
            url = f"https://{self.address}:{self.management_port}"
            path = self.dir / "issuing-root.pem"
            path.write_text(self.get(f"{url}/roots/0"))
            self._root = path
        return self._root

    def verify(self, path):
        """Check with OpenSSL that the certificate in PATH, followed by its
        chain, was issued by this Pebble; return PATH's SANs."""
        pems = re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----\n?",
                          Path(path).read_text(), re.S)
        if not pems:
            raise AssertionError(f"{path}: no certificate in it")
        with tempfile.TemporaryDirectory(dir=self.dir) as scratch:
            leaf, chain = Path(scratch) / "leaf.pem", Path(scratch) / "chain.pem"
            leaf.write_text(pems[0])
            chain.write_text("".join(pems[1:]))
            argv = ["verify", "-CAfile", str(self.root())]
            if len(pems) > 1:
                argv += ["-untrusted", str(chain)]
            try:
                openssl(*argv, str(leaf))
            except RuntimeError as exc:
                raise AssertionError(f"{path}: not issued by this Pebble: {exc}") from None
        return certificate_names(path)

    def client_env(self):
        """Variables that make certbot (python-requests), lego and the curl
        tool (dehydrated) trust Pebble's HTTPS certificate."""
        ca = str(self.ca_file)
        return {"REQUESTS_CA_BUNDLE": ca, "LEGO_CA_CERTIFICATES": ca,
                "CURL_CA_BUNDLE": ca}

    def trusting(self, argv):
        """ARGV run in a mount namespace of its own in which Pebble's TLS CA
        is the system bundle: for uacme, whose libcurl-gnutls reads only
        the compiled-in bundle and which has no option to name another.
        The host's bundle is untouched (a private bind mount)."""
        script = 'mount --bind "$0" "$1" && shift && exec "$@"'
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                script, str(self.ca_file), SYSTEM_BUNDLE, *argv]

    def __repr__(self):
        return f"<pebble {self.directory}>"
