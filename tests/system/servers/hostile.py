# SPDX-License-Identifier: ISC
"""A DNS responder that misbehaves on purpose (tests/system/test_hostile.py).

Run as a process of its own, like the real servers, and stopped by its PID:
    python3 hostile.py CONFIG.json
It listens on UDP and TCP port 53 of one 127.0.0.x address. It answers for
hostile.test itself (SOA, NS, and the CNAME/DNAME traps below) and forwards
every other message to an upstream server (a real BIND), so that what an
UPDATE did is asked of a real server. The messages that the config's
`target` selects (update, query, txt) get the `mode`'s misbehaviour; the
others pass through untouched. TSIG is built here by hand from RFC 8945 4,
so that a field can be wrong on purpose."""

import hashlib
import hmac
import json
import socket
import socketserver
import struct
import sys
import threading
import time

import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.tsig

OWN_ZONE = dns.name.from_text("hostile.test.")
# What a flooding or trickling TCP answer does at most: the agent's bound
# must come first, this one only keeps a broken agent from hanging here.
STREAM_LIMIT_S = 30
HASHES = {"hmac-md5.sig-alg.reg.int.": hashlib.md5, "hmac-sha1.": hashlib.sha1,
          "hmac-sha224.": hashlib.sha224, "hmac-sha256.": hashlib.sha256,
          "hmac-sha384.": hashlib.sha384, "hmac-sha512.": hashlib.sha512}
ALG_NAMES = {"hmac-md5": "hmac-md5.sig-alg.reg.int.", "hmac-sha1": "hmac-sha1.",
             "hmac-sha224": "hmac-sha224.", "hmac-sha256": "hmac-sha256.",
             "hmac-sha384": "hmac-sha384.", "hmac-sha512": "hmac-sha512."}


# --- wire helpers -------------------------------------------------------------

def skip_name(wire, off):
    """The offset after the (possibly compressed) name at OFF."""
    while True:
        length = wire[off]
        if length & 0xC0 == 0xC0:
            return off + 2
        if length == 0:
            return off + 1
        off += length + 1


def question_end(wire):
    off = 12
    for _ in range(struct.unpack("!H", wire[4:6])[0]):
        off = skip_name(wire, off) + 4
    return off


def last_rr(wire):
    """(start, end) of the last resource record of WIRE."""
    counts = struct.unpack("!4H", wire[4:12])
    off = question_end(wire)
    start = None
    for _ in range(sum(counts[1:])):
        start = off
        off = skip_name(wire, off) + 8
        off += 2 + struct.unpack("!H", wire[off:off + 2])[0]
    return start, off


def strip_tsig(wire):
    """WIRE without its TSIG RR (the last record), ARCOUNT one less."""
    start, _ = last_rr(wire)
    arcount = struct.unpack("!H", wire[10:12])[0]
    return wire[:10] + struct.pack("!H", arcount - 1) + wire[12:start]


def request_mac(wire):
    """The MAC of a signed request (the last RR is its TSIG), or b""."""
    if struct.unpack("!H", wire[10:12])[0] == 0:
        return b""
    start, _ = last_rr(wire)
    off = skip_name(wire, start)
    if struct.unpack("!H", wire[off:off + 2])[0] != dns.rdatatype.TSIG:
        return b""
    off = skip_name(wire, off + 10) + 8     # past the algorithm, time, fudge
    mac_len = struct.unpack("!H", wire[off:off + 2])[0]
    return wire[off + 2:off + 2 + mac_len]


def name_wire(text):
    return dns.name.from_text(text).canonicalize().to_wire()


