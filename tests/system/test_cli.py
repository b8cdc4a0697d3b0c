# SPDX-License-Identifier: ISC
"""How each ACME client calls the binary: usage errors name that client's
calling convention and exit 2; dehydrated's other hooks and uacme's other
challenge types are declined quietly; certbot's auth hooks of one run are
sent as one UPDATE, and its cleanup uses what the auth hook printed."""

import os
import subprocess

import pytest

from servers.common import UNRELATED_TXT, challenge_name

V = "gfj9Xq-yRNH5j8Rb3h0dN4Ej7vhXkRYdu5MsQJ9SJ8w"

COMMANDS = ["add", "remove", "certbot-auth", "certbot-cleanup", "present",
            "cleanup", "deploy_challenge", "clean_challenge", "begin", "done",
            "failed", "check", "setup"]


def run(agent_path, *args, env=None, config=None):
    argv = [agent_path] + (["-c", str(config)] if config else []) + list(args)
    base = {k: v for k, v in os.environ.items()
            if not k.startswith("CERTBOT_") and k != "ACME_NSUPDATE_CONFIG"}
    base.update(env or {})
    return subprocess.run(argv, capture_output=True, text=True, timeout=30,
                          env=base, stdin=subprocess.DEVNULL)


def test_help_lists_every_command(agent_path):
    done = run(agent_path, "--help")
    assert done.returncode == 0
    for command in COMMANDS:
        assert command in done.stdout, command
    done = run(agent_path, "--version")
    assert done.returncode == 0 and done.stdout.startswith("acme-nsupdate ")


@pytest.mark.parametrize("args, env, usage", [
    (["add", "example.test"], {}, "acme-nsupdate add NAME VALUE"),
    (["remove"], {}, "acme-nsupdate remove NAME VALUE"),
    (["present", "_acme-challenge.example.test."], {}, "lego --dns exec"),
    (["cleanup", "--", "example.test", "token"], {}, "EXEC_MODE=RAW"),
    (["certbot-auth"], {}, "CERTBOT_DOMAIN is not set"),
    (["certbot-auth"], {"CERTBOT_DOMAIN": "example.test"}, "CERTBOT_VALIDATION"),
    (["certbot-cleanup"], {"CERTBOT_VALIDATION": V}, "CERTBOT_DOMAIN is not set"),
    (["deploy_challenge", "example.test", "token"], {}, "dehydrated HOOK"),
    (["clean_challenge", "a", "t", V, "b"], {}, "dehydrated HOOK"),
    (["begin", "dns-01", "example.test"], {}, "uacme -h"),
    (["frobnicate"], {}, "unknown command"),
    ([], {}, "usage: acme-nsupdate"),
])
def test_bad_invocation_exits_2_with_that_clients_usage(agent_path, args, env, usage):
    done = run(agent_path, *args, env=env)
    assert done.returncode == 2, done
    assert usage in done.stderr, done.stderr


@pytest.mark.parametrize("hook", [
    "startup_hook", "exit_hook", "deploy_cert", "unchanged_cert",
    "invalid_challenge", "request_failure", "generate_csr", "sync_cert",
    "this_hookscript_is_broken__dehydrated_is_working_fine__please_ignore_unknown_hooks_in_your_script",
    # Hooks dehydrated may add later: known by their form, not by a list.
    "some_future_hook", "deploy_cert2", "x_",
])
def test_dehydrated_other_hooks_do_nothing(agent_path, tmp_path, hook):
    # No config exists: the hook must not even read one.
    done = run(agent_path, hook, "a", "b", "c", config=tmp_path / "missing.ini")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


@pytest.mark.parametrize("word", [
    "frobnicate", "Some_Hook", "some-hook", "some_hook!", "_\u00e9_",
])
def test_other_unknown_words_are_usage_errors(agent_path, word):
    done = run(agent_path, "-c", "/nonexistent", word, "a", "b")
    assert done.returncode == 2, done
    assert done.stdout == ""
    assert "unknown command" in done.stderr, done.stderr


def test_future_dehydrated_hook_reads_no_config(agent_path):
    done = run(agent_path, "-c", "/nonexistent", "some_future_hook", "a", "b")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_control_characters_are_escaped(agent_path, tmp_path):
    # A newline in a name must not start a line of its own in the log.
    done = run(agent_path, "add", "a\nacme-nsupdate: forged.example", V,
               config=tmp_path / "missing.ini")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert "a\\010acme-nsupdate: forged.example" in done.stderr, done.stderr


def test_uacme_declines_other_challenge_types_quietly(agent_path, tmp_path):
    done = run(agent_path, "begin", "http-01", "example.test", "tok", "auth",
               config=tmp_path / "missing.ini")
    assert done.returncode == 1 and done.stderr == ""
    done = run(agent_path, "done", "http-01", "example.test", "tok", "auth",
               config=tmp_path / "missing.ini")
    assert done.returncode == 0 and done.stderr == ""


