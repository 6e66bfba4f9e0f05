import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AssertionSigner, SigningError } from '../../../core/ports.js';
import type { ProviderSettings } from '../../../contract/provider-settings.js';
import {
  answer,
  clientCredentialsSettings,
  keycloakSettings,
  makeWorld,
  MemoryCredentials,
  type SentRequest,
  tokenAnswer,
} from './fakes.js';

/**
 * A KMS key as the run sees it (core/ports.ts AssertionSigner): a local P-256 key signs, `version`
 * is what an operator changes by moving to a new key, `fail` makes KMS refuse.
 */
class FakeKmsKey implements AssertionSigner {
  readonly alg = 'ES256';
  readonly keyId = 'kms-kid';
  version = 'arn:aws:kms:eu-west-1:111122223333:key/one';
  fail: SigningError | undefined;
  /** Never answers, ignoring the signal, as a hung SDK call would. */
  hang = false;
  calls = 0;
  private readonly key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  sign(input: Uint8Array): Promise<Uint8Array> {
    this.calls++;
    if (this.hang) return new Promise(() => undefined);
    if (this.fail) return Promise.reject(this.fail);
    return Promise.resolve(new Uint8Array(sign('sha256', input, { key: this.key, dsaEncoding: 'ieee-p1363' })));
  }
}

const kmsClient = (overrides: Partial<ProviderSettings> = {}) =>
  clientCredentialsSettings({ clientAuth: 'private_key_jwt', assertion: { signingKey: 'kms' }, ...overrides });

const invalidClient = () => answer(401, { error: 'invalid_client', error_description: 'bad assertion' });
const assertionOf = (r: SentRequest | undefined) => (r?.auth.method === 'private_key_jwt' ? r.auth.assertion : '');

async function kmsWorld(
  settings: ProviderSettings,
  script: Parameters<typeof makeWorld>[1],
  creds?: MemoryCredentials,
) {
  const w = await makeWorld(settings, script, creds ?? new MemoryCredentials({}));
  const key = new FakeKmsKey();
  const deps = { ...w.deps, signingKey: key };
  const { runRefresh } = await import('../../../core/refresh.js');
  return { ...w, key, run: (force = false) => runRefresh(deps, { force, deadlineMs: w.clock.now() + 50_000 }) };
}

describe('a KMS key signs: the lockout guard keys on the key', () => {
  it('sends nothing from the credentials secret, and never reads it, when the key alone authenticates', async () => {
    const w = await kmsWorld(kmsClient(), () => tokenAnswer());

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'refreshed' });
    expect(w.credentials.reads).toBe(0);
    expect(w.endpoint.requests[0]!.auth.method).toBe('private_key_jwt');
    expect(w.stateStore.state?.workingCredentialsVersion).toBeUndefined();
  });

  it('a rejected assertion is never signed again with that key; another secret does not lift it, a new key does', async () => {
    const w = await kmsWorld(kmsClient(), (req) =>
      assertionOf(req) && w.key.version.endsWith('two') ? tokenAnswer() : invalidClient(),
    );

    const rejected = await w.run();
    w.clock.advance(3600);
    w.credentials.rotate({ unrelated: 'x' });
    const held = await w.run();
    w.key.version = 'arn:aws:kms:eu-west-1:111122223333:key/two';
    w.clock.advance(16 * 60);
    const renewed = await w.run();

    expect(rejected.result).toMatchObject({
      outcome: 'failed',
      error: { kind: 'credentials', code: 'invalid_client' },
    });
    expect(rejected.guardEngaged).toBe(true);
    expect(held.result).toMatchObject({ outcome: 'failed', error: { code: 'lockout_guard' } });
    expect(held.result.error!.description).toContain('signing key "arn:aws:kms:eu-west-1:111122223333:key/one"');
    expect(held.guardEngaged).toBe(true);
    expect(renewed.result).toMatchObject({ outcome: 'refreshed' });
    expect(w.endpoint.requests).toHaveLength(2);
    expect(w.key.calls).toBe(2);
  });

  it('with a password grant, the guard keys on the secret and the key: the same pair is held, either change lifts it', async () => {
    const settings = keycloakSettings({
      clientAuth: 'private_key_jwt',
      useRefreshToken: false,
      assertion: { signingKey: 'kms' },
    });
    const w = await kmsWorld(settings, () => invalidClient(), new MemoryCredentials());

    await w.run();
    w.clock.advance(3600);
    const sameBoth = await w.run();
    w.key.version = 'arn:aws:kms:eu-west-1:111122223333:key/two';
    w.clock.advance(3600);
    const newKey = await w.run();
    w.clock.advance(3600);
    const sameAgain = await w.run();
    w.credentials.rotate({ username: 'alice', password: 'pw-2' });
    w.clock.advance(3600);
    const newSecret = await w.run();

    expect(sameBoth.result.error).toMatchObject({ code: 'lockout_guard' });
    expect(newKey.result.error).toMatchObject({ code: 'invalid_client' });
    expect(sameAgain.result.error).toMatchObject({ code: 'lockout_guard' });
    expect(newSecret.result.error).toMatchObject({ code: 'invalid_client' });
    expect(w.endpoint.requests).toHaveLength(3);
    expect(w.stateStore.state?.guard?.credentialsVersion).toBe('v2 kms:arn:aws:kms:eu-west-1:111122223333:key/two');
  });
});