def tsig_append(body, req_mac, key, *, key_name=None, alg=None, when=None,
                fudge=300, error=0, other=b"", mac_edit=None):
    """BODY (a reply without TSIG) signed as RFC 8945 4.3 says, with any
    field made wrong on purpose; MAC_EDIT(mac) may spoil the MAC."""
    key_name = name_wire(key_name or key["name"])
    alg_text = alg or ALG_NAMES[key["algorithm"]]
    alg_name = name_wire(alg_text)
    when = int(time.time()) if when is None else when
    when_wire = struct.pack("!HI", when >> 32, when & 0xFFFFFFFF)
    variables = (key_name + struct.pack("!HI", 255, 0) + alg_name + when_wire
                 + struct.pack("!HHH", fudge, error, len(other)) + other)
    digest = hmac.new(__import__("base64").b64decode(key["secret"]),
                      struct.pack("!H", len(req_mac)) + req_mac + body + variables,
                      HASHES[alg_text]).digest()
    mac = mac_edit(digest) if mac_edit else digest
    rdata = (alg_name + when_wire + struct.pack("!HH", fudge, len(mac)) + mac
             + body[:2] + struct.pack("!HH", error, len(other)) + other)
    rr = key_name + struct.pack("!HHIH", dns.rdatatype.TSIG, 255, 0, len(rdata)) + rdata
    arcount = struct.unpack("!H", body[10:12])[0]
    return body[:10] + struct.pack("!H", arcount + 1) + body[12:] + rr


def header_only(wire, *, rcode=0, tc=False):
    """A reply of the header and question of WIRE: QR, opcode kept."""
    flags = struct.unpack("!H", wire[2:4])[0]
    flags = (flags & 0x7800) | 0x8000 | (0x0200 if tc else 0) | rcode
    end = question_end(wire)
    return wire[:2] + struct.pack("!HHHHH", flags, struct.unpack("!H", wire[4:6])[0],
                                  0, 0, 0) + wire[12:end]


def with_id(wire, new_id):
    return struct.pack("!H", new_id) + wire[2:]


def pad_txt(reply, qname, *, count=None, size=None):
    """REPLY with filler TXT records at QNAME added to its answer: COUNT of
    them, or as many as make the message SIZE bytes exactly."""
    message = dns.message.from_wire(reply)
    rrset = message.find_rrset(message.answer, qname, dns.rdataclass.IN,
                               dns.rdatatype.TXT, create=True)
    ttl = rrset.ttl or 60

    def filler(i, length):
        text = (f"filler {i} " + "x" * length)[:length]
        return dns.rdata.from_text("IN", "TXT", f'"{text}"')

    if count is not None:
        for i in range(count):
            rrset.add(filler(i, 40), ttl)
        return message.to_wire()
    base = len(message.to_wire())
    # Each filler: owner pointer (2), type, class, TTL, RDLENGTH (10), one
    # string (1 + 200): 213 bytes; the last one takes what is left over.
    i = 0
    while base + 213 * (i + 1) + 2 * 256 + 12 <= size:
        rrset.add(filler(i, 200), ttl)
        i += 1
    left = size - len(message.to_wire()) - 12
    strings, n = [], 0
    while left > 0:
        piece = min(255, left - 1)
        strings.append(f"last {n} " + "y" * piece)
        strings[-1] = strings[-1][:piece]
        left -= piece + 1
        n += 1
    rrset.add(dns.rdata.from_text("IN", "TXT", " ".join(f'"{s}"' for s in strings)), ttl)
    wire = message.to_wire()
    assert len(wire) == size, f"padded to {len(wire)}, not {size}"
    return wire


def bad_pointer(wire, *, loop):
    """A reply to WIRE whose answer's owner is a compression pointer to
    itself (LOOP) or past the end of the message."""
    body = header_only(wire)
    off = len(body)
    target = off if loop else 0x3FFF
    rr = struct.pack("!HHHIH", 0xC000 | target, dns.rdatatype.TXT, 1, 60, 2) + b"\x01x"
    return body[:6] + struct.pack("!H", 1) + body[8:] + rr


# --- the responder ---------------------------------------------------------

