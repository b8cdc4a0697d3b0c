# SPDX-License-Identifier: ISC
"""What every server fixture shares: the zone under test, TSIG keys,
templates, loopback addresses, direct queries, signed updates, and a server
process that is started, waited for by querying, and stopped by its PID."""

import base64
import hashlib
import itertools
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.tsig
import dns.update

SYSTEM = Path(__file__).resolve().parents[1]
REPO = SYSTEM.parents[1]
CONTRIB = REPO / "contrib"
ZONES = SYSTEM / "zones"

ZONE = "example.test."
ALGORITHMS = ("hmac-md5", "hmac-sha1", "hmac-sha224",
              "hmac-sha256", "hmac-sha384", "hmac-sha512")
# The key of the contrib configs; the matrix adds one key per algorithm.
ACME_KEY = "acme-key."

# The challenge names the acme keys may write, on every server. The grants
# are explicit lists: neither BIND 9.18 update-policy nor Knot 3.2 ACLs can
# say "_acme-challenge as the first label" (zonesub/sub-or-equal would let
# the key write TXT anywhere: SPF, DKIM, site verification). Each test
# writes at its own name, so tests never see each other's records.
CHALLENGE_LABELS = (
    "",                 # _acme-challenge.example.test: a domain and its wildcard
    "a",                # holds an unrelated TXT in the zone
    "badsig", "badkey", "down", "silent", "nozone", "lp",
    "cb",               # test_cli.py: certbot's batched auth hook
    "hostile",          # test_hostile.py: through a misbehaving responder
    "hint", "cbx",      # test_attacker.py: certbot's hint, concurrent runs
    "many",             # test_concurrency.py: 50 calls at one name
) + tuple(f"alg-{a}" for a in ALGORITHMS) + tuple(f"py-{a}" for a in ALGORITHMS)

# dns-persist-01 records (test_persist.py): granted like the challenge
# names; _validation-persist.alias.example.test is a CNAME to the first.
PERSIST_NAMES = ("_validation-persist.example.test.",
                 "_validation-persist.p.example.test.")

# Zone content the tests rely on (zones/example.test.zone.in).
UNRELATED_TXT = "unrelated: must survive every test"
INFO_TXT = "unrelated: not a challenge name"
WWW_A = "192.0.2.1"


def challenge_name(label):
    """The granted challenge name for LABEL ("" is the zone apex's)."""
    assert label in CHALLENGE_LABELS, f"{label!r} is not granted to the keys"
    return "_acme-challenge." + (f"{label}." if label else "") + ZONE


def challenge_value(seed):
    """A TXT value shaped like a real DNS-01 digest: base64url of SHA-256,
    43 characters, no padding (RFC 8555 8.4)."""
    digest = hashlib.sha256(seed.encode()).digest()
    value = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    assert len(value) == 43
    return value


