# SPDX-License-Identifier: ISC
"""BIND 9 as the primary: contrib/bind/named.conf.in rendered as is."""

from .common import CONTRIB, Server, render_file


class Bind(Server):
    kind = "bind"
    user = "bind"
    answers = {"outside grant": "REFUSED", "unsigned": "REFUSED",
               "wrong secret": "NOTAUTH/BADSIG", "unknown key": "NOTAUTH/BADKEY"}

    def prepare(self):
        values = self.template_values()
        values["KEY_FILE"] = str(self.write_keys())
        self.write_zone()
        self.conf = render_file(CONTRIB / "bind" / "named.conf.in",
                                self.dir / "named.conf", values)

    def write_keys(self):
        """keys.conf: tsig-keygen output, one key statement per key."""
        path = self.dir / "keys.conf"
        path.write_text("".join(self.keys[name].text for name in sorted(self.keys)))
        path.chmod(0o640)
        return path

    def command(self):
        # -g: foreground, log to stderr (our log file); -u: drop to bind.
        return ["named", "-g", "-u", self.user, "-c", str(self.conf)]