describe('a signer that cannot sign: classified, nothing sent', () => {
  it('an unusable key is a configuration failure, not thrown, not blocking the next run', async () => {
    const w = await kmsWorld(kmsClient(), () => tokenAnswer());
    w.key.fail = new SigningError('signing_key_unusable', 'KMS key is disabled (DisabledException)');

    const first = await w.run();
    w.clock.advance(60);
    w.key.fail = undefined;
    const second = await w.run();

    expect(first.result).toMatchObject({
      outcome: 'failed',
      error: { kind: 'configuration', code: 'signing_key_unusable' },
    });
    expect(first.result.error!.description).toContain('not sent, KMS key is disabled');
    expect(first.guardEngaged).toBe(false);
    expect(first.attempts).toEqual([]);
    expect(w.stateStore.state?.blocked).toBeUndefined();
    expect(w.stateStore.state?.pendingPrimary).toBeUndefined();
    expect(second.result).toMatchObject({ outcome: 'refreshed' });
    expect(w.endpoint.requests).toHaveLength(1);
  });

  it('an unavailable signer is transient and retried in the run', async () => {
    const w = await kmsWorld(kmsClient(), () => tokenAnswer());
    w.key.fail = new SigningError('signing_unavailable', 'KMS throttled the request (ThrottlingException)');
    const original = w.key.sign.bind(w.key);
    w.key.sign = (input) => {
      const answered = original(input);
      w.key.fail = undefined;
      return answered;
    };

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'refreshed' });
    expect(w.key.calls).toBe(2);
    expect(w.endpoint.requests).toHaveLength(1);
  });

  it('a refresh that cannot be signed keeps the refresh token', async () => {
    const settings = keycloakSettings({ clientAuth: 'private_key_jwt', assertion: { signingKey: 'kms' } });
    const w = await kmsWorld(settings, () => tokenAnswer(), new MemoryCredentials());
    await w.run();
    const chain = w.stateStore.state?.refreshToken;
    w.key.fail = new SigningError('signing_key_unusable', 'KMS key is pending deletion');
    w.clock.advance(300);

    const { result } = await w.run();

    expect(result.error).toMatchObject({ code: 'signing_key_unusable' });
    expect(chain).toBeDefined();
    expect(w.stateStore.state?.refreshToken).toBe(chain);
    expect(w.endpoint.requests).toHaveLength(1);
  });

  it("a signer that never answers is given up within the attempt's time", async () => {
    const w = await kmsWorld(kmsClient({ requestTimeoutSeconds: 1, maxAttempts: 1 }), () => tokenAnswer());
    w.key.hang = true;
    const started = Date.now();

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'failed', error: { kind: 'transient', code: 'signing_unavailable' } });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(w.endpoint.requests).toHaveLength(0);
  });

  it('a KMS setting with no KMS key given is a configuration failure that names the field', async () => {
    const w = await makeWorld(kmsClient(), () => tokenAnswer(), new MemoryCredentials({}));

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'failed', error: { kind: 'configuration', code: 'signing_key_missing' } });
    expect(result.error!.description).toContain('"assertion.signingKey"');
    expect(w.endpoint.requests).toHaveLength(0);
  });
});

describe('a key in the credentials secret', () => {
  it('a key that is no key is a configuration failure that names the secret key and never quotes it', async () => {
    const notAKey = '-----BEGIN PRIVATE KEY-----\nTk9UIEEgS0VZ\n-----END PRIVATE KEY-----';
    const settings = clientCredentialsSettings({
      clientAuth: 'private_key_jwt',
      assertion: { signingKey: 'credentials' },
    });
    const w = await makeWorld(settings, () => tokenAnswer(), new MemoryCredentials({ private_key: notAKey }));

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'failed', error: { kind: 'configuration', code: 'signing_key_unusable' } });
    expect(result.error!.description).toContain('"private_key" is not a PEM private key');
    expect(JSON.stringify(result)).not.toContain('Tk9UIEEgS0VZ');
    expect(w.endpoint.requests).toHaveLength(0);
  });

  it('each attempt, retries included, carries its own assertion', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const settings = clientCredentialsSettings({
      clientAuth: 'private_key_jwt',
      assertion: { signingKey: 'credentials' },
    });
    let n = 0;
    const w = await makeWorld(
      settings,
      () => (n++ < 2 ? answer(503, { error: 'temporarily_unavailable' }) : tokenAnswer()),
      new MemoryCredentials({ private_key: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string }),
    );

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'refreshed' });
    const assertions = w.endpoint.requests.map(assertionOf);
    expect(assertions).toHaveLength(3);
    expect(new Set(assertions).size).toBe(3);
  });
});
