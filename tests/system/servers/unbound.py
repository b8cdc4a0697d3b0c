# SPDX-License-Identifier: ISC
"""Unbound as the recursive resolver of the system tests: stub zones to the
authoritative servers on 127.0.0.x, nothing beyond loopback. Started,
waited for by querying (RD=1) and stopped by PID like the other servers."""

import dns.flags
import dns.message
import dns.query
import dns.rcode

from .common import ZONES, Server, render_file

TEMPLATE = ZONES / "topology" / "unbound.conf.in"


def recursive_query(address, name, rdtype, timeout=2.0):
    """One UDP query with RD=1 to the resolver at ADDRESS port 53: what a
    client of that resolver (the agent, a CA) is told."""
    message = dns.message.make_query(name, rdtype)
    message.flags |= dns.flags.RD
    return dns.query.udp(message, address, port=53, timeout=timeout)


class Unbound(Server):
    kind = "unbound"
    user = None         # username: "" in the config: no privilege drop

    def __init__(self, address, stubs, probe, template=TEMPLATE):
        """STUBS: {zone: [addresses]}, each zone reached through a stub-zone
        (delegated children are found by referral). PROBE: a name whose SOA
        the resolver must return once it is ready."""
        super().__init__(address, {}, [])
        self.stubs = stubs
        self.zone = probe
        self.template = template

    def prepare(self):
        values = self.template_values()
        values["STUB"] = [
            f'name: "{zone}" ' + " ".join(f"stub-addr: {a}" for a in addresses)
            for zone, addresses in self.stubs.items()]
        self.conf = render_file(self.template, self.dir / "unbound.conf", values)
        # The TLD: an SOA, and a delegation for each zone right below it
        # (the stub zones say where its servers really are).
        lines = ["$ORIGIN test.", "$TTL 3600",
                 "@ SOA localhost. nobody.invalid. 1 3600 600 86400 3600",
                 "@ NS localhost."]
        lines += [f"{zone} NS ns.{zone}" for zone in sorted(self.stubs)
                  if zone.endswith(".test.") and zone.count(".") == 2]
        (self.dir / "test.zone").write_text("\n".join(lines) + "\n")

    def command(self):
        # -d: foreground, -p: no pid file of ours to clean up.
        return ["unbound", "-d", "-p", "-c", str(self.conf)]

    def _serves_zone(self):
        response = recursive_query(self.address, self.zone, "SOA", timeout=0.5)
        return response.rcode() == dns.rcode.NOERROR and response.answer

    def resolve(self, name, rdtype, timeout=2.0):
        return recursive_query(self.address, name, rdtype, timeout)
