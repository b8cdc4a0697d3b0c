# dehydrated: install as /etc/dehydrated/conf.d/acme-nsupdate.sh (Debian's
# /etc/dehydrated/config reads conf.d/*.sh). HOOK is the binary itself: it
# answers deploy_challenge and clean_challenge and ignores every other hook.
CHALLENGETYPE="dns-01"
HOOK="/usr/local/bin/acme-nsupdate"
# One call with every challenge of a certificate: one UPDATE per zone and
# one wait, instead of one per name.
HOOK_CHAIN="yes"
# A config file elsewhere (dehydrated passes its environment to the hook):
#export ACME_NSUPDATE_CONFIG=/etc/acme-nsupdate/example.ini

# Then, once:
#   dehydrated --register --accept-terms
# /etc/dehydrated/domains.txt, one certificate per line:
#   example.org *.example.org
# and from cron or a timer:
#   dehydrated --cron
