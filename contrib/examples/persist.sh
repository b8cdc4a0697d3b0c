# dns-persist-01 (draft-ietf-acme-dns-persist): one standing TXT record at
# _validation-persist.DOMAIN names the CA and the ACME account that may get
# certificates for DOMAIN; the client then orders without touching DNS.
# acme-nsupdate writes that record once, through the same CNAME chain,
# zone, key and propagation wait as a challenge (grant the key TXT at the
# _validation-persist name, as for _acme-challenge names).
#
# 1. The account URI: the client prints or stores it when it registers
#    (lego: accounts/<server>/<email>/account.json, "uri"; acme.sh:
#    ACCOUNT_URL in ca/<server>/ca.conf; dehydrated: --account-id-... /
#    accounts/<hash>/registration_info.json). The issuer is the CA's name
#    in its CAA identities (Let's Encrypt: letsencrypt.org).
ACCOUNT=https://acme-v02.api.letsencrypt.org/acme/acct/123456789

# 2. The record, for example.org and (policy=wildcard) its subdomains and
#    *.example.org; valid for new validations until the date given, and
#    reusable by the CA for at most its TTL (default 86400 s).
acme-nsupdate persist '*.example.org' --issuer letsencrypt.org \
    --account-uri "$ACCOUNT" --until "$(date -d '+90 days' +%s)"

# 3. The client, with its dns-persist-01 support (lego, acme.sh and
#    dehydrated have it, each behind its own option while the draft is a
#    draft: see its documentation), orders as usual; no DNS hook runs.
#    On renewal the record is still there; refresh --until before it
#    passes (`acme-nsupdate check example.org` warns when it has).

# A second CA or account beside it: another record, the first untouched.
#acme-nsupdate persist example.org --issuer other-ca.example --account-uri URI

# Withdraw one account's record, or every record of the issuer:
#acme-nsupdate persist --remove example.org --issuer letsencrypt.org --account-uri "$ACCOUNT"
#acme-nsupdate persist --remove --wait example.org --issuer letsencrypt.org