def retry_with_timeout(attempt, timeout, what, interval=0.05):
    """Call ATTEMPT until it returns something true or TIMEOUT seconds pass;
    return that result. A wait with a deadline, never a bare sleep."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            result = attempt()
            if result:
                return result
        except (OSError, dns.exception.DNSException) as exc:
            last = exc
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not within {timeout} s"
                                 + (f" (last error: {last})" if last else ""))
        time.sleep(interval)


# --- templates -------------------------------------------------------------

_TOKEN = re.compile(r"@([A-Z][A-Z0-9_]*)@")


def render(text, values):
    """Fill @NAME@ placeholders (the BIND system tests' .in convention).
    A str value is substituted as is; a line holding placeholders with list
    values is written once per combination of them, which is how one
    template line becomes a grant per key and challenge name. An unknown
    placeholder is an error, not an empty string."""
    out = []
    for line in text.splitlines(keepends=True):
        names = _TOKEN.findall(line)
        unknown = sorted(set(n for n in names if n not in values))
        if unknown:
            raise KeyError(f"no value for {', '.join(unknown)} in: {line!r}")
        listed = sorted(set(n for n in names if not isinstance(values[n], str)))
        for combination in itertools.product(*(values[n] for n in listed)):
            chosen = dict(values, **dict(zip(listed, combination)))
            out.append(_TOKEN.sub(lambda m: chosen[m.group(1)], line))
    return "".join(out)


def render_file(template, destination, values):
    destination.write_text(render(template.read_text(), values))
    return destination


# --- TSIG keys -------------------------------------------------------------

# dnspython spells hmac-md5 by its wire name (RFC 8945 6).
_DNSPYTHON_ALGORITHM = {"hmac-md5": dns.tsig.HMAC_MD5}


@dataclass(frozen=True)
class TsigKey:
    name: str           # "acme-key." (lower case, absolute)
    algorithm: str      # "hmac-sha256"
    secret: str         # base64
    text: str           # tsig-keygen's output: a BIND key statement

    @classmethod
    def generate(cls, name, algorithm):
        """A fresh key from tsig-keygen, as an operator would make it."""
        text = subprocess.run(["tsig-keygen", "-a", algorithm, name],
                              check=True, capture_output=True, text=True).stdout
        secret = re.search(r'secret "([^"]+)"', text).group(1)
        return cls(name, algorithm, secret, text)

    def with_secret(self, secret):
        """The same key name and algorithm with another secret."""
        return TsigKey(self.name, self.algorithm, secret,
                       self.text.replace(self.secret, secret))

    def renamed(self, name):
        """Another key name with this algorithm and secret."""
        return TsigKey(name, self.algorithm, self.secret,
                       self.text.replace(f'"{self.name}"', f'"{name}"'))

    def dnspython(self):
        return dns.tsig.Key(self.name, self.secret,
                            _DNSPYTHON_ALGORITHM.get(self.algorithm, self.algorithm))

    def inline(self):
        """The config's inline form, as nsupdate -y: ALG:NAME:SECRET."""
        return f"{self.algorithm}:{self.name}:{self.secret}"


def random_secret(nbytes=32):
    return base64.b64encode(os.urandom(nbytes)).decode()


# --- network ---------------------------------------------------------------

def kerberos_env(directory, krb5_conf, **more):
    """The environment a Kerberos program of the tests runs with: the
    realm's krb5.conf, and no ccache or keytab of the machine's, only what
    a test names in MORE."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KRB5")}
    env["KRB5_CONFIG"] = str(krb5_conf)
    env["KRB5CCNAME"] = f"FILE:{directory}/no-such-ccache"
    env["KRB5_CLIENT_KTNAME"] = f"FILE:{directory}/no-such-keytab"
    env.update(more)
    return env


def add_loopback_address(address):
    """Put ADDRESS on lo (servers listen only on addresses that exist)."""
    shown = subprocess.run(["ip", "-o", "-4", "addr", "show", "dev", "lo"],
                           check=True, capture_output=True, text=True).stdout
    if f" {address}/" in shown:
        return
    subprocess.run(["ip", "addr", "add", f"{address}/32", "dev", "lo"],
                   check=True, capture_output=True, text=True)


def query(address, name, rdtype, timeout=2.0):
    """One UDP query to ADDRESS port 53 with RD=0: what that server itself
    serves, no recursion anywhere."""
    message = dns.message.make_query(name, rdtype)
    message.flags &= ~dns.flags.RD
    return dns.query.udp(message, address, port=53, timeout=timeout)


def serves_zone(address, zone):
    """Whether ADDRESS answers for ZONE's SOA with authority."""
    response = query(address, zone, "SOA", timeout=0.5)
    return bool(response.rcode() == dns.rcode.NOERROR
                and response.flags & dns.flags.AA and response.answer)


def kinit_with_keytab(env, keytab, principal):
    """Whether a ticket for PRINCIPAL comes from KEYTAB (into memory, not a
    file): the KDC of ENV's krb5.conf is up and knows the principal."""
    done = subprocess.run(
        ["kinit", "-k", "-t", str(keytab), "-c", "MEMORY:ready", principal],
        env=env, capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
    return done.returncode == 0


def rrset_texts(address, name, rdtype):
    """The set of RDATA strings the server answers for NAME/RDTYPE, TXT
    character-strings joined and decoded. Raises if the answer is not
    authoritative or the rcode is neither NOERROR nor NXDOMAIN."""
    response = query(address, name, rdtype)
    rcode = response.rcode()
    if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
        raise AssertionError(f"{name}/{rdtype} at {address}: {dns.rcode.to_text(rcode)}")
    if not response.flags & dns.flags.AA:
        raise AssertionError(f"{name}/{rdtype} at {address}: answer not authoritative")
    rdtype = dns.rdatatype.from_text(rdtype)
    found = set()
    for rrset in response.answer:
        if rrset.name != dns.name.from_text(name) or rrset.rdtype != rdtype:
            continue
        for rdata in rrset:
            if rdtype == dns.rdatatype.TXT:
                found.add(b"".join(rdata.strings).decode())
            else:
                found.add(rdata.to_text())
    return found


# dnspython raises these when a reply's TSIG carries an error (RFC 8945 5.3).
_TSIG_ERRORS = {dns.tsig.PeerBadKey: "BADKEY", dns.tsig.PeerBadSignature: "BADSIG",
                dns.tsig.PeerBadTime: "BADTIME", dns.tsig.PeerBadTruncation: "BADTRUNC"}


def send_update(address, update, timeout=5.0):
    """Send a built dns.update.UpdateMessage over UDP; return the reply's
    rcode as text, with "/BADKEY" (etc.) appended when the reply's TSIG
    carries an error. A signed reply's MAC is verified by dnspython."""
    wire = update.to_wire()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.connect((address, 53))
        sock.send(wire)
        while True:
            reply = sock.recv(65535)
            if reply[:2] == wire[:2]:
                break
    # RFC 1035 4.1.1: RCODE is the low four bits of the fourth octet.
    rcode = dns.rcode.to_text(reply[3] & 0x0F)
    try:
        dns.message.from_wire(reply, keyring=update.keyring, request_mac=update.mac)
    except dns.tsig.PeerError as exc:
        return f"{rcode}/{_TSIG_ERRORS.get(type(exc), type(exc).__name__)}"
    return rcode


def txt_update(key, name, value, *, delete=False, zone=ZONE, rdtype="TXT",
               ttl=60):
    """An UPDATE adding (or deleting, RFC 2136 2.5.4) one RR, signed with
    KEY unless KEY is None."""
    update = dns.update.UpdateMessage(zone)
    rdata = f'"{value}"' if rdtype == "TXT" else value
    if delete:
        update.delete(name, rdtype, rdata)
    else:
        update.add(name, ttl, rdtype, rdata)
    if key is not None:
        update.use_tsig(key.dnspython())
    return update


# --- processes -------------------------------------------------------------

class Process:
    """What every process a test starts shares: stopped by PID within a
    bound, its directory removed (or kept with ACME_NSUPDATE_KEEP_SERVERS),
    its log's tail for failure messages. Needs kind, proc, dir, log and
    stop_timeout."""

    def stop(self):
        """Stop by PID: terminate, wait with a bound, then kill."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=self.stop_timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=self.stop_timeout)

    def cleanup(self):
        if os.environ.get("ACME_NSUPDATE_KEEP_SERVERS"):
            print(f"\nkept {self.kind} directory: {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def await_ready(self, ready, what, interval=0.05):
        """Waits, within start_timeout, until READY() is true while the
        process lives; stops it and fails with its log's tail if not."""
        def attempt():
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.kind} exited with status "
                                     f"{self.proc.returncode}")
            return ready()
        try:
            retry_with_timeout(attempt, self.start_timeout, what, interval)
        except AssertionError as exc:
            self.stop()
            raise AssertionError(f"{exc}\n--- {self.log} ---\n"
                                 f"{self.log_tail()}") from None

    def log_tail(self, lines=40):
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError as exc:
            return str(exc)