@pytest.mark.parametrize("name, value, says", [
    ("b\u00fccher.example.test", V, "punycode"),
    ("example.test", "x" * 20, "43-character base64url"),
    ("example.test", V + "=", "expected the 43-character"),
    ("a" * 64 + ".example.test", V, "at most 63"),
])
def test_bad_names_and_values(agent_path, tmp_path, name, value, says):
    done = run(agent_path, "add", name, value, config=tmp_path / "missing.ini")
    assert done.returncode == 2 and says in done.stderr, done.stderr


def test_lego_raw_mode_computes_the_digest(bind_server, agent):
    """EXEC_MODE=RAW hands over the key authorization; the TXT value is
    base64url(SHA-256(keyauth)) (RFC 8555 8.4)."""
    import base64
    import hashlib
    config = agent.config(bind_server)
    keyauth = "token123.thumbprint456"
    digest = base64.urlsafe_b64encode(
        hashlib.sha256(keyauth.encode()).digest()).decode().rstrip("=")
    name = challenge_name("cb")
    agent.ok(config, "present", "--", "cb.example.test", "token123", keyauth)
    assert digest in bind_server.txt(name)
    agent.ok(config, "cleanup", "--", "cb.example.test", "token123", keyauth)
    assert digest not in bind_server.txt(name)


def test_certbot_batches_one_run_into_one_update(bind_server, agent, value,
                                                 tmp_path):
    """certbot runs the auth hook once per challenge before answering any:
    the first call only queues, the last sends both values in one UPDATE
    (the serial moves by one) and prints what cleanup needs."""
    config = agent.config(bind_server)
    name = challenge_name("cb")
    base, wild = value("base"), value("wildcard")
    env = {"CERTBOT_ALL_DOMAINS": "*.cb.example.test,cb.example.test",
           "STATE_DIRECTORY": str(tmp_path / "state")}
    serial = bind_server.serial()

    first = run(agent.path, "-v", "certbot-auth", config=config, env=dict(
        env, CERTBOT_DOMAIN="*.cb.example.test", CERTBOT_VALIDATION=wild,
        CERTBOT_REMAINING_CHALLENGES="1"))
    assert first.returncode == 0, first
    assert "queued" in first.stderr and first.stdout == ""
    assert bind_server.txt(name) == set()

    last = run(agent.path, "certbot-auth", config=config, env=dict(
        env, CERTBOT_DOMAIN="cb.example.test", CERTBOT_VALIDATION=base,
        CERTBOT_REMAINING_CHALLENGES="0"))
    assert last.returncode == 0, last
    # certbot shows any stderr of a hook as a warning: quiet unless -v.
    assert last.stderr == "", last.stderr
    assert bind_server.txt(name) == {base, wild}
    assert bind_server.serial() == serial + 1
    assert f"acme-nsupdate {name} {name} example.test." in last.stdout

    # Cleanup: the first challenge's auth output was empty (it only
    # queued), so it resolves again; the last one's reuses the result.
    for domain, val, output in (("*.cb.example.test", wild, first.stdout),
                                ("cb.example.test", base, last.stdout)):
        done = run(agent.path, "-v", "certbot-cleanup", config=config, env=dict(
            env, CERTBOT_DOMAIN=domain, CERTBOT_VALIDATION=val,
            CERTBOT_REMAINING_CHALLENGES="0", CERTBOT_AUTH_OUTPUT=output.strip()))
        assert done.returncode == 0, done
    assert "as the earlier run found it" in done.stderr
    assert bind_server.txt(name) == set()


def test_setup_prints_cnames_key_and_grants(agent_path, tmp_path):
    done = run(agent_path, "setup", "--alias", "acme.example.net",
               "example.org", "*.example.org", config=tmp_path / "none.ini")
    assert done.returncode == 0, done
    out = done.stdout
    assert "tsig-keygen -a hmac-sha256 acme-key." in out
    # The wildcard and its base share one CNAME.
    assert out.count("_acme-challenge.example.org.\tIN CNAME\t"
                     "example.org.acme.example.net.") == 1
    assert "[zone acme.example.net]" in out
    assert "grant acme-key. zonesub TXT;" in out
    assert "update-type: TXT" in out


def test_setup_looks_up_where_challenges_land(bind_server, agent):
    config = agent.config(bind_server)
    done = run(agent.path, "setup", "a.example.test", config=config)
    assert done.returncode == 0, done
    name = challenge_name("a")
    assert f"grant acme-key. name {name} TXT;" in done.stdout
    assert "[zone example.test]" in done.stdout


def test_check_reports_without_changing(bind_server, agent):
    # The primary is also the resolver here: the CAA climb meets REFUSED
    # above the zone (exit 1); key and grant are proved all the same.
    config = agent.config(bind_server)
    serial = bind_server.serial()
    done = agent.run(config, "check", "a.example.test")
    assert done.returncode == 1, done
    name = challenge_name("a")
    assert f"ok key a.example.test key acme-key: hmac-sha256, accepted by " \
        f"{bind_server.address} port 53" in done.stdout, done
    assert f"ok grant a.example.test {name.rstrip('.')}: key acme-key may " \
        "write TXT here" in done.stdout, done
    assert "ok txt a.example.test" in done.stdout, done
    assert bind_server.serial() == serial
    assert bind_server.txt(name) == {UNRELATED_TXT}
