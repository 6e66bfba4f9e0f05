"""Reads a token published by token-refresher with boto3, the way every consumer should.

The token is cached until it has SKEW_SECONDS left and then read again; a token with less than that
is never returned. A clock that runs behind the refresher's shows as an ``issued_at`` in the future;
from then on the reader counts time from that ``issued_at``, so it never hands out a token past its
real lifetime. Set TOKEN_SOURCE to the refresher's tokenSource (its <Id>TokenSource output):
``secretsmanager:<secret ARN>`` or ``ssm:<parameter name>``.

Run as a script, it prints the provider and how long the token has left, never the token.
"""

import json
import os
import sys
import threading
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

SKEW_SECONDS = 60
# Standard retry mode backs off on throttling; the timeouts keep a hung connection from hanging the caller.
CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=2, read_timeout=5)
FIELDS = ("access_token", "token_type", "expires_at", "issued_at", "provider")
# The longest expires_at - issued_at the refresher publishes: ten times the longest planned lifetime, 366 days.
MAX_LIFETIME_SECONDS = 10 * 366 * 86400


class TokenReaderError(Exception):
    """Base class; messages name the source and never contain the token."""


class TokenNotFoundError(TokenReaderError):
    pass


class TokenMalformedError(TokenReaderError):
    pass


class StaleTokenError(TokenReaderError):
    pass


class TokenReader:
    def __init__(
        self, token_source, skew_seconds=SKEW_SECONDS, clock=time.time, session=None, monotonic=time.monotonic
    ):
        kind, _, ident = token_source.partition(":")
        if kind not in ("secretsmanager", "ssm") or not ident:
            raise TokenReaderError('TOKEN_SOURCE must be "secretsmanager:<secret ARN>" or "ssm:<parameter name>"')
        self._source, self._kind, self._id = token_source, kind, ident
        self._skew, self._clock, self._monotonic = skew_seconds, clock, monotonic
        # The refresher's time as last proved by an issued_at ahead of this clock: (its time, monotonic then).
        self._refresher_time = None
        # A secret ARN names its region; a parameter name uses the session's.
        region = ident.split(":")[3] if ident.startswith("arn:") else None
        self._client = (session or boto3.session.Session()).client(kind, region_name=region, config=CLIENT_CONFIG)
        self._lock = threading.Lock()
        self._cached = None

    def get_access_token(self):
        return self.get_token()["access_token"]

    def get_token(self):
        # One read at a time: threads that find the cache due wait for the read in progress and share it.
        with self._lock:
            if self._cached is not None and self._fresh(self._cached):
                return self._cached
            token = self._read()
            # The refresher stamps issued_at before anyone can read the token: a later one proves this clock is behind.
            if token["issued_at"] > self._now():
                self._refresher_time = (token["issued_at"], self._monotonic())
            if not self._fresh(token):
                stale_since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(token["expires_at"] - self._skew))
                raise StaleTokenError(
                    f"the token at {self._source} is stale since {stale_since} (expires_at {token['expires_at']}): "
                    "the refresher is failing; check its alarms and logs"
                )
            self._cached = token
            return token

    def invalidate(self, rejected_access_token=None):
        """After a 401: read the store once more on the next call (then fail the API call if it 401s again)."""
        with self._lock:
            if rejected_access_token is None or (self._cached or {}).get("access_token") == rejected_access_token:
                self._cached = None

    def _now(self):
        """This clock's time, or the refresher's as last proved and carried forward, whichever is later."""
        if self._refresher_time is None:
            return self._clock()
        at, then = self._refresher_time
        return max(self._clock(), at + self._monotonic() - then)

    def _fresh(self, token):
        return self._now() < token["expires_at"] - self._skew

    def _read(self):
        try:
            if self._kind == "secretsmanager":
                text = self._client.get_secret_value(SecretId=self._id).get("SecretString")
            else:
                text = self._client.get_parameter(Name=self._id, WithDecryption=True)["Parameter"]["Value"]
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code in ("ResourceNotFoundException", "ParameterNotFound"):
                raise TokenNotFoundError(
                    f"no token at {self._source} ({code}): the refresher has not published a token yet, "
                    "or the name is wrong"
                ) from error
            raise
        try:
            token = json.loads(text or "")
        except ValueError:
            raise TokenMalformedError(f"the value at {self._source} is not JSON") from None
        missing = [f for f in FIELDS if not isinstance(token, dict) or f not in token]
        times = [] if missing else [token[f] for f in ("issued_at", "expires_at")]
        # bool is an int in Python. An issued_at at or after expires_at, or an expires_at further from issued_at
        # or from now than the refresher ever publishes (milliseconds?), is no published token.
        if (
            missing
            or any(type(t) is not int for t in times)
            or not times[0] < times[1] <= min(times[0], self._now()) + MAX_LIFETIME_SECONDS
        ):
            bad = missing or ["issued_at", "expires_at"]
            raise TokenMalformedError(f"the value at {self._source} is not a published token (check {bad})")
        return token


def main():
    reader = TokenReader(os.environ.get("TOKEN_SOURCE", ""))
    try:
        token = reader.get_token()
    except TokenReaderError as error:
        print(f"read_token: {error}", file=sys.stderr)
        return 1
    print(json.dumps({"provider": token["provider"], "expires_in_seconds": int(token["expires_at"] - time.time())}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