class Responder:
    def __init__(self, config):
        self.address = config["address"]
        self.decoy = config.get("decoy")
        self.upstream = config.get("upstream")
        self.mode = config.get("mode", "none")
        self.target = config.get("target", "update")
        self.key = config.get("key")
        self.zone = self.own_zone()
        self.updates_seen = False
        # v6-ns: the AAAA-only name server it adds to example.test's NS set.
        self.ns6 = config.get("ns6")
        # lag: how long a TXT value stays unseen after it first shows.
        self.lag = config.get("lag", 0)
        self.first_seen = {}

    # What the hostile.test zone holds: the traps of the chain tests.
    def own_zone(self):
        z = "hostile.test."
        records = {
            (z, "SOA"): [f"ns.{z} hostmaster.{z} 1 3600 600 86400 60"],
            (z, "NS"): [f"ns.{z}"],
            (f"ns.{z}", "AAAA" if ":" in self.address else "A"): [self.address],
            (f"_acme-challenge.self.{z}", "CNAME"): [f"_acme-challenge.self.{z}"],
            (f"_acme-challenge.c17.{z}", "CNAME"): [f"h1.{z}"],
        }
        for i in range(1, 17):
            records[(f"h{i}.{z}", "CNAME")] = [f"h{i + 1}.{z}"]
        zone = {}
        for (owner, rdtype), texts in records.items():
            name = dns.name.from_text(owner)
            zone[(name, dns.rdatatype.from_text(rdtype))] = dns.rrset.from_text_list(
                name, 60, "IN", rdtype, texts)
        # A label with a newline: the agent must print it escaped.
        forged = dns.name.Name([b"evil\nacme-nsupdate: forged line"]) + OWN_ZONE
        nl = dns.name.from_text(f"_acme-challenge.nl.{z}")
        zone[(nl, dns.rdatatype.CNAME)] = dns.rrset.from_text_list(
            nl, 60, "IN", "CNAME", [forged.to_text()])
        return zone

    def own_answer(self, query):
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        response.flags &= ~dns.flags.RA
        qname, qtype = query.question[0].name, query.question[0].rdtype
        if qname == dns.name.from_text("_acme-challenge.dlong.hostile.test."):
            # RFC 6672: a DNAME whose substitution is longer than 255 octets.
            owner = dns.name.from_text("dlong.hostile.test.")
            target = ".".join(["a" * 60] * 4) + "."
            response.answer.append(dns.rrset.from_text_list(owner, 60, "IN", "DNAME", [target]))
            return response
        if qname == dns.name.from_text("_acme-challenge.dun.hostile.test."):
            # A DNAME for a name that is not an ancestor of the question.
            owner = dns.name.from_text("elsewhere.example.")
            response.answer.append(dns.rrset.from_text_list(owner, 60, "IN", "DNAME",
                                                            ["other.example."]))
            return response
        found = self.zone.get((qname, qtype))
        cname = self.zone.get((qname, dns.rdatatype.CNAME))
        if found is not None:
            response.answer.append(found)
        elif cname is not None:
            response.answer.append(cname)
        elif any(name == qname for name, _ in self.zone):
            response.authority.append(self.zone[(OWN_ZONE, dns.rdatatype.SOA)])
        else:
            response.set_rcode(dns.rcode.NXDOMAIN)
            response.authority.append(self.zone[(OWN_ZONE, dns.rdatatype.SOA)])
        return response

    def forward(self, wire):
        """The upstream's reply to WIRE (UDP, then TCP if truncated)."""
        if self.upstream is None:
            return None
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(3)
            sock.connect((self.upstream, 53))
            sock.send(wire)
            try:
                while True:
                    reply = sock.recv(65535)
                    if reply[:2] == wire[:2]:
                        break
            except OSError:
                return None
        if not reply[2] & 0x02:
            return reply
        with socket.create_connection((self.upstream, 53), timeout=3) as sock:
            sock.sendall(struct.pack("!H", len(wire)) + wire)
            length = struct.unpack("!H", recv_exactly(sock, 2))[0]
            return recv_exactly(sock, length)

    def targeted(self, query):
        update = query.opcode() == dns.opcode.UPDATE
        # The readiness probe of the fixture always gets a straight answer.
        if query.question[0].name == OWN_ZONE and not update:
            return False
        if self.target == "update":
            return update
        if self.target == "query":
            return not update
        if self.target == "txt":
            return not update and query.question[0].rdtype == dns.rdatatype.TXT
        return False

    def parse(self, wire):
        keyring = None
        if self.key is not None:
            keyring = dns.tsig.Key(self.key["name"], self.key["secret"],
                                   ALG_NAMES[self.key["algorithm"]])
        try:
            return dns.message.from_wire(wire, keyring=lambda m, n: keyring)
        except Exception:               # a TSIG we cannot check: still answer
            try:
                return dns.message.from_wire(wire, keyring=lambda m, n: keyring,
                                             ignore_trailing=True,
                                             continue_on_error=True)
            except Exception:
                return None

    def respond(self, wire, tcp):
        """What to do with WIRE: a list of (action, bytes)."""
        query = self.parse(wire)
        if query is None or not query.question:
            return [("send", header_only(wire, rcode=dns.rcode.FORMERR))]
        targeted = self.targeted(query)
        mode = self.mode if targeted else "none"
        if mode in ("formerr", "notimp", "servfail", "refused"):
            return [("send", header_only(wire, rcode=dns.rcode.from_text(mode)))]
        if mode == "badtime-unsigned":
            # RFC 8945 5.2.3 wants BADTIME signed, with the server's time in
            # other data: this one is neither, its time signed is ours.
            body = header_only(wire, rcode=dns.rcode.NOTAUTH)
            return [("send", tsig_append(body, request_mac(wire), self.key, error=18,
                                         mac_edit=lambda m: b""))]
        if query.opcode() == dns.opcode.UPDATE:
            self.updates_seen = True
        if mode == "drop" or (mode == "drop-after-update" and self.updates_seen):
            return []
        qname = query.question[0].name
        if mode == "v6-ns" and qname == dns.name.from_text("ns6.example.test."):
            response = dns.message.make_response(query)
            response.flags |= dns.flags.AA
            if query.question[0].rdtype == dns.rdatatype.AAAA:
                response.answer.append(dns.rrset.from_text_list(
                    qname, 60, "IN", "AAAA", [self.ns6]))
            return [("send", response.to_wire())]
        if query.opcode() != dns.opcode.UPDATE and qname.is_subdomain(OWN_ZONE):
            reply = self.own_answer(query).to_wire()
        else:
            reply = self.forward(wire)
        if reply is None:
            return []
        return self.misbehave(mode, wire, reply, qname, tcp)

    def misbehave(self, mode, wire, reply, qname, tcp):
        req_mac = request_mac(wire)
        if mode in ("none", "drop-after-update"):
            return [("send", reply)]
        if mode == "v6-ns":
            # example.test's NS set, as this resolver tells it, gains a name
            # server with an IPv6 address only.
            message = dns.message.from_wire(reply)
            if message.question[0].rdtype == dns.rdatatype.NS and qname == \
                    dns.name.from_text("example.test."):
                rrset = message.find_rrset(message.answer, qname, dns.rdataclass.IN,
                                           dns.rdatatype.NS, create=True)
                rrset.add(dns.rdata.from_text("IN", "NS", "ns6.example.test."), 300)
            return [("send", message.to_wire())]
        if mode == "lag":
            # A secondary that lags: a TXT value shows LAG seconds after the
            # primary first served it to us.
            message = dns.message.from_wire(reply)
            now = time.monotonic()
            kept = []
            for rrset in message.answer:
                if rrset.rdtype == dns.rdatatype.TXT:
                    for rdata in list(rrset):
                        seen = self.first_seen.setdefault((rrset.name, rdata.to_text()), now)
                        if now - seen < self.lag:
                            rrset.discard(rdata)
                if len(rrset):
                    kept.append(rrset)
            message.answer = kept
            return [("send", message.to_wire())]
        if mode == "hide-after-update":
            # NOERROR to the UPDATE, then a primary that does not serve it.
            if not self.updates_seen:
                return [("send", reply)]
            message = dns.message.from_wire(reply)
            message.answer = [r for r in message.answer
                              if (r.name, r.rdtype) != (qname, dns.rdatatype.TXT)]
            return [("send", message.to_wire())]
        if mode == "wrong-source":
            return [("send-decoy", reply), ("send-other-port", reply), ("send", reply)]
        if mode == "wrong-id":
            return [("send", with_id(reply, (struct.unpack("!H", reply[:2])[0] + 1) & 0xFFFF)),
                    ("send", reply)]
        if mode == "wrong-question":
            other = dns.message.make_query("wrong-question.example.test.", "SOA")
            other.id = struct.unpack("!H", wire[:2])[0]
            other.flags |= dns.flags.QR
            other.set_opcode(dns.opcode.from_flags(struct.unpack("!H", wire[2:4])[0]))
            return [("send", other.to_wire()), ("send", reply)]
        if mode in ("tc", "trickle", "endless", "flood-empty", "flood-wrong",
                    "big", "many-txt") and not tcp:
            if mode in ("big", "many-txt"):
                return [("send", header_only(wire, tc=True))]
            return [("send", header_only(reply, tc=True))]
        if mode == "tc":
            return [("send", reply)]
        if mode == "trickle":
            return [("trickle", reply)]
        if mode == "endless":
            return [("endless", reply)]
        if mode == "flood-empty":
            return [("flood", b"")]
        if mode == "flood-wrong":
            return [("flood", with_id(reply, (struct.unpack("!H", reply[:2])[0] ^ 0x5555)))]
        if mode == "big":
            return [("send", pad_txt(reply, qname, size=65535))]
        if mode == "many-txt":
            return [("send", pad_txt(reply, qname, count=500))]
        if mode == "ptr-loop":
            return [("send", bad_pointer(wire, loop=True))]
        if mode == "ptr-past-end":
            return [("send", bad_pointer(wire, loop=False))]
        if mode == "newline-txt":
            message = dns.message.from_wire(reply)
            rrset = message.find_rrset(message.answer, qname, dns.rdataclass.IN,
                                       dns.rdatatype.TXT, create=True)
            rrset.add(dns.rdata.from_text("IN", "TXT",
                                          '"x\\010acme-nsupdate: forged line"'), 60)
            return [("send", message.to_wire())]
        # TSIG: the upstream's signed reply, re-signed wrong on purpose.
        body = strip_tsig(reply) if self.is_signed(reply) else reply
        tsig = {
            "unsigned": None,
            "bad-mac": dict(mac_edit=lambda m: bytes([m[0] ^ 0xFF]) + m[1:]),
            "mac-length": dict(mac_edit=lambda m: m + m[:8]),
            "key-name": dict(key_name="another-key."),
            "algorithm": dict(alg="hmac-sha512." if self.key["algorithm"] != "hmac-sha512"
                              else "hmac-sha256."),
            "time": dict(when=int(time.time()) - 3600),
            "other-data": dict(other=b"\0" * (65535 - len(body) - 200)),
        }[mode]
        if tsig is None:
            return [("send", body)]
        signed = tsig_append(body, req_mac, self.key, **tsig)
        if not tcp and len(signed) > 512:
            return [("send", header_only(wire, tc=True))]
        return [("send", signed)]

    @staticmethod
    def is_signed(wire):
        if wire[10:12] == b"\0\0":
            return False
        start, _ = last_rr(wire)
        off = skip_name(wire, start)
        return struct.unpack("!H", wire[off:off + 2])[0] == dns.rdatatype.TSIG


