# uacme: -h is the binary itself. uacme calls
# `acme-nsupdate begin dns-01 IDENT TOKEN AUTH`; the agent accepts only
# dns-01 (exit 0) and declines http-01 and tls-alpn-01, so uacme picks the
# DNS challenge. `done` and `failed` remove the value again.

# Once: the account (keys and certificates go under /etc/ssl/uacme).
uacme -y new admin@example.org

# Issue, and from cron or a timer renew when less than 30 days are left
# (exit status 1: the certificate is still current, nothing was done):
uacme -h /usr/local/bin/acme-nsupdate issue www.example.org api.example.org

# A config file elsewhere (uacme passes its environment to the hook):
#   ACME_NSUPDATE_CONFIG=/etc/acme-nsupdate/example.ini uacme -h ... issue ...

# uacme validates one authorization at a time. example.org and
# *.example.org share one TXT name: the CA may still have the first value
# cached when it checks the second (README.md). Ask for them in separate
# certificates, or keep `ttl` in acme-nsupdate.ini very small.
