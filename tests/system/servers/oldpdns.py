# SPDX-License-Identifier: ISC
"""A server that misbehaves on purpose, as PowerDNS before 4.0.4 did: it
says it is "PowerDNS Authoritative Server 4.0.3" (version.bind, CH TXT)
and answers SERVFAIL to every CAA query its zone has no CAA record for,
which CAs treat as a refusal to issue. Otherwise an authoritative server
for one small zone. Run as a process of its own (python3 oldpdns.py ADDR
ZONE), started, waited for by querying and stopped by PID like the real
servers (OldPowerDNS below)."""

import socket
import sys
import threading

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

if __package__:
    from .common import Server

VERSION = "PowerDNS Authoritative Server 4.0.3 (built by the tests)"


def zone_records(zone, address):
    origin = dns.name.from_text(zone)
    ns = dns.name.from_text("ns", origin)
    return {
        (origin, dns.rdatatype.SOA): dns.rrset.from_text(
            origin, 300, "IN", "SOA", f"ns.{zone} hostmaster.{zone} 1 3600 600 86400 300"),
        (origin, dns.rdatatype.NS): dns.rrset.from_text(origin, 300, "IN", "NS", f"ns.{zone}"),
        (ns, dns.rdatatype.A): dns.rrset.from_text(ns, 300, "IN", "A", address),
    }


def answer(wire, zone, records):
    query = dns.message.from_wire(wire)
    reply = dns.message.make_response(query)
    question = query.question[0]
    origin = dns.name.from_text(zone)
    if question.rdclass == dns.rdataclass.CH:
        if question.name.to_text().lower() in ("version.bind.", "version.server."):
            reply.answer.append(dns.rrset.from_text(question.name, 0, "CH", "TXT",
                                                    f'"{VERSION}"'))
        else:
            reply.set_rcode(dns.rcode.REFUSED)
        return reply
    if not question.name.is_subdomain(origin):
        reply.set_rcode(dns.rcode.REFUSED)
        return reply
    # The defect: no CAA record, so SERVFAIL instead of an empty answer.
    if question.rdtype == dns.rdatatype.CAA:
        reply.set_rcode(dns.rcode.SERVFAIL)
        return reply
    reply.flags |= dns.flags.AA
    names = {name for name, _ in records}
    found = records.get((question.name, question.rdtype))
    if found is not None:
        reply.answer.append(found)
    else:
        if question.name not in names:
            reply.set_rcode(dns.rcode.NXDOMAIN)
        reply.authority.append(records[(origin, dns.rdatatype.SOA)])
    return reply


def serve(address, zone):
    records = zone_records(zone, address)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((address, 53))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind((address, 53))
    tcp.listen(16)

    def tcp_loop():
        while True:
            conn, _ = tcp.accept()
            with conn:
                conn.settimeout(2)
                try:
                    size = int.from_bytes(conn.recv(2), "big")
                    wire = b""
                    while len(wire) < size:
                        chunk = conn.recv(size - len(wire))
                        if not chunk:
                            break
                        wire += chunk
                    out = answer(wire, zone, records).to_wire()
                    conn.sendall(len(out).to_bytes(2, "big") + out)
                except (OSError, dns.exception.DNSException):
                    pass

    threading.Thread(target=tcp_loop, daemon=True).start()
    while True:
        wire, peer = udp.recvfrom(65535)
        try:
            udp.sendto(answer(wire, zone, records).to_wire(), peer)
        except dns.exception.DNSException:
            pass


if __package__:
    class OldPowerDNS(Server):
        """The responder above as a test server: python3 oldpdns.py."""

        kind = "old-powerdns"

        def __init__(self, address, zone):
            super().__init__(address, {}, [])
            self.zone = zone

        def prepare(self):
            pass

        def command(self):
            return [sys.executable, __file__, self.address, self.zone]


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2])
