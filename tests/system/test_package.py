# SPDX-License-Identifier: ISC
"""The Debian package (contrib/debian, `make deb`), as an admin meets it:
dpkg installs it into a throwaway root, the binary it installed adds and
removes a TXT value at BIND, the state directory is 0700 after install and
after an upgrade, remove keeps the state and purge deletes it.

The throwaway root's dpkg database holds this machine's entries for the
packages the .deb depends on (the installed binary runs with this
machine's libraries), so dpkg checks Depends for real: no --force-depends.
dpkg would run maintainer scripts chrooted into the root, which has no
shell; --force-script-chrootless runs them with this machine's shell and
DPKG_ROOT set, which contrib/debian/postinst and postrm honour."""

import os
import re
import stat
import subprocess

import pytest

from servers.common import REPO, challenge_name

PACKAGE = "acme-nsupdate"
STATE = "var/lib/acme-nsupdate"
# What the package must hold besides the binary, relative to the root.
FILES = (
    "usr/share/man/man1/acme-nsupdate.1.gz",
    "usr/share/man/man5/acme-nsupdate.ini.5.gz",
    "usr/share/doc/acme-nsupdate/examples/acme-nsupdate.ini.example",
    "usr/share/doc/acme-nsupdate/copyright",
    "usr/share/acme-nsupdate/acme.sh/dns_acmensupdate.sh",
    "usr/share/acme-nsupdate/bind/named.conf.in",
    "usr/share/acme-nsupdate/knot/knot.conf.in",
    "usr/share/acme-nsupdate/powerdns/pdns.conf.in",
    "usr/share/acme-nsupdate/examples/certbot.sh",
    "usr/share/acme-nsupdate/examples/persist.sh",
    "usr/share/acme-nsupdate/gss/named.conf.in",
)
# Libraries the binary links: their packages must be in Depends (shlibs).
LIBRARIES = ("libc6", "libldns3", "libinih1", "libssl3", "libjson-c5",
             "libgssapi-krb5-2", "libkrb5-3")


def run(*argv, timeout=120):
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def make(*args):
    """make in the top directory, free of the make that runs the tests
    (check-asan passes SANITIZE and OBJDIR down through MAKEFLAGS)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    done = subprocess.run(["nice", "make", "--no-print-directory", "-s", "-C",
                           str(REPO), *args], capture_output=True, text=True,
                          env=env, timeout=900, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        pytest.fail(f"make {' '.join(args)}: exit {done.returncode}\n"
                    f"{done.stdout}{done.stderr}", pytrace=False)
    return done.stdout


@pytest.fixture(scope="session")
def deb():
    """The .deb of this tree: `make deb` builds it once, and again only when
    a file it is made from has changed. Returns (path, Makefile VERSION)."""
    make("deb")
    version, path = make("--eval", "print-deb: ; @echo $(VERSION) $(DEB)",
                         "print-deb").split()
    path = REPO / path
    assert path.is_file(), f"make deb left no {path}"
    return path, version


def field(deb_path, name):
    done = run("dpkg-deb", "--field", str(deb_path), name)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


class Root:
    """A throwaway root for dpkg --root, its database seeded with this
    machine's entries for the packages the .deb depends on."""

    def __init__(self, path, deb_path):
        self.path = path
        admin = path / "var/lib/dpkg"
        (admin / "info").mkdir(parents=True)
        (admin / "updates").mkdir()
        stanzas = []
        for group in field(deb_path, "Depends").split(","):
            names = [re.sub(r"\(.*\)", "", alt).strip() for alt in group.split("|")]
            installed = [n for n in names
                         if run("dpkg-query", "-W", n).returncode == 0]
            assert installed, f"Depends: {group.strip()}: not installed here"
            status = run("dpkg-query", "-s", installed[0]).stdout
            assert "Status: install ok installed" in status, status
            stanzas.append(status.rstrip("\n") + "\n")
            # An empty file list, so dpkg does not warn that it is missing.
            qualified = run("dpkg-query", "-W", "-f=${binary:Package}",
                            installed[0]).stdout
            (admin / "info" / f"{qualified}.list").touch()
        (admin / "status").write_text("\n".join(stanzas))

    def dpkg(self, *args):
        done = run("dpkg", f"--root={self.path}", "--force-script-chrootless", *args)
        assert done.returncode == 0, \
            f"dpkg {' '.join(args)}: exit {done.returncode}\n{done.stdout}{done.stderr}"
        return done

    def status(self):
        done = run("dpkg", f"--root={self.path}", "--status", PACKAGE)
        found = re.search(r"^Status: (.*)$", done.stdout, re.M)
        return found.group(1) if found else "not known"

    def files(self):
        """Every file outside dpkg's own database, relative to the root."""
        return sorted(str(p.relative_to(self.path)) for p in self.path.rglob("*")
                      if not p.is_dir()
                      and not p.relative_to(self.path).is_relative_to("var/lib/dpkg"))


