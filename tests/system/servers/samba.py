# SPDX-License-Identifier: ISC
"""A Samba AD domain controller (Debian's samba-ad-dc, 4.17) of its own
realm on a loopback address: its KDC (Heimdal, inside samba) and its
internal DNS server, which takes GSS-TSIG updates the way Windows does.

Provisioned with samba-tool into a temporary directory (--targetdir; an
empty smb.conf instead of the machine's, so nothing under /etc is read or
written, and the pid, lock and socket directories in the same place), then
run in the foreground (`samba -i`) by PID. Only the kdc and dns services
run. Users: the agent's and an intruder's (samba-tool user create), each
with a keytab of its own (samba-tool domain exportkeytab, mode 600). The
client's krb5.conf names this KDC only (given through KRB5_CONFIG)."""

import os
import secrets
import subprocess
import tempfile
import time
from pathlib import Path

from .common import (Process, add_loopback_address, kerberos_env,
                     kinit_with_keytab, serves_zone)

ADDRESS = "127.0.0.51"
REALM = "SAMBA.TEST"
DOMAIN = "SAMBA"
ZONE = "samba.test."
HOST = "dc"                     # the DC: dc.samba.test, the SOA MNAME
AGENT = "acme-agent"
INTRUDER = "intruder"


def principal(user):
    return f"{user}@{REALM}"


class SambaDc(Process):
    kind = "samba"
    provision_timeout = 120.0
    start_timeout = 30.0
    stop_timeout = 10.0

    def __init__(self, address=ADDRESS):
        self.address = address
        self.zone = ZONE
        self.proc = None
        self.dir = Path(tempfile.mkdtemp(prefix="acme-nsupdate-samba-"))
        self.log = self.dir / "samba.log"
        self.smb_conf = self.dir / "etc" / "smb.conf"
        self.krb5_conf = self.dir / "krb5.conf"        # the clients'
        self.keytabs = {}                               # principal: Path
        self.provision_seconds = None

    # --- Kerberos, for the clients ------------------------------------------

    def env(self, **more):
        """The environment of a Kerberos client of this realm: its
        krb5.conf, no ccache or keytab of the machine's."""
        return kerberos_env(self.dir, self.krb5_conf, **more)

    def _write_krb5_conf(self):
        self.krb5_conf.write_text(
            "[libdefaults]\n"
            f"\tdefault_realm = {REALM}\n"
            "\tdns_lookup_realm = false\n"
            "\tdns_lookup_kdc = false\n"
            "\tdns_canonicalize_hostname = false\n"
            "\trdns = false\n"
            "\tkdc_timeout = 1s\n"
            "\tmax_retries = 1\n"
            "\n[realms]\n"
            f"\t{REALM} = {{\n\t\tkdc = {self.address}:88\n\t}}\n"
            "\n[domain_realm]\n"
            f"\t.{ZONE.rstrip('.')} = {REALM}\n\t{ZONE.rstrip('.')} = {REALM}\n")

    def kinit(self, user, ccache):
        """A ticket for USER from its keytab into CCACHE (a path)."""
        self._run("kinit", "-k", "-t", str(self.keytabs[principal(user)]),
                  "-c", f"FILE:{ccache}", principal(user), env=self.env())

    # --- samba-tool ----------------------------------------------------------

    def _run(self, *argv, env=None, timeout=60):
        done = subprocess.run(argv, env=env or self._samba_env(),
                              capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, cwd=self.dir)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)}: exit {done.returncode}\n"
                               f"{(done.stderr or done.stdout).strip()}")
        return done.stdout

    def _samba_env(self):
        # Samba's own programs: the krb5.conf provisioning wrote.
        env = {k: v for k, v in os.environ.items() if not k.startswith("KRB5")}
        env["KRB5_CONFIG"] = str(self.dir / "private" / "krb5.conf")
        return env

    def samba_tool(self, *args):
        return self._run("samba-tool", *args, "-s", str(self.smb_conf))

    def _provision(self):
        empty = self.dir / "empty.conf"
        empty.write_text("")
        run = self.dir / "run"
        run.mkdir()
        options = {
            "interfaces": self.address,
            "bind interfaces only": "yes",
            # The KDC and the DNS server; provisioning and samba-tool
            # work on the database directly.
            "server services": "kdc, dns",
            "log file": f"{self.dir}/log.%m",
            "pid directory": str(run),
            "ncalrpc dir": f"{run}/ncalrpc",
            "winbindd socket directory": f"{run}/winbindd",
            "ntp signd socket directory": f"{run}/ntp_signd",
        }
        argv = ["samba-tool", "domain", "provision", "-s", str(empty),
                "--use-rfc2307", "--realm", REALM, "--domain", DOMAIN,
                "--server-role", "dc", "--dns-backend", "SAMBA_INTERNAL",
                "--host-name", HOST, "--host-ip", self.address,
                "--adminpass", self._password(), "--targetdir", str(self.dir)]
        argv += [f"--option={key} = {value}" for key, value in options.items()]
        self._run(*argv, timeout=self.provision_timeout)

    @staticmethod
    def _password():
        # Random, and complex enough for the domain's default policy.
        return "Aa1-" + secrets.token_hex(16)

    def add_user(self, user):
        """A domain user with a random password and its keytab (mode 600);
        returns the keytab's path."""
        self.samba_tool("user", "create", user, self._password())
        keytab = self.dir / f"{user}.keytab"
        self.samba_tool("domain", "exportkeytab", str(keytab),
                        f"--principal={principal(user)}")
        keytab.chmod(0o600)
        self.keytabs[principal(user)] = keytab
        return keytab

    # --- life cycle ----------------------------------------------------------

    def start(self):
        add_loopback_address(self.address)
        started = time.monotonic()
        self._provision()
        for user in (AGENT, INTRUDER):
            self.add_user(user)
        self.provision_seconds = time.monotonic() - started
        self._write_krb5_conf()
        with open(self.log, "ab") as log:
            # -i: in the foreground, so this PID is samba's; -M single: one
            # process for every service, nothing forked to stop separately.
            self.proc = subprocess.Popen(
                ["samba", "-i", "-M", "single", "-s", str(self.smb_conf)],
                env=self._samba_env(), stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, cwd=self.dir, start_new_session=True)
        self.await_ready(
            lambda: serves_zone(self.address, self.zone) and kinit_with_keytab(
                self.env(), self.keytabs[principal(AGENT)], principal(AGENT)),
            f"samba on {self.address} serving {self.zone} and issuing tickets")
        return self
