# lego: --dns exec with EXEC_PATH pointing at the binary. lego calls
# `acme-nsupdate present FQDN VALUE` and `cleanup FQDN VALUE`; FQDN is the
# TXT name after lego followed any CNAME, used as given.
export EXEC_PATH=/usr/local/bin/acme-nsupdate
# Seconds between two authorizations (lego's default: 60). The agent's
# updates are safe side by side; the pause only has to outlast the TXT TTL
# a CA's resolver may cache between the two values for example.org and
# *.example.org: keep it longer than `ttl` in acme-nsupdate.ini (10 s
# here, for ttl = 5; with the default ttl = 60 keep lego's 60).
export EXEC_SEQUENCE_INTERVAL=10
# lego waits for "propagation" itself after present; the agent has already
# waited for every authoritative server, so --dns.disable-cp below makes
# lego go on at once. (Without it lego asks the zone's name servers itself
# and waits up to EXEC_PROPAGATION_TIMEOUT, polling every
# EXEC_POLLING_INTERVAL seconds.)
export EXEC_PROPAGATION_TIMEOUT=120 EXEC_POLLING_INTERVAL=2
# A config file elsewhere:
#export ACME_NSUPDATE_CONFIG=/etc/acme-nsupdate/example.ini

lego --email admin@example.org --accept-tos --path /etc/lego \
    --dns exec --dns.disable-cp \
    -d example.org -d '*.example.org' run

# Renewal (from cron or a timer, with the same environment):
lego --email admin@example.org --path /etc/lego \
    --dns exec --dns.disable-cp \
    -d example.org -d '*.example.org' renew --days 30

# EXEC_MODE=RAW: lego calls `present -- DOMAIN TOKEN KEYAUTH` instead, and
# the agent derives the name and the digest (and follows CNAMEs) itself.
#export EXEC_MODE=RAW

# lego follows CNAMEs at _acme-challenge names with the resolvers of
# /etc/resolv.conf; --dns.resolvers 192.0.2.53:53 names others.
