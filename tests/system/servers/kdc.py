# SPDX-License-Identifier: ISC
"""An MIT Kerberos KDC of its own realm (GSS.TEST) on a loopback address,
and the BIND that takes GSS-TSIG updates with a keytab from it
(contrib/gss/named.conf.in rendered as is).

Everything lives in the KDC's temporary directory: its krb5.conf (given to
every Kerberos program through KRB5_CONFIG), kdc.conf (KRB5_KDC_PROFILE),
database, stash and the keytabs kadmin.local exports. Nothing under /etc
is read or written. Principals: DNS/ns.gss.test (the server's), the
agent's and an intruder's, each with a keytab of its own."""

import secrets
import subprocess
import tempfile
from pathlib import Path

from .bind import Bind
from .common import (CONTRIB, ZONES, Process, add_loopback_address,
                     kerberos_env, kinit_with_keytab, render_file)

REALM = "GSS.TEST"
GSS_ZONE = "gss.test."
KDC_ADDRESS = "127.0.0.40"
# The BIND that serves GSS_ZONE (GssBind); the topology's resolver knows it.
GSS_BIND_ADDRESS = "127.0.0.41"
SERVER_HOST = "ns.gss.test"
SERVER_PRINCIPAL = f"DNS/{SERVER_HOST}@{REALM}"
AGENT_PRINCIPAL = f"acme-agent@{REALM}"
INTRUDER_PRINCIPAL = f"intruder@{REALM}"
# Has a keytab, but the KDC forgets it (Kdc.forget): "client not found".
GHOST_PRINCIPAL = f"ghost@{REALM}"


class Kdc(Process):
    kind = "krb5kdc"
    start_timeout = 20.0
    stop_timeout = 10.0

    def __init__(self, address, realm=REALM):
        self.address = address
        self.realm = realm
        self.proc = None
        self.dir = Path(tempfile.mkdtemp(prefix="acme-nsupdate-kdc-"))
        self.log = self.dir / "kdc.log"
        self.krb5_conf = self.dir / "krb5.conf"
        self.kdc_conf = self.dir / "kdc.conf"
        self.keytabs = {}           # principal: Path

    def env(self, **more):
        """The environment every Kerberos program of the tests runs with:
        this realm's krb5.conf, no ccache or keytab of the machine's."""
        return kerberos_env(self.dir, self.krb5_conf,
                            KRB5_KDC_PROFILE=str(self.kdc_conf), **more)

    def _write_configs(self):
        self.krb5_conf.write_text(
            "[libdefaults]\n"
            f"\tdefault_realm = {self.realm}\n"
            "\tdns_lookup_realm = false\n"
            "\tdns_lookup_kdc = false\n"
            # The agent names DNS/<host> itself: no lookups to guess it.
            "\tdns_canonicalize_hostname = false\n"
            "\trdns = false\n"
            "\tkdc_timeout = 1s\n"
            "\tmax_retries = 1\n"
            "\n[realms]\n"
            f"\t{self.realm} = {{\n\t\tkdc = {self.address}:88\n\t}}\n"
            "\n[domain_realm]\n"
            f"\t.gss.test = {self.realm}\n\tgss.test = {self.realm}\n")
        self.kdc_conf.write_text(
            "[kdcdefaults]\n"
            f"\tkdc_listen = {self.address}:88\n"
            f"\tkdc_tcp_listen = {self.address}:88\n"
            "\n[realms]\n"
            f"\t{self.realm} = {{\n"
            f"\t\tdatabase_name = {self.dir}/principal\n"
            f"\t\tkey_stash_file = {self.dir}/stash\n"
            f"\t\tacl_file = {self.dir}/kadm5.acl\n"
            f"\t\tkdc_listen = {self.address}:88\n"
            f"\t\tkdc_tcp_listen = {self.address}:88\n"
            "\t\tmax_life = 1h\n"
            "\t}\n"
            "\n[logging]\n"
            f"\tkdc = FILE:{self.log}\n")

    def _run(self, *argv):
        done = subprocess.run(argv, env=self.env(), capture_output=True,
                              text=True, timeout=30, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)}: exit {done.returncode}\n"
                               f"{done.stderr.strip()}")
        return done.stdout

    def kadmin(self, query):
        return self._run("kadmin.local", "-r", self.realm, "-q", query)

    def add_principal(self, principal):
        """A principal with a random key, exported to a keytab of its own
        (mode 600); returns the keytab's path."""
        self.kadmin(f"addprinc -randkey {principal}")
        keytab = self.dir / (principal.split("@")[0].replace("/", "_") + ".keytab")
        self.kadmin(f"ktadd -k {keytab} {principal}")
        keytab.chmod(0o600)
        self.keytabs[principal] = keytab
        return keytab

    def forget(self, principal):
        """Delete PRINCIPAL from the KDC; its keytab stays behind."""
        self.kadmin(f"delprinc -force {principal}")

    def krb5_conf_with_kdc(self, path, address):
        """A copy of krb5.conf at PATH whose realm's KDC is ADDRESS."""
        path.write_text(self.krb5_conf.read_text().replace(
            f"kdc = {self.address}:88", f"kdc = {address}:88"))
        return path

    def kinit(self, principal, ccache):
        """A ticket for PRINCIPAL from its keytab into CCACHE (a path)."""
        self._run("kinit", "-k", "-t", str(self.keytabs[principal]),
                  "-c", f"FILE:{ccache}", principal)

    def start(self):
        add_loopback_address(self.address)
        self._write_configs()
        (self.dir / "kadm5.acl").write_text("")
        self._run("kdb5_util", "-r", self.realm, "create", "-s",
                  "-P", secrets.token_hex(16))
        for principal in (SERVER_PRINCIPAL, AGENT_PRINCIPAL, INTRUDER_PRINCIPAL,
                          GHOST_PRINCIPAL):
            self.add_principal(principal)
        with open(self.dir / "krb5kdc.out", "ab") as out:
            # -n: in the foreground, so this PID is the KDC's.
            self.proc = subprocess.Popen(
                ["krb5kdc", "-n", "-r", self.realm], env=self.env(),
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                cwd=self.dir, start_new_session=True)
        self.await_ready(
            lambda: kinit_with_keytab(self.env(), self.keytabs[AGENT_PRINCIPAL],
                                      AGENT_PRINCIPAL),
            f"krb5kdc on {self.address} issuing tickets")
        return self


