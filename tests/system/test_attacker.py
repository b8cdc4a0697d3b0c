# SPDX-License-Identifier: ISC
"""The agent tried as an attacker would: what a client hands back is only a
hint (certbot's CERTBOT_AUTH_OUTPUT), two certbot runs at once keep their
batches apart, an add that the primary answers NOERROR to but does not
serve is taken back, and control characters from the environment, the
config and DNS data never start a line of their own."""

import json
import os
import subprocess
import sys
import time

import pytest

from conftest import Result
from servers.common import ACME_KEY, challenge_name, txt_update

HINT = challenge_name("hint")
VICTIM = challenge_name("a")            # holds an unrelated TXT too


def certbot_env(tmp_path, **values):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CERTBOT_") and k != "ACME_NSUPDATE_CONFIG"}
    env["XDG_RUNTIME_DIR"] = str(tmp_path)
    env.update(values)
    return env


def run_hook(agent, config, command, env, *options):
    argv = [agent.path, "-c", str(config), *options, command]
    start = time.monotonic()
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                          env=env, stdin=subprocess.DEVNULL)
    return agent._checked(Result(argv, done, time.monotonic() - start))


# --- certbot's auth output is a hint ----------------------------------------

FORGED = {
    "apex": "example.test.",
    "wildcard": "*.example.test.",
    "unrelated-name": VICTIM,
    "at": "@",
    "control-character": "x\x01y.example.test.",
}


@pytest.mark.parametrize("forged", FORGED.values(), ids=FORGED.keys())
def test_certbot_cleanup_refuses_a_hint_the_chain_does_not_give(
        bind_server, agent, keys, value, tmp_path, forged):
    token = value("token")
    config = agent.config(bind_server)
    agent.ok(config, "add", HINT, token)
    # The same value elsewhere in the zone: what a forged hint would delete.
    assert bind_server.update(txt_update(keys[ACME_KEY], VICTIM, token)) == "NOERROR"
    try:
        done = run_hook(agent, config, "certbot-cleanup", certbot_env(
            tmp_path, CERTBOT_DOMAIN="hint.example.test", CERTBOT_VALIDATION=token,
            CERTBOT_AUTH_OUTPUT=f"acme-nsupdate {HINT} {forged} example.test."))
        assert done.returncode == 1, str(done)
        done.says("CERTBOT_AUTH_OUTPUT", "not touching")
        assert "\x01" not in done.stderr, str(done)
        if "\x01" in forged:
            assert "\\001" in done.stderr, str(done)
        assert token in bind_server.txt(VICTIM)
        assert token in bind_server.txt(HINT)
    finally:
        bind_server.update(txt_update(keys[ACME_KEY], VICTIM, token, delete=True))
        agent.ok(config, "remove", HINT, token)
    assert token not in bind_server.txt(HINT) | bind_server.txt(VICTIM)


def test_certbot_cleanup_uses_a_hint_the_chain_agrees_with(bind_server, agent,
                                                           value, tmp_path):
    token = value("token")
    config = agent.config(bind_server)
    agent.ok(config, "add", HINT, token)
    done = run_hook(agent, config, "certbot-cleanup", certbot_env(
        tmp_path, CERTBOT_DOMAIN="hint.example.test", CERTBOT_VALIDATION=token,
        CERTBOT_AUTH_OUTPUT=f"acme-nsupdate {HINT} {HINT} example.test."), "-v")
    assert done.returncode == 0, str(done)
    done.says("as the earlier run found it")
    assert token not in bind_server.txt(HINT)


# --- two certbot runs at once ------------------------------------------------

# Stands for certbot: runs each hook call it is handed as its own child, so
# that the calls of one run share a parent and those of two runs do not.
DRIVER = r"""
import json, subprocess, sys
for line in sys.stdin:
    argv, env = json.loads(line)
    done = subprocess.run(argv, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)
    print(json.dumps([done.returncode, done.stdout, done.stderr]), flush=True)
"""


