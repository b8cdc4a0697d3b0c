# SPDX-License-Identifier: ISC
"""Secrets: no core dump of the agent while it holds a key, no secret in
anything it prints (at the highest verbosity, through every client) or
writes to its state files. conftest.py checks the output of every agent
run of the suite and, at the end, every state file; these tests make the
runs that would show a leak most, and look right away."""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from conftest import secrets_in_state
from servers.common import ACME_KEY, challenge_name, retry_with_timeout

NOBODY = 65534


def test_no_core_dump_and_no_ptrace_while_a_key_is_loaded(agent, keys, tmp_path,
                                                          silent_address):
    # As another user: a process that is not dumpable has its /proc files
    # owned by root instead of by its own user (proc(5)).
    # Its own directory under /tmp: pytest's are root's alone.
    home = Path(tempfile.mkdtemp(prefix="acme-nsupdate-nobody-"))
    key = keys[ACME_KEY]
    agent.secrets.add(key.secret)
    key_file = home / "acme.key"
    key_file.write_text(key.text)
    config = home / "acme-nsupdate.ini"
    config.write_text(f"[defaults]\nresolver = {silent_address}\ntimeout = 4\n"
                      f"[zone example.test]\nserver = {silent_address}\n"
                      f"key_file = {key_file}\n")
    for path in (home, key_file, config):
        shutil.chown(path, NOBODY, NOBODY)
    key_file.chmod(0o600)
    config.chmod(0o600)
    proc = subprocess.Popen(
        ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
         agent.path, "-c", str(config), "add", challenge_name("silent"), "x" * 43],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={"PATH": os.environ["PATH"], "STATE_DIRECTORY": str(home / "state")})
    try:
        # setpriv execs the agent: the same PID, once its uid is nobody's.
        status = retry_with_timeout(
            lambda: "acme-nsupdate" in (open(f"/proc/{proc.pid}/comm").read())
            and open(f"/proc/{proc.pid}/status").read(), 5, "the agent running")
        assert f"Uid:\t{NOBODY}" in status, status
        time.sleep(0.2)     # past main's first lines
        limits = open(f"/proc/{proc.pid}/limits").read()
        core = next(line for line in limits.splitlines()
                    if line.startswith("Max core file size"))
        assert core.split()[4:6] == ["0", "0"], core
        assert os.stat(f"/proc/{proc.pid}/environ").st_uid == 0, \
            "the agent is dumpable: its /proc files belong to its user"
    finally:
        stdout, stderr = proc.communicate(timeout=30)
        shutil.rmtree(home, ignore_errors=True)
    assert proc.returncode == 1, stderr


def test_no_secret_in_packets_dumps_or_state(bind_server, agent, keys, value,
                                            tmp_path):
    # -vv prints every packet; the inline key is in the config itself; a
    # certbot batch leaves a file in the spool.
    name, token = challenge_name("cb"), value("token")
    config = agent.config(bind_server, keys[ACME_KEY], inline=True)
    agent.ok(config, "-vv", "add", name, token)
    agent.ok(config, "-vv", "remove", name, token)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTBOT_")}
    env.update(STATE_DIRECTORY=str(tmp_path / "state"),
               CERTBOT_DOMAIN="cb.example.test",
               CERTBOT_VALIDATION=token, CERTBOT_REMAINING_CHALLENGES="1",
               CERTBOT_ALL_DOMAINS="cb.example.test,*.cb.example.test")
    done = subprocess.run([agent.path, "-vv", "-c", str(config), "certbot-auth"],
                          capture_output=True, text=True, env=env, timeout=30,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert keys[ACME_KEY].secret not in done.stdout + done.stderr
    assert list((tmp_path / "state").iterdir()), "nothing spooled"
    assert secrets_in_state(tmp_path) == []
    assert bind_server.txt(name) == set()