class GssBind(Bind):
    """BIND serving gss.test, accepting DNS/ns.gss.test with its keytab,
    granting PRINCIPALS TXT at CHALLENGES (absolute names) only."""

    kind = "bind-gss"

    def __init__(self, address, kdc, principals, challenges):
        super().__init__(address, {}, challenges)
        self.kdc = kdc
        self.principals = principals
        self.zone = GSS_ZONE

    def prepare(self):
        keytab = self.dir / "dns.keytab"
        keytab.write_bytes(self.kdc.keytabs[SERVER_PRINCIPAL].read_bytes())
        keytab.chmod(0o600)     # chown_dir gives it to named's user
        # A copy named's user can read: the KDC's directory is root's.
        (self.dir / "krb5.conf").write_text(self.kdc.krb5_conf.read_text())
        values = {
            "ADDR": self.address,
            "DIR": str(self.dir),
            "ZONE": self.zone,
            "ZONE_FILE": str(self.dir / "gss.test.zone"),
            "KEYTAB": str(keytab),
            "REALM": self.kdc.realm,
            "PRINCIPAL": list(self.principals),
            "CHALLENGE": list(self.challenges),
        }
        render_file(ZONES / "gss.test.zone.in", self.dir / "gss.test.zone", values)
        self.conf = render_file(CONTRIB / "gss" / "named.conf.in",
                                self.dir / "named.conf", values)

    def command(self):
        # The realm's krb5.conf, and a replay cache in our directory.
        return ["env", f"KRB5_CONFIG={self.dir}/krb5.conf",
                f"KRB5RCACHENAME=file2:{self.dir}/krb5.rcache2",
                "KRB5_KTNAME=FILE:/nonexistent",
                *super().command()]
