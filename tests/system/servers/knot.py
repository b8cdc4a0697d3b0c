# SPDX-License-Identifier: ISC
"""Knot DNS as the primary: contrib/knot/knot.conf.in rendered as is, plus a
log section so that the server's messages land in the test's log file."""

from .common import CONTRIB, Server, render


class Knot(Server):
    kind = "knot"
    user = "knot"
    # Every ACL denial, whatever its reason, is NOTAUTH + BADKEY.
    answers = {"outside grant": "NOTAUTH/BADKEY", "unsigned": "NOTAUTH",
               "wrong secret": "NOTAUTH/BADSIG", "unknown key": "NOTAUTH/BADKEY"}

    def prepare(self):
        values = self.template_values()
        values["KEY_FILE"] = str(self.dir / "keys.conf")
        (self.dir / "keys.conf").write_text(self.knot_keys())
        (self.dir / "keys.conf").chmod(0o640)
        self.write_zone()
        text = render((CONTRIB / "knot" / "knot.conf.in").read_text(), values)
        text += "\nlog:\n  - target: stderr\n    any: info\n"
        self.conf = self.dir / "knot.conf"
        self.conf.write_text(text)

    def knot_keys(self):
        """The keys as keymgr -t writes them (one key section each)."""
        out = []
        for name in sorted(self.keys):
            key = self.keys[name]
            out.append(f"key:\n  - id: {key.name}\n    algorithm: {key.algorithm}\n"
                       f"    secret: {key.secret}\n")
        return "".join(out)

    def command(self):
        return ["knotd", "-c", str(self.conf)]
