/**
 * Errors of the consumer library. Each one says which token source it is about and what to do, and
 * none of them ever contains a token value: stored values are never quoted, only described.
 *
 * Catch them by class (`instanceof StaleTokenError`) or by the stable `code` constants.
 */

export const TOKEN_SOURCE_INVALID = 'TOKEN_SOURCE_INVALID';
export const TOKEN_NOT_FOUND = 'TOKEN_NOT_FOUND';
export const TOKEN_MALFORMED = 'TOKEN_MALFORMED';
export const TOKEN_STALE = 'TOKEN_STALE';
export const TOKEN_READ_FAILED = 'TOKEN_READ_FAILED';

export type TokenReaderErrorCode =
  | typeof TOKEN_SOURCE_INVALID
  | typeof TOKEN_NOT_FOUND
  | typeof TOKEN_MALFORMED
  | typeof TOKEN_STALE
  | typeof TOKEN_READ_FAILED;

/** Where the reader's errors point operators when the refresher itself is failing. */
const STALE_HELP = 'see "When the token is stale" in docs/consumers.md';

/** Base class of every error the consumer library throws on purpose. */
export class TokenReaderError extends Error {
  readonly code: TokenReaderErrorCode;
  /** The token source the error is about (`ssm:/…`, `secretsmanager:arn:…`, `file:…`), if one was given. */
  readonly tokenSource: string | undefined;

  constructor(message: string, options: { code: TokenReaderErrorCode; tokenSource?: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.tokenSource = options.tokenSource;
  }
}

/** Thrown when a token source string is missing or is not `secretsmanager:…`, `ssm:…` or `file:…`. */
export class TokenSourceError extends TokenReaderError {
  constructor(problem: string) {
    super(
      `token-refresher: ${problem}. Expected "secretsmanager:<secret ARN or name>", "ssm:<parameter name>" or "file:<path>", as in the refresher's tokenSource (its <Id>TokenSource stack output).`,
      { code: TOKEN_SOURCE_INVALID },
    );
  }
}

/**
 * Thrown when the secret, parameter or file does not exist or holds no value. A secret the stack
 * created answers like a missing one until the refresher writes its first token.
 */
export class TokenNotFoundError extends TokenReaderError {
  constructor(tokenSource: string, what: string, options: { cause?: unknown } = {}) {
    super(
      `token-refresher: no token at ${tokenSource}: ${what}. The refresher has not published a token yet, or the name is wrong.`,
      { code: TOKEN_NOT_FOUND, tokenSource, cause: options.cause },
    );
  }
}

/** Thrown when the stored value is not the published-token JSON. The value itself is never quoted. */
export class TokenMalformedError extends TokenReaderError {
  constructor(tokenSource: string, problem: string) {
    super(
      `token-refresher: the value at ${tokenSource} is not a published token (${problem}). Does the token source name the refresher's token, not its credentials or another secret?`,
      { code: TOKEN_MALFORMED, tokenSource },
    );
  }
}

/**
 * Thrown when the stored token has `skewSeconds` or less left: the refresher should have replaced it
 * long before, so it is failing. The reader never hands out such a token.
 */
export class StaleTokenError extends TokenReaderError {
  /** When the stored token expires. */
  readonly expiresAt: Date;
  /** When it became unusable for this reader: `expiresAt` minus the skew. */
  readonly staleSince: Date;
  /** The provider id written in the token. */
  readonly provider: string;

  constructor(
    tokenSource: string,
    details: {
      provider: string;
      expiresAt: Date;
      staleSince: Date;
      /** By the refresher's clock when this one proved to be `clockBehindSeconds` behind it. */
      now: Date;
      clockBehindSeconds?: number;
    },
  ) {
    const behind = details.clockBehindSeconds ?? 0;
    const left = Math.round((details.expiresAt.getTime() - details.now.getTime()) / 1000);
    const expiry =
      left > 0
        ? `expires at ${details.expiresAt.toISOString()} (${left} s left)`
        : `expired at ${details.expiresAt.toISOString()}`;
    const why =
      behind > 0
        ? `This machine's clock is at least ${behind} s behind the refresher's (the token's issued_at lies in its future), so times above are by the refresher's clock: fix this machine's time sync (NTP), and if the token still goes stale, ${STALE_HELP}.`
        : `The refresher is failing to renew it: check its alarms and logs, ${STALE_HELP}.`;
    super(
      `token-refresher: the token of provider "${details.provider}" at ${tokenSource} is stale since ${details.staleSince.toISOString()}: it ${expiry}. ${why}`,
      { code: TOKEN_STALE, tokenSource },
    );
    this.expiresAt = details.expiresAt;
    this.staleSince = details.staleSince;
    this.provider = details.provider;
  }
}

/**
 * Thrown when the store could not be read for another reason (access denied, KMS, network, or
 * throttling that outlasted the retries). `cause` is the last AWS SDK or file-system error.
 */
export class TokenReadError extends TokenReaderError {
  /** The AWS error name (`AccessDeniedException`, `ThrottlingException`, …) or the Node.js error code for `file:` sources. */
  readonly errorName: string;
  /** How many reads were attempted. */
  readonly attempts: number;

  constructor(tokenSource: string, details: { errorName: string; detail: string; attempts: number; cause: unknown }) {
    const tries = details.attempts === 1 ? '' : ` after ${details.attempts} attempts`;
    super(`token-refresher: reading ${tokenSource} failed${tries}: ${details.errorName}${details.detail}`, {
      code: TOKEN_READ_FAILED,
      tokenSource,
      cause: details.cause,
    });
    this.errorName = details.errorName;
    this.attempts = details.attempts;
  }
}
