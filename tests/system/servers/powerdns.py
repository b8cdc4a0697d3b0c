# SPDX-License-Identifier: ISC
"""PowerDNS Authoritative as the primary: contrib/powerdns/pdns.conf.in and
dnsupdate-policy.lua.in rendered as is, on a gsqlite3 database into which
the zone and the keys are loaded before the server starts (its zone cache
would not see them for 300 s otherwise)."""

import subprocess
from pathlib import Path

from .common import CONTRIB, Server, render_file

SCHEMA = Path("/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql")


class PowerDNS(Server):
    kind = "powerdns"
    user = "pdns"
    # The policy script skips what it denies and the reply is NOERROR; every
    # TSIG failure is REFUSED without a TSIG RR (the reason only in the log).
    answers = {"outside grant": "NOERROR", "unsigned": "NOERROR",
               "wrong secret": "REFUSED", "unknown key": "REFUSED"}

    def prepare(self):
        values = self.template_values()
        values["DB"] = str(self.dir / "pdns.sqlite3")
        values["POLICY"] = str(self.dir / "dnsupdate-policy.lua")
        values["UPDATE_FROM"] = ["127.0.0.0/8"]
        render_file(CONTRIB / "powerdns" / "pdns.conf.in",
                    self.dir / "pdns.conf", values)
        render_file(CONTRIB / "powerdns" / "dnsupdate-policy.lua.in",
                    self.dir / "dnsupdate-policy.lua", values)
        with open(SCHEMA, "rb") as schema:
            subprocess.run(["sqlite3", values["DB"]], stdin=schema, check=True)
        for zone, zone_file in self.zone_files().items():
            zone = zone.rstrip(".")
            # load-zone keeps the zone file's SOA (not the default one, whose
            # MNAME is a.misconfigured.dns.server.invalid and serial 0).
            self.pdnsutil("load-zone", zone, str(zone_file))
            self.pdnsutil("set-meta", zone, "SOA-EDIT-DNSUPDATE", "INCREASE")
        for name in sorted(self.keys):
            key = self.keys[name]
            self.pdnsutil("import-tsig-key", key.name, key.algorithm, key.secret)

    def zone_files(self):
        """{zone: rendered zone file} to load into the database."""
        return {self.zone: self.write_zone()}

    def pdnsutil(self, *args):
        done = subprocess.run(["pdnsutil", f"--config-dir={self.dir}", *args],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"pdnsutil {' '.join(args[:2])}: "
                               f"{(done.stderr or done.stdout).strip()}")
        return done.stdout

    def command(self):
        return ["pdns_server", f"--config-dir={self.dir}", "--daemon=no",
                "--guardian=no", "--disable-syslog", "--write-pid=no",
                f"--socket-dir={self.dir}"]