class Server(Process):
    """One authoritative server on its own loopback address, in its own
    temporary directory. Subclasses say how to prepare the directory and
    which command runs the server in the foreground."""

    kind = None
    user = None                 # account the daemon drops privileges to
    # What the server answers (rcode, "/" TSIG error) to an update that is
    # outside the key's grant, unsigned, signed with a wrong secret, or
    # signed with a key it does not know (SERVERS.md; proved by the tests).
    answers = {}
    start_timeout = 20.0
    stop_timeout = 10.0

    def __init__(self, address, keys, challenges):
        self.address = address
        self.keys = keys                # {name: TsigKey}
        self.challenges = challenges    # granted challenge names
        self.zone = ZONE
        self.proc = None
        self.dir = Path(tempfile.mkdtemp(prefix=f"acme-nsupdate-{self.kind}-"))
        self.log = self.dir / f"{self.kind}.log"

    def template_values(self):
        """Values for the contrib templates and the zone template."""
        return {
            "ADDR": self.address,
            "DIR": str(self.dir),
            "ZONE": self.zone,
            "ZONE_FILE": str(self.dir / "example.test.zone"),
            "KEY": sorted(self.keys),
            "CHALLENGE": list(self.challenges),
        }

    def write_zone(self):
        return render_file(ZONES / "example.test.zone.in",
                           self.dir / "example.test.zone",
                           self.template_values())

    def prepare(self):
        raise NotImplementedError

    def command(self):
        raise NotImplementedError

    def chown_dir(self):
        if self.user is not None:
            shutil.chown(self.dir, self.user, self.user)
            for path in self.dir.rglob("*"):
                shutil.chown(path, self.user, self.user)

    def start(self):
        add_loopback_address(self.address)
        self.prepare()
        self.chown_dir()
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT,
                                         cwd=self.dir, start_new_session=True)
        self.await_ready(self._serves_zone,
                         f"{self.kind} on {self.address} serving {self.zone}")
        return self

    def _serves_zone(self):
        return serves_zone(self.address, self.zone)

    # What the tests ask of any server.

    def serial(self):
        (serial,) = rrset_texts(self.address, self.zone, "SOA")
        return int(serial.split()[2])

    def rrset(self, name, rdtype):
        return rrset_texts(self.address, name, rdtype)

    def rrsets(self, name, rdtype):
        """The RRsets (dnspython: TTL, strings) the server answers."""
        response = query(self.address, name, rdtype)
        want = (dns.name.from_text(name), dns.rdatatype.from_text(rdtype))
        return [r for r in response.answer if (r.name, r.rdtype) == want]

    def txt(self, name):
        return rrset_texts(self.address, name, "TXT")

    def a(self, name):
        return rrset_texts(self.address, name, "A")

    def update(self, update):
        return send_update(self.address, update)

    def __repr__(self):
        return f"<{self.kind} {self.address}>"
