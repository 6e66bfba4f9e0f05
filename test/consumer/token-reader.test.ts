import 'aws-sdk-client-mock-vitest/extend';
import { inspect } from 'node:util';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  StaleTokenError,
  TOKEN_MALFORMED,
  TOKEN_NOT_FOUND,
  TOKEN_READ_FAILED,
  TOKEN_STALE,
  TokenMalformedError,
  TokenNotFoundError,
  TokenReadError,
  TokenReader,
  TokenReaderError,
  type TokenReaderOptions,
} from '../../consumer/index.js';
import {
  MAX_EXPECTED_LIFETIME_SECONDS,
  MAX_LIFETIME_FACTOR,
  type PublishedToken,
} from '../../contract/published-token.js';
import { awsError, FakeClock, publishedToken, recordingSleep, T0 } from './fakes.js';

/** The longest lifetime the refresher publishes: the factor times the longest planned lifetime. */
const MAX_PUBLISHED_LIFETIME_SECONDS = MAX_LIFETIME_FACTOR * MAX_EXPECTED_LIFETIME_SECONDS;

const sm = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);
const PARAMETER = '/token-refresher/nagra/token';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:token-refresher/clickview/token-AbCdEf';
const SSM_SOURCE = `ssm:${PARAMETER}`;
const SM_SOURCE = `secretsmanager:${SECRET_ARN}`;

beforeEach(() => {
  sm.reset();
  ssm.reset();
});

/** A reader on the fake clock with injected clients and a recording sleep. */
function reader(options: Partial<TokenReaderOptions> = {}) {
  const clock = new FakeClock();
  const { sleep, delays } = recordingSleep();
  const instance = new TokenReader({
    tokenSource: SSM_SOURCE,
    ssm: new SSMClient({}),
    secretsManager: new SecretsManagerClient({}),
    clock: clock.now,
    sleep,
    ...options,
  });
  return { reader: instance, clock, delays };
}

const stored = (token: PublishedToken) => ({ Parameter: { Value: JSON.stringify(token) } });

/** Everything a log line could show of an error: message, stack, properties and causes. */
const everything = (error: unknown) => `${String(error)}\n${inspect(error, { depth: 10 })}\n${JSON.stringify(error)}`;

async function rejection(promise: Promise<unknown>): Promise<TokenReaderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TokenReaderError);
  expect(everything(error)).not.toContain('at-secret-value');
  return error as TokenReaderError;
}

