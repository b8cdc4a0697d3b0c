#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""GSS-TSIG against HMAC-TSIG on one BIND: the packets of one GSS add and
the wall time of an add, median of RUNS each. The KDC and the BIND of
tests/system/test_gss.py (servers/kdc.py), the BIND also granting an
hmac-sha256 key the same name. Prints numbers, asserts nothing. As root
in a network namespace of its own:

    ACME_NSUPDATE_BIN=./acme-nsupdate unshare --net sh -c \\
        'ip link set lo up && exec /usr/bin/python3 tests/bench/gss.py'
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "system"))

from servers.common import TsigKey, challenge_value  # noqa: E402
from servers.kdc import AGENT_PRINCIPAL, GSS_ZONE, GssBind, Kdc  # noqa: E402

RUNS = 10
NAME = f"_acme-challenge.bench.{GSS_ZONE}"
KEY = TsigKey.generate("bench-key.", "hmac-sha256")


class BenchBind(GssBind):
    """The GSS BIND, also granting KEY TXT at NAME."""

    def prepare(self):
        super().prepare()
        text = self.conf.read_text()
        text = text.replace("controls { };", "controls { };\n" + KEY.text)
        text = text.replace("update-policy {",
                            f"update-policy {{\n\t\tgrant {KEY.name} name {NAME} TXT;")
        self.conf.write_text(text)


def config(work, kind, kdc):
    lines = ["[defaults]", "resolver = 127.0.0.41", "", f"[zone {GSS_ZONE[:-1]}]",
             "server = ns.gss.test"]
    if kind == "gss":
        lines += ["gss_tsig = yes", f"keytab = {kdc.keytabs[AGENT_PRINCIPAL]}",
                  f"principal = {AGENT_PRINCIPAL}"]
    else:
        key_file = work / "bench.key"
        key_file.write_text(KEY.text)
        key_file.chmod(0o600)
        lines.append(f"key_file = {key_file}")
    path = work / f"{kind}.ini"
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return path


def run(agent, conf, env, *args):
    start = time.monotonic()
    done = subprocess.run([agent, "-c", str(conf), *args], env=env,
                          capture_output=True, text=True, timeout=60)
    seconds = time.monotonic() - start
    if done.returncode != 0:
        sys.exit(f"bench: {' '.join(args)}: exit {done.returncode}\n{done.stderr}")
    return seconds, done.stderr


def main():
    agent = os.environ["ACME_NSUPDATE_BIN"]
    work = Path(tempfile.mkdtemp(prefix="acme-nsupdate-gss-bench-"))
    kdc = Kdc("127.0.0.40")
    bind = BenchBind("127.0.0.41", kdc, [AGENT_PRINCIPAL], [NAME])
    try:
        kdc.start()
        bind.start()
        env = kdc.env()
        confs = {kind: config(work, kind, kdc) for kind in ("hmac", "gss")}

        # The packets of one GSS add, as tcpdump sees them on lo.
        pcap = work / "gss.pcap"
        dump = subprocess.Popen(["tcpdump", "-i", "lo", "-n", "-U", "--immediate-mode", "-w", str(pcap),
                                 "port 53 or port 88"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)     # tcpdump has no readiness signal
        value = challenge_value("packets")
        _, log = run(agent, confs["gss"], env, "-v", "add", NAME, value)
        time.sleep(1.0)
        dump.send_signal(2)     # SIGINT: tcpdump flushes and exits
        dump.wait(timeout=10)
        run(agent, confs["gss"], env, "remove", NAME, value)
        print("-v of one GSS add:")
        print("".join(f"  {line}\n" for line in log.splitlines()))
        text = subprocess.run(["tcpdump", "-n", "-r", str(pcap), "-tt"], capture_output=True,
                              text=True, timeout=30).stdout
        print("packets of one GSS add (tcpdump -n):")
        print("".join(f"  {line}\n" for line in text.splitlines()))

        for kind in ("hmac", "gss"):
            times = []
            for i in range(RUNS):
                value = challenge_value(f"{kind} {i}")
                seconds, _ = run(agent, confs[kind], env, "add", NAME, value)
                times.append(seconds)
                run(agent, confs[kind], env, "remove", NAME, value)
            print(f"{kind}: add, median of {RUNS}: {statistics.median(times) * 1000:.1f} ms "
                  f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f})")
    finally:
        bind.stop()
        kdc.stop()
        bind.cleanup()
        kdc.cleanup()


if __name__ == "__main__":
    main()