def recv_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise OSError("closed")
        data += chunk
    return data


def serve(config):
    responder = Responder(config)
    decoy = None
    if responder.decoy:
        decoy = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        decoy.bind((responder.decoy, 53))

    class Udp(socketserver.BaseRequestHandler):
        def handle(self):
            wire, sock = self.request
            for action, data in responder.respond(wire, tcp=False):
                if action == "send-decoy" and decoy is not None:
                    decoy.sendto(data, self.client_address)
                elif action == "send-other-port":
                    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
                        other.bind((responder.address, 0))
                        other.sendto(data, self.client_address)
                elif action == "send":
                    sock.sendto(data, self.client_address)

    class Tcp(socketserver.BaseRequestHandler):
        def handle(self):
            sock = self.request
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                while True:
                    length = struct.unpack("!H", recv_exactly(sock, 2))[0]
                    wire = recv_exactly(sock, length)
                    for action, data in responder.respond(wire, tcp=True):
                        self.act(sock, action, data)
            except OSError:
                pass

        @staticmethod
        def act(sock, action, data):
            framed = struct.pack("!H", len(data)) + data
            end = time.monotonic() + STREAM_LIMIT_S
            if action in ("send", "send-decoy", "send-other-port"):
                sock.sendall(framed)
            elif action == "trickle":
                for i in range(len(framed)):
                    if time.monotonic() > end:
                        break
                    sock.sendall(framed[i:i + 1])
                    time.sleep(1)
            elif action == "endless":
                # A length of 65535, then a byte a second that never ends it.
                sock.sendall(b"\xff\xff")
                while time.monotonic() < end:
                    sock.sendall(b"\0")
                    time.sleep(1)
            elif action == "flood":
                while time.monotonic() < end:
                    sock.sendall(framed * 64)

    class UdpServer(socketserver.ThreadingUDPServer):
        daemon_threads = True
        max_packet_size = 65535

    class TcpServer(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    family = socket.AF_INET6 if ":" in responder.address else socket.AF_INET
    UdpServer.address_family = TcpServer.address_family = family
    udp = UdpServer((responder.address, 53), Udp)
    tcp = TcpServer((responder.address, 53), Tcp)
    threading.Thread(target=tcp.serve_forever, daemon=True).start()
    udp.serve_forever()


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        serve(json.load(f))
else:
    from pathlib import Path

    import dns.query

    from .common import Process, add_loopback_address, retry_with_timeout

    def add_ipv6_address(address):
        """ADDRESS on lo, usable at once (nodad: no duplicate detection)."""
        import subprocess
        shown = subprocess.run(["ip", "-o", "-6", "addr", "show", "dev", "lo"],
                               check=True, capture_output=True, text=True).stdout
        if f" {address}/" not in shown:
            subprocess.run(["ip", "-6", "addr", "add", f"{address}/128", "dev", "lo",
                            "nodad"], check=True, capture_output=True, text=True)

    def query(address, name, rdtype, timeout=2.0):
        """One UDP query with RD=0, to an IPv4 or IPv6 address."""
        message = dns.message.make_query(name, rdtype)
        message.flags &= ~dns.flags.RD
        return dns.query.udp(message, address, port=53, timeout=timeout)

    class Hostile(Process):
        """This responder as a process: started on ADDRESS, ready once it
        answers for hostile.test, stopped by its PID. MODE and TARGET as in
        Responder; UPSTREAM the real server it forwards to; KEY the TsigKey
        it signs with (servers/common.py)."""

        kind = "hostile"
        stop_timeout = 5.0

        def __init__(self, address, directory, *, mode="none", target="update",
                     upstream=None, key=None, decoy=None, **extra):
            self.address = address
            self.dir = Path(directory)
            self.log = self.dir / f"hostile-{address}.log"
            self.proc = None
            self.config = {"address": address, "mode": mode, "target": target,
                           "upstream": upstream, "decoy": decoy,
                           "key": None if key is None else {
                               "name": key.name, "algorithm": key.algorithm,
                               "secret": key.secret}, **extra}

        def start(self):
            import subprocess
            for address in (self.address, self.config["decoy"]):
                if address and ":" in address:
                    add_ipv6_address(address)
                elif address:
                    add_loopback_address(address)
            path = self.dir / f"hostile-{self.address}.json"
            path.write_text(json.dumps(self.config))
            path.chmod(0o600)
            with open(self.log, "ab") as log:
                self.proc = subprocess.Popen([sys.executable, __file__, str(path)],
                                             stdin=subprocess.DEVNULL, stdout=log,
                                             stderr=subprocess.STDOUT,
                                             start_new_session=True)

            def ready():
                if self.proc.poll() is not None:
                    raise AssertionError(f"hostile exited: {self.log_tail()}")
                return query(self.address, "hostile.test.", "SOA", timeout=0.3).answer
            retry_with_timeout(ready, 10, f"hostile responder on {self.address}")
            return self

        def cleanup(self):
            pass