describe('Class: TokenReader', () => {
  describe('reading each store', () => {
    it('reads a SecureString parameter with decryption', async () => {
      // Prepare
      ssm.on(GetParameterCommand).resolves(stored(publishedToken()));
      const { reader: r } = reader();
      // Act
      const accessToken = await r.getAccessToken();
      // Assess
      expect(accessToken).toBe('at-secret-value-1');
      expect(ssm).toHaveReceivedCommandExactlyOnceWith(GetParameterCommand, { Name: PARAMETER, WithDecryption: true });
    });

    it('reads a Secrets Manager secret by ARN', async () => {
      // Prepare
      sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(publishedToken()) });
      const { reader: r } = reader({ tokenSource: SM_SOURCE });
      // Act
      const accessToken = await r.getAccessToken();
      // Assess
      expect(accessToken).toBe('at-secret-value-1');
      expect(sm).toHaveReceivedCommandExactlyOnceWith(GetSecretValueCommand, { SecretId: SECRET_ARN });
      expect(ssm).not.toHaveReceivedAnyCommand();
    });

    it('gives each store request an abort signal, so a hung request can be aborted', async () => {
      // Prepare
      sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(publishedToken()) });
      ssm.on(GetParameterCommand).resolves(stored(publishedToken()));
      // Act
      await reader({ tokenSource: SM_SOURCE }).reader.getAccessToken();
      await reader().reader.getAccessToken();
      // Assess
      expect((sm.call(0).args as unknown[])[1]).toEqual({ abortSignal: expect.any(AbortSignal) });
      expect((ssm.call(0).args as unknown[])[1]).toEqual({ abortSignal: expect.any(AbortSignal) });
    });

    it('returns the whole published token, dropping fields a later refresher may add', async () => {
      // Prepare
      const token = publishedToken();
      ssm.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify({ ...token, future: 1 }) } });
      const { reader: r } = reader();
      // Act / Assess
      expect(await r.getToken()).toEqual(token);
    });

    it('creates its own client with SDK retries off, in the region of the secret ARN', async () => {
      // Prepare: no injected client; the class mock catches the reader's own instance
      sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(publishedToken()) });
      const r = new TokenReader({ tokenSource: SM_SOURCE, clock: new FakeClock().now });
      // Act
      await r.getAccessToken();
      // Assess
      const client = sm.call(0).thisValue as SecretsManagerClient;
      expect(await client.config.region()).toBe('eu-west-1');
      expect(await client.config.maxAttempts()).toBe(1);
    });
  });

  describe('caching', () => {
    it('answers from the cache until expires_at − skew, with no store read', async () => {
      // Prepare
      ssm.on(GetParameterCommand).resolves(stored(publishedToken({ lifetimeSeconds: 300 })));
      const { reader: r, clock } = reader();
      await r.getAccessToken();
      // Act: 1 ms before the token has only the 60 s skew left
      clock.nowMs = (T0 + 300 - 60) * 1000 - 1;
      const again = await r.getAccessToken();
      // Assess
      expect(again).toBe('at-secret-value-1');
      expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    });

    it('reads the store again exactly at expires_at − skew and returns the new token', async () => {
      // Prepare
      ssm
        .on(GetParameterCommand)
        .resolvesOnce(stored(publishedToken()))
        .resolves(stored(publishedToken({ access_token: 'at-secret-value-2', issued_at: T0 + 180 })));
      const { reader: r, clock } = reader();
      await r.getAccessToken();
      // Act
      clock.setSeconds(T0 + 300 - 60);
      const renewed = await r.getAccessToken();
      // Assess
      expect(renewed).toBe('at-secret-value-2');
      expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
    });

    it('honours a custom skewSeconds', async () => {
      // Prepare
      ssm.on(GetParameterCommand).resolves(stored(publishedToken()));
      const { reader: r, clock } = reader({ skewSeconds: 10 });
      await r.getAccessToken();
      // Act
      clock.setSeconds(T0 + 289);
      await r.getAccessToken();
      clock.setSeconds(T0 + 290);
      const error = await rejection(r.getAccessToken());
      // Assess
      expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
      expect(error).toBeInstanceOf(StaleTokenError);
    });

    it('hands every caller its own copy of the token, so one caller cannot change it for the others', async () => {
      // Prepare
      ssm.on(GetParameterCommand).resolves(stored(publishedToken()));
      const { reader: r } = reader();
      const [a, b] = await Promise.all([r.getToken(), r.getToken()]);
      // Act: a caller builds a header in place
      a.access_token = `Bearer ${a.access_token}`;
      // Assess
      expect(b.access_token).toBe('at-secret-value-1');
      expect((await r.getToken()).access_token).toBe('at-secret-value-1');
      expect(await r.getAccessToken()).toBe('at-secret-value-1');
    });

    it('shares one store read among concurrent callers', async () => {
      // Prepare: the read stays pending until released
      let release: () => void = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      ssm.on(GetParameterCommand).callsFake(async () => {
        await gate;
        return stored(publishedToken());
      });
      const { reader: r } = reader();
      // Act
      const callers = Array.from({ length: 25 }, () => r.getAccessToken());
      release();
      const tokens = await Promise.all(callers);
      // Assess
      expect(new Set(tokens)).toEqual(new Set(['at-secret-value-1']));
      expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    });
  });

  describe('Method: invalidate', () => {
    it('makes the next call read the store, and returns the token published since', async () => {
      // Prepare
      ssm
        .on(GetParameterCommand)
        .resolvesOnce(stored(publishedToken()))
        .resolves(stored(publishedToken({ access_token: 'at-secret-value-2' })));
      const { reader: r } = reader();
      const rejected = await r.getAccessToken();
      // Act: the API answered 401
      r.invalidate(rejected);
      const next = await r.getAccessToken();
      // Assess
      expect(next).toBe('at-secret-value-2');
      expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
    });

    it('returns the same token once more while it is fresh, without looping (re-read once, then fail the call)', async () => {
      // Prepare: the store still holds the token the API rejected
      ssm.on(GetParameterCommand).resolves(stored(publishedToken()));
      const { reader: r } = reader();
      const rejected = await r.getAccessToken();
      // Act
      r.invalidate(rejected);
      const again = await r.getAccessToken();
      // Assess: exactly one more read; the caller now fails its API call instead of retrying
      expect(again).toBe(rejected);
      expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
    });

    it('throws StaleTokenError when the re-read finds the same token with only the skew left', async () => {
      // Prepare
      ssm.on(GetParameterCommand).resolves(stored(publishedToken()));
      const { reader: r, clock } = reader();
      const rejected = await r.getAccessToken();
      clock.setSeconds(T0 + 241);
      // Act
      r.invalidate(rejected);
      const error = await rejection(r.getAccessToken());
      // Assess
      expect(error).toBeInstanceOf(StaleTokenError);
    });

    it('does nothing when the cache already holds a newer token than the rejected one', async () => {
      // Prepare: two requests got 401 with token 1; the first one's invalidate fetched token 2
      ssm
        .on(GetParameterCommand)
        .resolvesOnce(stored(publishedToken()))
        .resolves(stored(publishedToken({ access_token: 'at-secret-value-2' })));
      const { reader: r } = reader();
      const rejected = await r.getAccessToken();
      r.invalidate(rejected);
      await r.getAccessToken();
      // Act: the second request invalidates the same old token
      r.invalidate(rejected);
      const next = await r.getAccessToken();
      // Assess
      expect(next).toBe('at-secret-value-2');
      expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
    });

    it('keeps a read that started before it from refilling the cache', async () => {
      // Prepare: a slow read of token 1 is in flight
      let release: () => void = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      ssm
        .on(GetParameterCommand)
        .callsFakeOnce(async () => {
          await gate;
          return stored(publishedToken());
        })
        .resolves(stored(publishedToken({ access_token: 'at-secret-value-2' })));
      const { reader: r } = reader();
      const slow = r.getAccessToken();
      // Act
      r.invalidate();
      const fresh = await r.getAccessToken();
      release();
      await slow;
      // Assess: the cache holds the read made after invalidate()
      expect(fresh).toBe('at-secret-value-2');
      expect(await r.getAccessToken()).toBe('at-secret-value-2');
      expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
    });
  });

  describe('stale stored token', () => {
    it('throws StaleTokenError with expiresAt and "stale since", pointing at the refresher', async () => {
      // Prepare: the token has 30 s left, less than the 60 s skew
      ssm.on(GetParameterCommand).resolves(stored(publishedToken()));
      const { reader: r, clock } = reader();
      clock.setSeconds(T0 + 270);
      // Act
      const error = (await rejection(r.getAccessToken())) as StaleTokenError;
      // Assess
      expect(error).toBeInstanceOf(StaleTokenError);
      expect(error.code).toBe(TOKEN_STALE);
      expect(error.tokenSource).toBe(SSM_SOURCE);
      expect(error.expiresAt).toEqual(new Date('2026-01-01T00:05:00Z'));
      expect(error.staleSince).toEqual(new Date('2026-01-01T00:04:00Z'));
      expect(error.message).toBe(
        'token-refresher: the token of provider "nagra" at ssm:/token-refresher/nagra/token is stale since 2026-01-01T00:04:00.000Z: it expires at 2026-01-01T00:05:00.000Z (30 s left). The refresher is failing to renew it: check its alarms and logs, see "When the token is stale" in docs/consumers.md.',
      );
    });

    it('says "expired at" when the stored token has expired', async () => {
      // Prepare
      ssm.on(GetParameterCommand).resolves(stored(publishedToken()));
      const { reader: r, clock } = reader();
      clock.setSeconds(T0 + 3600);
      // Act
      const error = await rejection(r.getAccessToken());
      // Assess
      expect(error.message).toContain('it expired at 2026-01-01T00:05:00.000Z.');
    });

    it('judges a token by the refresher’s clock when issued_at lies in this clock’s future', async () => {
      // Prepare: a 30 s token issued just now by the refresher's clock; this clock is 120 s slow,
      // so by its own reckoning the token would have 150 s left
      ssm.on(GetParameterCommand).resolves(stored(publishedToken({ lifetimeSeconds: 30 })));
      const { reader: r, clock } = reader();
      clock.setSeconds(T0 - 120);
      // Act
      const error = (await rejection(r.getAccessToken())) as StaleTokenError;
      // Assess
      expect(error).toBeInstanceOf(StaleTokenError);
      expect(error.message).toContain('(30 s left)');
      expect(error.message).toContain("This machine's clock is at least 120 s behind the refresher's");
    });

    it('ends the cache earlier by as much as the clock is behind, so no expired token is served', async () => {
      // Prepare: a 300 s token; this clock is 120 s slow
      ssm.on(GetParameterCommand).resolves(stored(publishedToken()));
      const { reader: r, clock } = reader();
      clock.setSeconds(T0 - 120);
      await r.getAccessToken();
      // Act: 241 s later (past the token's 240 s of freshness), while this clock still reads T0 + 121
      clock.setSeconds(T0 + 121);
      const error = await rejection(r.getAccessToken());
      // Assess: the cache had ended and the re-read found the token stale
      expect(error).toBeInstanceOf(StaleTokenError);
      expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
    });

    it('never serves the cached token once it is stale, even when the re-read fails', async () => {
      // Prepare
      ssm.on(GetParameterCommand).resolvesOnce(stored(publishedToken())).rejects(awsError('AccessDeniedException'));
      const { reader: r, clock } = reader();
      await r.getAccessToken();
      clock.setSeconds(T0 + 240);
      // Act
      const error = await rejection(r.getAccessToken());
      // Assess
      expect(error).toBeInstanceOf(TokenReadError);
    });
  });

  describe('throttling and transient failures', () => {
    it.each([
      ['ThrottlingException', 400],
      ['TooManyRequestsException', 400],
      ['InternalServerError', 500],
      ['ServiceUnavailable', 503],
    ])('retries %s with exponential backoff and jitter, then succeeds', async (name, status) => {
      // Prepare
      ssm
        .on(GetParameterCommand)
        .rejectsOnce(awsError(name, status))
        .rejectsOnce(awsError(name, status))
        .resolves(stored(publishedToken()));
      const { reader: r, delays } = reader();
      // Act
      const accessToken = await r.getAccessToken();
      // Assess
      expect(accessToken).toBe('at-secret-value-1');
      expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 3);
      expect(delays).toHaveLength(2);
      expect(delays[0]).toBeGreaterThanOrEqual(50);
      expect(delays[0]).toBeLessThanOrEqual(100);
      expect(delays[1]).toBeGreaterThanOrEqual(100);
      expect(delays[1]).toBeLessThanOrEqual(200);
    });

    it('retries a clock-skew rejection: the SDK corrects its clock from the answer', async () => {
      // Prepare
      ssm
        .on(GetParameterCommand)
        .rejectsOnce(awsError('InvalidSignatureException', 400, 'Signature expired'))
        .resolves(stored(publishedToken()));
      const { reader: r } = reader();
      // Act / Assess
      expect(await r.getAccessToken()).toBe('at-secret-value-1');
      expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
    });

    it('retries throttling of Secrets Manager too', async () => {
      // Prepare
      sm.on(GetSecretValueCommand)
        .rejectsOnce(awsError('ThrottlingException'))
        .resolves({ SecretString: JSON.stringify(publishedToken()) });
      const { reader: r } = reader({ tokenSource: SM_SOURCE });
      // Act / Assess
      expect(await r.getAccessToken()).toBe('at-secret-value-1');
      expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    });

    it('gives up after maxAttempts with a TokenReadError that keeps the AWS error', async () => {
      // Prepare
      const throttled = awsError('ThrottlingException', 400, 'Rate exceeded');
      ssm.on(GetParameterCommand).rejects(throttled);
      const { reader: r, delays } = reader();
      // Act
      const error = (await rejection(r.getAccessToken())) as TokenReadError;
      // Assess
      expect(error).toBeInstanceOf(TokenReadError);
      expect(error.code).toBe(TOKEN_READ_FAILED);
      expect(error.errorName).toBe('ThrottlingException');
      expect(error.attempts).toBe(4);
      expect(error.cause).toBe(throttled);
      expect(error.message).toBe(
        'token-refresher: reading ssm:/token-refresher/nagra/token failed after 4 attempts: ThrottlingException (Rate exceeded)',
      );
      expect(delays).toHaveLength(3);
    });

    it('does not retry access denied, and says how to grant access', async () => {
      // Prepare
      ssm
        .on(GetParameterCommand)
        .rejects(awsError('AccessDeniedException', 400, 'not authorized to perform: ssm:GetParameter'));
      const { reader: r, delays } = reader();
      // Act
      const error = (await rejection(r.getAccessToken())) as TokenReadError;
      // Assess
      expect(error.attempts).toBe(1);
      expect(delays).toEqual([]);
      expect(error.message).toBe(
        'token-refresher: reading ssm:/token-refresher/nagra/token failed: AccessDeniedException (not authorized to perform: ssm:GetParameter). Grant the consumer read access: grantTokenRead, wireLambdaConsumer or wireEcsContainer.',
      );
    });

    it('points at the KMS key when decryption fails', async () => {
      // Prepare
      sm.on(GetSecretValueCommand).rejects(awsError('DecryptionFailure', 400, 'KMS denied'));
      const { reader: r } = reader({ tokenSource: SM_SOURCE });
      // Act
      const error = await rejection(r.getAccessToken());
      // Assess
      expect(error.message).toContain('pass it as `key` to grantTokenRead');
    });
  });

  describe('malformed stored JSON', () => {
    it.each([
      ['not JSON', 'at-secret-value-raw', 'the value is not JSON'],
      ['a raw JWT', 'eyJhbGciOiJIUzI1NiJ9.at-secret-value.sig', 'the value is not JSON'],
      ['a JSON string', JSON.stringify('at-secret-value-x'), 'the value: expected object, got a string'],
      [
        'the credentials secret',
        JSON.stringify({ client_secret: 'at-secret-value-cs' }),
        'access_token: expected string, got nothing; token_type: expected "Bearer"; expires_at: expected number, got nothing',
      ],
      [
        'a wrong token_type',
        JSON.stringify({ ...publishedToken(), token_type: 'at-secret-value-type' }),
        'token_type: expected "Bearer")',
      ],
      [
        'expires_at as a string',
        JSON.stringify({ ...publishedToken(), expires_at: 'at-secret-value-1' }),
        'expires_at: expected number, got a string)',
      ],
      [
        'issued_at in milliseconds',
        JSON.stringify({ ...publishedToken(), issued_at: publishedToken().issued_at * 1000 }),
        'issued_at: expected before expires_at)',
      ],
    ])('names the source and the problem for %s, never the value', async (_, value, problem) => {
      // Prepare
      ssm.on(GetParameterCommand).resolves({ Parameter: { Value: value } });
      const { reader: r } = reader();
      // Act
      const error = await rejection(r.getAccessToken());
      // Assess
      expect(error).toBeInstanceOf(TokenMalformedError);
      expect(error.code).toBe(TOKEN_MALFORMED);
      expect(error.message).toContain(`the value at ${SSM_SOURCE} is not a published token (${problem}`);
    });

    it.each([
      ['expires_at in milliseconds', { expires_at: (T0 + 300) * 1000 }, 'after issued_at'],
      ['both times in milliseconds', { issued_at: T0 * 1000, expires_at: (T0 + 300) * 1000 }, 'from now'],
      [
        'an expires_at a day past the bound',
        { expires_at: T0 + MAX_PUBLISHED_LIFETIME_SECONDS + 86_400 },
        'after issued_at',
      ],
    ])('refuses %s, further ahead than the refresher ever publishes, and keeps its clock', async (_, times, from) => {
      // Prepare
      ssm.on(GetParameterCommand).resolves(stored(publishedToken(times)));
      const { reader: r } = reader();
      // Act
      const error = await rejection(r.getAccessToken());
      // Assess
      expect(error).toBeInstanceOf(TokenMalformedError);
      expect(error.message).toContain(
        `the value at ${SSM_SOURCE} is not a published token (expires_at: expected at most 3660 days ${from} ` +
          '(the longest lifetime the refresher publishes), in epoch seconds (milliseconds?))',
      );
      // and a good token read next is served: no issued_at in milliseconds moved this reader's clock
      ssm.on(GetParameterCommand).resolves(stored(publishedToken()));
      r.invalidate();
      expect(await r.getAccessToken()).toBe('at-secret-value-1');
    });

    it('accepts the longest lifetime the refresher publishes', async () => {
      // Prepare
      ssm.on(GetParameterCommand).resolves(stored(publishedToken({ lifetimeSeconds: MAX_PUBLISHED_LIFETIME_SECONDS })));
      const { reader: r } = reader();
      // Act / Assess
      expect(await r.getAccessToken()).toBe('at-secret-value-1');
    });

    it('reports a binary secret as malformed', async () => {
      // Prepare
      sm.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2]) });
      const { reader: r } = reader({ tokenSource: SM_SOURCE });
      // Act
      const error = await rejection(r.getAccessToken());
      // Assess
      expect(error).toBeInstanceOf(TokenMalformedError);
      expect(error.message).toContain('the secret holds a binary value, not JSON text');
    });
  });

  describe('missing secret or parameter', () => {
    it('names the parameter and says what probably happened', async () => {
      // Prepare
      ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ $metadata: {}, message: '' }));
      const { reader: r } = reader();
      // Act
      const error = await rejection(r.getAccessToken());
      // Assess
      expect(error).toBeInstanceOf(TokenNotFoundError);
      expect(error.code).toBe(TOKEN_NOT_FOUND);
      expect(error.cause).toBeInstanceOf(ParameterNotFound);
      expect(error.message).toBe(
        'token-refresher: no token at ssm:/token-refresher/nagra/token: the parameter does not exist (ParameterNotFound). The refresher has not published a token yet, or the name is wrong.',
      );
    });

    it('names the secret, which answers ResourceNotFoundException also while it has no value', async () => {
      // Prepare
      sm.on(GetSecretValueCommand).rejects(
        new ResourceNotFoundException({ $metadata: {}, message: "Secrets Manager can't find the specified secret." }),
      );
      const { reader: r } = reader({ tokenSource: SM_SOURCE });
      // Act
      const error = await rejection(r.getAccessToken());
      // Assess
      expect(error).toBeInstanceOf(TokenNotFoundError);
      expect(error.message).toBe(
        `token-refresher: no token at ${SM_SOURCE}: the secret does not exist or has no value yet (ResourceNotFoundException). The refresher has not published a token yet, or the name is wrong.`,
      );
    });

    it('treats an empty value as not published', async () => {
      // Prepare
      sm.on(GetSecretValueCommand).resolves({ SecretString: '' });
      const { reader: r } = reader({ tokenSource: SM_SOURCE });
      // Act / Assess
      expect(await rejection(r.getAccessToken())).toBeInstanceOf(TokenNotFoundError);
    });
  });

  describe('failed reads', () => {
    it('answers the same error from memory for failureCacheSeconds instead of reading again', async () => {
      // Prepare
      ssm
        .on(GetParameterCommand)
        .rejectsOnce(new ParameterNotFound({ $metadata: {}, message: '' }))
        .resolves(stored(publishedToken()));
      const { reader: r, clock } = reader();
      const first = await rejection(r.getAccessToken());
      // Act
      clock.advanceSeconds(0.999);
      const second = await rejection(r.getAccessToken());
      clock.advanceSeconds(0.001);
      const accessToken = await r.getAccessToken();
      // Assess
      expect(second).toBe(first);
      expect(accessToken).toBe('at-secret-value-1');
      expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
    });

    it('reads again at once after invalidate()', async () => {
      // Prepare
      ssm
        .on(GetParameterCommand)
        .rejectsOnce(new ParameterNotFound({ $metadata: {}, message: '' }))
        .resolves(stored(publishedToken()));
      const { reader: r } = reader();
      await rejection(r.getAccessToken());
      // Act
      r.invalidate();
      // Assess
      expect(await r.getAccessToken()).toBe('at-secret-value-1');
    });

    it('reads again on every call with failureCacheSeconds 0', async () => {
      // Prepare
      ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ $metadata: {}, message: '' }));
      const { reader: r } = reader({ failureCacheSeconds: 0 });
      // Act
      await rejection(r.getAccessToken());
      await rejection(r.getAccessToken());
      // Assess
      expect(ssm).toHaveReceivedCommandTimes(GetParameterCommand, 2);
    });
  });

  describe('Method: constructor', () => {
    it.each([
      [{ skewSeconds: -1 }, 'TokenReader: skewSeconds must be a finite number of seconds ≥ 0, got -1'],
      [
        { failureCacheSeconds: Number.NaN },
        'TokenReader: failureCacheSeconds must be a finite number of seconds ≥ 0, got NaN',
      ],
      [{ maxAttempts: 0 }, 'TokenReader: maxAttempts must be an integer from 1 to 10, got 0'],
      [{ maxAttempts: 1.5 }, 'TokenReader: maxAttempts must be an integer from 1 to 10, got 1.5'],
      [{ readTimeoutMs: 0 }, 'TokenReader: readTimeoutMs must be a finite number of ms > 0, got 0'],
      [
        { rejectedHoldoffSeconds: -1 },
        'TokenReader: rejectedHoldoffSeconds must be a finite number of seconds ≥ 0, got -1',
      ],
    ])('fails on %o', (options, message) => {
      // Act / Assess
      expect(() => new TokenReader({ tokenSource: SSM_SOURCE, ...options })).toThrow(new RangeError(message));
    });

    it('reads nothing and creates no client until the first call', () => {
      // Act
      const r = new TokenReader({ tokenSource: SM_SOURCE });
      // Assess
      expect(r.tokenSource).toBe(SM_SOURCE);
      expect(r.skewSeconds).toBe(60);
      expect(sm).not.toHaveReceivedAnyCommand();
    });
  });
});
