# lego: --dns exec with EXEC_PATH pointing at the binary. lego calls
# `acme-nsupdate present FQDN VALUE` and `cleanup FQDN VALUE`; FQDN is the
# TXT name after lego followed any CNAME, used as given.
export EXEC_PATH=/usr/local/bin/acme-nsupdate
# Seconds between two authorizations (lego's default: 60). The pause is
# not needed: the agent's updates are safe side by side, and when lego
# removes the value for example.org and then adds the one for
# *.example.org at the same name, `present` itself waits until a CA's
# resolver can no longer hold the first answer (its TTL, `ttl` in
# acme-nsupdate.ini), and only then.
export EXEC_SEQUENCE_INTERVAL=0
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
