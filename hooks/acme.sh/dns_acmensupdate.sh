#!/usr/bin/env sh
# SPDX-License-Identifier: ISC
# acme.sh dnsapi for acme-nsupdate: acme.sh loads only shell, so this file
# hands the TXT name and value to the binary, which does all the DNS work
# (CNAME following, TSIG-signed RFC 2136 UPDATE, waiting for every
# authoritative server). Install: copy to ~/.acme.sh/dnsapi/, then
#   ACME_NSUPDATE_CONFIG=/etc/acme-nsupdate/acme-nsupdate.ini \
#   acme.sh --issue --dns dns_acmensupdate -d example.org -d '*.example.org'
# Settings (saved by acme.sh for renewals):
#   ACME_NSUPDATE_BIN     the binary (default: acme-nsupdate on PATH)
#   ACME_NSUPDATE_CONFIG  the config file (default: the binary's default)

# Usage: dns_acmensupdate_add _acme-challenge.www.example.org "txtvalue"
dns_acmensupdate_add() {
  _acmensupdate_run present "$1" "$2"
}

# Usage: dns_acmensupdate_rm _acme-challenge.www.example.org "txtvalue"
dns_acmensupdate_rm() {
  _acmensupdate_run cleanup "$1" "$2"
}

_acmensupdate_run() {
  _ans_cmd="$1"
  _ans_name="$2"
  _ans_value="$3"
  _ans_conf

  # acme.sh may pass the name it resolved for an alias mode: used as given.
  if [ -n "$ACME_NSUPDATE_CONFIG" ]; then
    ACME_NSUPDATE_CONFIG="$ACME_NSUPDATE_CONFIG" \
      "$ACME_NSUPDATE_BIN" "$_ans_cmd" "$_ans_name" "$_ans_value"
  else
    "$ACME_NSUPDATE_BIN" "$_ans_cmd" "$_ans_name" "$_ans_value"
  fi
  _ans_rc=$?
  if [ "$_ans_rc" -ne 0 ]; then
    _ans_say _err "acme-nsupdate $_ans_cmd $_ans_name failed (exit $_ans_rc); its message above says why"
    return 1
  fi
  return 0
}

# Reads the settings from the environment or acme.sh's saved account
# config, and saves them for renewals when acme.sh provides the helpers.
_ans_conf() {
  if command -v _readaccountconf_mutable >/dev/null 2>&1; then
    [ -n "$ACME_NSUPDATE_BIN" ] || ACME_NSUPDATE_BIN="$(_readaccountconf_mutable ACME_NSUPDATE_BIN)"
    [ -n "$ACME_NSUPDATE_CONFIG" ] || ACME_NSUPDATE_CONFIG="$(_readaccountconf_mutable ACME_NSUPDATE_CONFIG)"
  fi
  [ -n "$ACME_NSUPDATE_BIN" ] || ACME_NSUPDATE_BIN=acme-nsupdate
  if command -v _saveaccountconf_mutable >/dev/null 2>&1; then
    _saveaccountconf_mutable ACME_NSUPDATE_BIN "$ACME_NSUPDATE_BIN"
    [ -z "$ACME_NSUPDATE_CONFIG" ] || _saveaccountconf_mutable ACME_NSUPDATE_CONFIG "$ACME_NSUPDATE_CONFIG"
  fi
}

_ans_say() {
  if command -v "$1" >/dev/null 2>&1; then
    "$1" "$2"
  else
    echo "$2" >&2
  fi
}
