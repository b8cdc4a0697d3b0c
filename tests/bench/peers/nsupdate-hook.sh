#!/bin/sh
# SPDX-License-Identifier: ISC
# A certbot --manual hook of the kind people write with nsupdate and dig:
# the benchmark's stand-in for the home-made scripts acme-nsupdate replaces
# (tests/bench/peers.py, peer "nsupdate-hook"). Not part of the product.
#
#   certbot certonly --manual --preferred-challenges dns \
#       --manual-auth-hook 'nsupdate-hook.sh auth' \
#       --manual-cleanup-hook 'nsupdate-hook.sh cleanup' -d example.org
#
# NSUPDATE_SERVER   address of the zone's primary (UPDATEs and SOA/NS lookups)
# NSUPDATE_KEY      the TSIG key file (tsig-keygen output), for nsupdate -k
# NSUPDATE_TTL      TTL of the TXT record (default 60)
# NSUPDATE_TRIES    how many times to poll the servers, 0.5 s apart (default 120)
#
# auth: finds the zone (the closest name the primary answers SOA for),
# adds the TXT with nsupdate, then polls every NS of the zone with
# dig +short until each serves the value. cleanup: deletes the value.
# CNAMEs at the challenge name are not followed.
set -eu

mode=${1:?usage: nsupdate-hook.sh auth|cleanup}
server=${NSUPDATE_SERVER:?NSUPDATE_SERVER is not set}
key=${NSUPDATE_KEY:?NSUPDATE_KEY is not set}
ttl=${NSUPDATE_TTL:-60}
tries=${NSUPDATE_TRIES:-120}
name="_acme-challenge.${CERTBOT_DOMAIN:?}."
value=${CERTBOT_VALIDATION:?}

zone=$name
while [ -n "$zone" ]; do
    if dig +norec +noall +answer SOA "$zone" @"$server" | awk '$4 == "SOA" { f = 1 } END { exit !f }'; then
        break
    fi
    zone=${zone#*.}
done
if [ -z "$zone" ]; then
    echo "nsupdate-hook: no zone for $name at $server" >&2
    exit 1
fi

case $mode in
auth) change="update add $name $ttl IN TXT \"$value\"" ;;
cleanup) change="update delete $name IN TXT \"$value\"" ;;
*) echo "nsupdate-hook: unknown mode $mode" >&2; exit 2 ;;
esac

nsupdate -k "$key" <<END
server $server
zone $zone
$change
send
END

[ "$mode" = auth ] || exit 0

nameservers=$(dig +short NS "$zone" @"$server")
if [ -z "$nameservers" ]; then
    echo "nsupdate-hook: no NS for $zone at $server" >&2
    exit 1
fi
i=0
while :; do
    missing=
    for ns in $nameservers; do
        dig +short TXT "$name" @"$ns" | grep -qxF "\"$value\"" || missing="$missing $ns"
    done
    [ -z "$missing" ] && exit 0
    i=$((i + 1))
    if [ "$i" -ge "$tries" ]; then
        echo "nsupdate-hook: $name not served by$missing after $i tries" >&2
        exit 1
    fi
    sleep 0.5
done
