# certbot: acme-nsupdate as the manual DNS hooks.
# certbot-auth runs once per challenge; it sends the updates with the last
# one (CERTBOT_REMAINING_CHALLENGES=0) and returns once every authoritative
# server serves every value. certbot-cleanup removes exactly those values.

# The first certificate (as root; certbot writes the renewal config, see
# certbot-renewal.conf):
certbot certonly --manual --preferred-challenges dns \
    --manual-auth-hook '/usr/local/bin/acme-nsupdate certbot-auth' \
    --manual-cleanup-hook '/usr/local/bin/acme-nsupdate certbot-cleanup' \
    -d example.org -d '*.example.org'

# With a config file elsewhere: -c in the hook commands.
#   --manual-auth-hook '/usr/local/bin/acme-nsupdate -c /etc/acme-nsupdate/example.ini certbot-auth'

# Renewals use the saved hooks (Debian's certbot.timer runs this twice a day):
certbot renew
# Try the whole path against the staging CA without saving anything:
certbot renew --dry-run

# certbot shows a hook's stderr as a warning ("... ran with error output"),
# so certbot-auth and certbot-cleanup print only warnings and errors. `-v`
# before the command word shows each step (chain, zone, update, servers):
#   '/usr/local/bin/acme-nsupdate -v certbot-auth'