def mode(path):
    return f"{stat.S_IMODE(path.stat().st_mode):04o}"


def test_metadata_and_contents(deb):
    path, version = deb
    assert field(path, "Package") == PACKAGE
    # The Makefile's VERSION, with at most a Debian revision after it.
    assert re.fullmatch(re.escape(version) + r"([-+~].*)?", field(path, "Version"))
    depends = field(path, "Depends")
    for library in LIBRARIES:
        assert re.search(rf"(^|, ){library}\b", depends), \
            f"Depends lacks {library}: {depends}"

    listing = run("dpkg-deb", "--contents", str(path)).stdout
    entries = {line.split()[-1].removeprefix("./").rstrip("/"): line.split()[:2]
               for line in listing.splitlines()}
    assert entries["usr/bin/acme-nsupdate"] == ["-rwxr-xr-x", "root/root"]
    assert entries[STATE] == ["drwx------", "root/root"]
    for name in FILES:
        assert name in entries, f"{name} not in the package\n{listing}"
    # Nothing of the build or of the tests.
    assert not [n for n in entries if "tests/" in n or n.endswith(".o")]


def test_install_add_remove_upgrade_purge(deb, bind_server, agent, value,
                                          tmp_path, monkeypatch):
    path, version = deb
    root = Root(tmp_path / "root", path)

    root.dpkg("--install", str(path))
    assert root.status() == "install ok installed"
    binary = root.path / "usr/bin/acme-nsupdate"
    state = root.path / STATE
    for name in FILES:
        assert (root.path / name).is_file(), f"{name} not installed"
    assert mode(state) == "0700"
    assert state.stat().st_uid == 0

    done = run(str(binary), "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"acme-nsupdate {version}\n"

    # The installed binary against BIND; its state in the packaged
    # directory (as systemd's StateDirectory= would hand it over).
    monkeypatch.setenv("STATE_DIRECTORY", str(state))
    agent.path = str(binary)
    config = agent.config(bind_server)
    name, token = challenge_name("a"), value("package")
    before = bind_server.txt(name)
    agent.ok(config, "add", name, token)
    assert bind_server.txt(name) == before | {token}
    agent.ok(config, "remove", name, token)
    assert bind_server.txt(name) == before

    # An upgrade finds the directory with other permissions: dpkg leaves it
    # as it is, postinst puts 0700 back.
    state.chmod(0o755)
    root.dpkg("--install", str(path))
    assert root.status() == "install ok installed"
    assert mode(state) == "0700"

    # remove keeps the state (a journal a run left), purge deletes it.
    (state / "journal").mkdir(mode=0o700, exist_ok=True)
    (state / "journal" / "v-left").write_text("left by a run\n")
    root.dpkg("--remove", PACKAGE)
    assert not binary.exists()
    assert (state / "journal" / "v-left").read_text() == "left by a run\n"
    assert root.status() == "deinstall ok config-files"

    root.dpkg("--purge", PACKAGE)
    assert not state.exists()
    assert root.status() == "not known"
    assert root.files() == []