class FakeCertbot:
    def __init__(self, agent, config, tmp_path):
        self.agent, self.config, self.tmp_path = agent, config, tmp_path
        self.proc = subprocess.Popen([sys.executable, "-c", DRIVER], text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def auth(self, domain, token, remaining):
        env = certbot_env(self.tmp_path, CERTBOT_DOMAIN=domain,
                          CERTBOT_VALIDATION=token,
                          CERTBOT_REMAINING_CHALLENGES=str(remaining),
                          CERTBOT_ALL_DOMAINS="*.cbx.example.test,cbx.example.test")
        argv = [self.agent.path, "-c", str(self.config), "certbot-auth"]
        self.proc.stdin.write(json.dumps([argv, env]) + "\n")
        self.proc.stdin.flush()
        code, stdout, stderr = json.loads(self.proc.stdout.readline())
        done = subprocess.CompletedProcess(argv, code, stdout, stderr)
        return self.agent._checked(Result(argv, done, 0.0))

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def test_two_certbot_runs_for_the_same_names_keep_their_values_apart(
        bind_server, agent, value, tmp_path):
    name = challenge_name("cbx")
    config = agent.config(bind_server)
    first, second = FakeCertbot(agent, config, tmp_path), FakeCertbot(agent, config, tmp_path)
    a1, a2, b1, b2 = (value(t) for t in ("a1", "a2", "b1", "b2"))
    try:
        assert first.auth("*.cbx.example.test", a1, 1).returncode == 0
        assert second.auth("*.cbx.example.test", b1, 1).returncode == 0
        done = first.auth("cbx.example.test", a2, 0)
        assert done.returncode == 0, str(done)
        # The first run's batch holds its own two values, not the second's.
        assert bind_server.txt(name) == {a1, a2}
        done = second.auth("cbx.example.test", b2, 0)
        assert done.returncode == 0, str(done)
        assert bind_server.txt(name) == {a1, a2, b1, b2}
    finally:
        first.close()
        second.close()
        agent.ok(config, "remove", name, a1, name, a2, name, b1, name, b2)
    assert bind_server.txt(name) == set()


# --- an add the primary does not apply is taken back -------------------------

def test_add_answered_but_not_served_is_removed_again(bind_server, agent, keys,
                                                      value, hostile):
    # BIND applies the UPDATE; the primary's address (the hostile proxy)
    # then hides the value from the confirming query: "not applied". The
    # add must take back what it wrote.
    from servers import HOSTILE

    hostile("hide-after-update", "txt")
    token = value("token")
    key = keys[ACME_KEY]
    agent.secrets.add(key.secret)
    config = agent.write_config(
        f"[defaults]\nresolver = {bind_server.address}\ntimeout = 5\n"
        f"[zone example.test]\nserver = {HOSTILE}\nkey_file = {agent.key_file(key)}\n",
        name="hide.ini")
    result = agent.fails(config, "add", challenge_name("hostile"), token)
    result.says("answered NOERROR", "does not serve the value",
                "removed the values added by this run again")
    assert result.seconds <= 6, str(result)
    assert token not in bind_server.txt(challenge_name("hostile"))


# --- control characters ------------------------------------------------------

def test_newline_in_certbot_domain_is_escaped(agent, tmp_path):
    done = run_hook(agent, tmp_path / "missing.ini", "certbot-auth", certbot_env(
        tmp_path, CERTBOT_DOMAIN="x.example.test\nacme-nsupdate: forged line",
        CERTBOT_VALIDATION="gfj9Xq-yRNH5j8Rb3h0dN4Ej7vhXkRYdu5MsQJ9SJ8w"))
    assert done.returncode == 2, str(done)
    assert done.stderr.count("\n") == 1, str(done)
    assert "\\010acme-nsupdate: forged line" in done.stderr, str(done)


def test_control_character_in_a_config_value_is_escaped(agent, keys):
    # A config line cannot hold a newline, but a carriage return it can.
    key_file = agent.key_file(keys[ACME_KEY])
    config = agent.write_config(
        "[defaults]\n"
        "resolver = 127.0.0.11\racme-nsupdate:forged-line\n"
        "[zone example.test]\n"
        f"key_file = {key_file}\n")
    result = agent.fails(config, "add", HINT, "x" * 43, status=2)
    assert "\r" not in result.stderr, str(result)
    assert "\\013acme-nsupdate:forged-line" in result.stderr, str(result)
    assert all(line.startswith("acme-nsupdate: ")
               for line in result.stderr.splitlines()), str(result)
