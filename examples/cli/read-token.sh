#!/usr/bin/env bash
# Prints the access token published by token-refresher, for scripts and curl:
#
#   export TOKEN_SOURCE=ssm:/token-refresher/nagra/token
#   t="$(./read-token.sh)" && curl -H @- https://api.example.com/v1/items <<<"Authorization: Bearer $t"
#
# curl reads the header from stdin (-H @-): on its command line the token would show in `ps`. And
# the `&&` stops an empty token: `set -e` ignores a failed $(…) inside another command's arguments.
#
# Fails (exit 1, message on stderr, nothing on stdout) when the stored token has less than
# SKEW_SECONDS (default 60) left, so a script never sends a token that expires under it.
# Needs the AWS CLI and python3 (no jq). Never cache its output for longer than the token lives.
set -euo pipefail

source="${1:-${TOKEN_SOURCE:-}}"
skew="${SKEW_SECONDS:-60}"
# A secret or parameter given by ARN lives in the ARN's region, whatever the CLI's default region is.
id="${source#*:}"
region=""
case "$id" in arn:*:*:*:*) rest="${id#arn:*:*:}"; region="${rest%%:*}" ;; esac

case "$source" in
  secretsmanager:?*)
    value="$(aws secretsmanager get-secret-value ${region:+--region "$region"} --secret-id "$id" \
      --query SecretString --output text)" ;;
  ssm:?*)
    value="$(aws ssm get-parameter ${region:+--region "$region"} --name "$id" --with-decryption \
      --query Parameter.Value --output text)" ;;
  *)
    echo 'read-token.sh: set TOKEN_SOURCE (or pass it) as "secretsmanager:<secret ARN>" or "ssm:<parameter name>"' >&2
    exit 2 ;;
esac

# The value goes through stdin, never argv, so it does not show in the process list.
printf '%s' "$value" | SOURCE="$source" SKEW="$skew" python3 -c '
import json, os, sys, time
source, skew = os.environ["SOURCE"], int(os.environ["SKEW"])
try:
    token = json.load(sys.stdin)
    access_token, expires_at = token["access_token"], int(token["expires_at"])
except (ValueError, KeyError, TypeError):
    sys.exit(f"read-token.sh: the value at {source} is not a published token")
left = expires_at - int(time.time())
if left <= skew:
    stale_since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires_at - skew))
    sys.exit(f"read-token.sh: the token at {source} is stale since {stale_since} ({left} s left): the refresher is failing")
print(access_token)
'
