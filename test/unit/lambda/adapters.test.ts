import 'aws-sdk-client-mock-vitest/extend';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ParameterStateStore } from '../../../lambda/adapters/parameter-state-store.js';
import { ParameterStoreTokenStore } from '../../../lambda/adapters/parameter-store-token-store.js';
import { SecretsManagerCredentials } from '../../../lambda/adapters/secrets-manager-credentials.js';
import { SecretsManagerTokenStore } from '../../../lambda/adapters/secrets-manager-token-store.js';
import { CredentialsUnavailableError } from '../../../core/ports.js';
import { RecordingLog } from './fakes.js';

const sm = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);
const token = {
  access_token: 'at-1234',
  token_type: 'Bearer' as const,
  expires_at: 2000,
  issued_at: 1700,
  provider: 'p',
};
const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:token-refresher/p/token-AbCdEf';

beforeEach(() => {
  sm.reset();
  ssm.reset();
});

/** The stage's own token secret, as DescribeSecret and GetResourcePolicy show it: AWS-managed key, no policy. */
function ownTokenSecret(arn = secretArn) {
  sm.on(DescribeSecretCommand).resolves({ ARN: arn, Name: 'token-refresher/p/token' });
  sm.on(GetResourcePolicyCommand).resolves({ ARN: arn, Name: 'token-refresher/p/token' });
}

describe('SecretsManagerTokenStore', () => {
  it('reads by name, writes by the ARN of the secret it checked, and reads by that ARN from then on', async () => {
    ownTokenSecret();
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(token) });
    sm.on(PutSecretValueCommand).resolves({ VersionId: 'v2' });
    const name = 'token-refresher/p/token';
    const store = new SecretsManagerTokenStore(new SecretsManagerClient({}), name, new RecordingLog());

    const read = await store.read();
    await store.write({ ...token, access_token: 'at-5678' });
    await store.read();

    expect(read).toEqual(token);
    expect(sm).toHaveReceivedCommandWith(PutSecretValueCommand, {
      SecretId: secretArn,
      SecretString: JSON.stringify({ ...token, access_token: 'at-5678' }),
    });
    expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual([name, secretArn]);
  });

  it('reads a secret created without a value as "nothing published yet"', async () => {
    sm.on(GetSecretValueCommand).rejects(
      new ResourceNotFoundException({
        $metadata: {},
        message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
      }),
    );
    const store = new SecretsManagerTokenStore(new SecretsManagerClient({}), secretArn, new RecordingLog());

    expect(await store.read()).toBeUndefined();
  });

  it('reads something that is not a published token as absent, and says so', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'not json' });
    const log = new RecordingLog();
    const store = new SecretsManagerTokenStore(new SecretsManagerClient({}), secretArn, log);

    expect(await store.read()).toBeUndefined();
    expect(log.lines).toMatchObject([{ level: 'warn' }]);
  });

  it('reads a token with its times in milliseconds as absent, so that the next run replaces it', async () => {
    const now = Math.floor(Date.now() / 1000);
    const inMs = { ...token, issued_at: now * 1000, expires_at: (now + 300) * 1000 };
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(inMs) });
    const log = new RecordingLog();
    const store = new SecretsManagerTokenStore(new SecretsManagerClient({}), secretArn, log);

    expect(await store.read()).toBeUndefined();
    expect(log.lines).toMatchObject([{ level: 'warn' }]);
  });

  it('creates the secret on the first write, with the stage key, and writes to it afterwards', async () => {
    const name = 'token-refresher/cv/token';
    const arn = `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-XyZ123`;
    sm.on(DescribeSecretCommand).rejects(new ResourceNotFoundException({ $metadata: {}, message: 'not found' }));
    sm.on(CreateSecretCommand).resolves({ ARN: arn, Name: name });
    sm.on(PutSecretValueCommand).resolves({ VersionId: 'v2' });
    const store = new SecretsManagerTokenStore(new SecretsManagerClient({}), name, new RecordingLog(), {
      keyArn: 'arn:aws:kms:eu-west-1:123456789012:key/k',
    });

    await store.write(token);
    await store.write({ ...token, access_token: 'at-5678' });

    expect(sm).toHaveReceivedCommandTimes(CreateSecretCommand, 1);
    expect(sm).toHaveReceivedCommandWith(CreateSecretCommand, {
      Name: name,
      SecretString: JSON.stringify(token),
      KmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/k',
    });
    expect(sm).toHaveReceivedCommandTimes(PutSecretValueCommand, 1);
    expect(sm).toHaveReceivedCommandWith(PutSecretValueCommand, { SecretId: arn });
  });

  it('writes to the secret another run created meanwhile, once it checked it', async () => {
    ownTokenSecret();
    sm.on(DescribeSecretCommand)
      .rejectsOnce(new ResourceNotFoundException({ $metadata: {}, message: 'not found' }))
      .resolves({ ARN: secretArn, Name: 'token-refresher/p/token' });
    sm.on(PutSecretValueCommand).resolves({ VersionId: 'v2' });
    sm.on(CreateSecretCommand).rejects(Object.assign(new Error('exists'), { name: 'ResourceExistsException' }));
    const store = new SecretsManagerTokenStore(
      new SecretsManagerClient({}),
      'token-refresher/p/token',
      new RecordingLog(),
    );

    await store.write(token);

    expect(sm).toHaveReceivedCommandTimes(CreateSecretCommand, 1);
    expect(sm).toHaveReceivedCommandTimes(DescribeSecretCommand, 2);
    expect(sm).toHaveReceivedCommandTimes(PutSecretValueCommand, 1);
    expect(sm).toHaveReceivedCommandWith(PutSecretValueCommand, { SecretId: secretArn });
  });

  it('creates it again under the same name after it was deleted, and writes by the new ARN', async () => {
    const again = `${secretArn.slice(0, -6)}GhIjKl`;
    const notFound = () => new ResourceNotFoundException({ $metadata: {}, message: 'not found' });
    ownTokenSecret();
    sm.on(DescribeSecretCommand).resolvesOnce({ ARN: secretArn, Name: 'token-refresher/p/token' }).rejects(notFound());
    sm.on(PutSecretValueCommand, { SecretId: secretArn }).resolvesOnce({ VersionId: 'v2' }).rejects(notFound());
    sm.on(PutSecretValueCommand, { SecretId: again }).resolves({ VersionId: 'v3' });
    sm.on(CreateSecretCommand).resolves({ ARN: again, Name: 'token-refresher/p/token' });
    const store = new SecretsManagerTokenStore(
      new SecretsManagerClient({}),
      'token-refresher/p/token',
      new RecordingLog(),
    );

    await store.write(token);
    await store.write(token);
    await store.write(token);

    expect(sm).toHaveReceivedCommandTimes(CreateSecretCommand, 1);
    expect(sm).toHaveReceivedCommandTimes(GetResourcePolicyCommand, 1);
    expect(sm.commandCalls(PutSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual([
      secretArn,
      secretArn,
      again,
    ]);
  });

  it('lets other errors (throttling, access denied) reach the core', async () => {
    sm.on(GetSecretValueCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    sm.on(DescribeSecretCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const store = new SecretsManagerTokenStore(new SecretsManagerClient({}), secretArn, new RecordingLog());

    await expect(store.read()).rejects.toMatchObject({ name: 'ThrottlingException' });
    await expect(store.write(token)).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(sm).not.toHaveReceivedCommand(PutSecretValueCommand);
  });
});

const STATE_NAMES = { stateParameterName: '/t/p/state', ledgerParameterName: '/t/p/ledger' };

describe('ParameterStoreTokenStore and ParameterStateStore', () => {
  it('creates or overwrites an Intelligent-Tiering SecureString', async () => {
    ssm.on(PutParameterCommand).resolves({ Version: 3, Tier: 'Standard' });
    const store = new ParameterStoreTokenStore(new SSMClient({}), '/token-refresher/p/token', new RecordingLog());

    await store.write(token);

    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, {
      Name: '/token-refresher/p/token',
      Value: JSON.stringify(token),
      Type: 'SecureString',
      Overwrite: true,
      Tier: 'Intelligent-Tiering',
    });
  });

  it('encrypts with the customer-managed key when one is configured', async () => {
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

    await new ParameterStoreTokenStore(new SSMClient({}), '/t/p/token', new RecordingLog(), key).write(token);
    await new ParameterStateStore(new SSMClient({}), STATE_NAMES, new RecordingLog(), key).write({
      v: 1,
      fingerprint: 'f',
      refreshToken: 'rt-1',
    });

    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, {
      Name: '/t/p/token',
      KeyId: key,
      Type: 'SecureString',
    });
    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, {
      Name: '/t/p/state',
      KeyId: key,
      Type: 'SecureString',
    });
    // The ledger holds no secret: a String parameter, no key.
    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, { Name: '/t/p/ledger', Type: 'String' });
    expect(ssm.commandCalls(PutParameterCommand, { Name: '/t/p/ledger' })[0]!.args[0].input.KeyId).toBeUndefined();
  });

  it('reads with decryption, and a missing parameter as undefined', async () => {
    ssm
      .on(GetParameterCommand, { Name: '/t/p/token', WithDecryption: false })
      .resolves({ Parameter: { Value: 'AQICAH-ciphertext', Version: 3 } })
      .on(GetParameterCommand, { Name: '/t/p/token', WithDecryption: true })
      .resolves({ Parameter: { Value: JSON.stringify(token), Version: 3 } });
    ssm
      .on(GetParameterCommand, { Name: '/t/p/state' })
      .rejects(new ParameterNotFound({ $metadata: {}, message: 'nope' }))
      .on(GetParameterCommand, { Name: '/t/p/ledger' })
      .rejects(new ParameterNotFound({ $metadata: {}, message: 'nope' }));
    const client = new SSMClient({});

    expect(await new ParameterStoreTokenStore(client, '/t/p/token', new RecordingLog()).read()).toEqual(token);
    expect(await new ParameterStateStore(client, STATE_NAMES, new RecordingLog()).read()).toBeUndefined();
  });

  it('round-trips the private state and starts over from an unreadable one', async () => {
    const state = { v: 1 as const, fingerprint: 'abc', refreshToken: 'rt-1', lastPrimaryGrantAt: 5 };
    ssm
      .on(GetParameterCommand, { Name: '/t/p/ledger' })
      .rejects(new ParameterNotFound({ $metadata: {}, message: 'nope' }))
      .on(GetParameterCommand, { Name: '/t/p/state', WithDecryption: false })
      .resolvesOnce({ Parameter: { Version: 1 } })
      .resolvesOnce({ Parameter: { Version: 2 } })
      .on(GetParameterCommand, { Name: '/t/p/state', WithDecryption: true })
      .resolvesOnce({ Parameter: { Value: JSON.stringify(state), Version: 1 } })
      .resolvesOnce({ Parameter: { Value: '{"v":7}', Version: 2 } });
    const log = new RecordingLog();
    const store = new ParameterStateStore(new SSMClient({}), STATE_NAMES, log);

    expect(await store.read()).toEqual(state);
    expect(await store.read()).toBeUndefined();
    expect(log.lines[0]).toMatchObject({ level: 'warn', message: expect.stringContaining('starting over') });
  });

  it('keeps the lockout guard of an otherwise unreadable state', async () => {
    const guard = { credentialsVersion: 'v3', at: 1, code: 'invalid_grant', description: 'Invalid user credentials' };
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify({ v: 9, refreshToken: 42, guard }) } });

    const state = await new ParameterStateStore(new SSMClient({}), STATE_NAMES, new RecordingLog()).read();

    expect(state).toEqual({ v: 1, fingerprint: '', guard });
  });
});

describe('SecretsManagerCredentials', () => {
  const credsId = 'token-refresher/p/credentials';
  const read = () => new SecretsManagerCredentials(new SecretsManagerClient({}), credsId).read();

  it('returns the values and the version id the lockout guard keys on', async () => {
    sm.on(GetSecretValueCommand, { SecretId: credsId }).resolves({
      SecretString: '{"username":"u","password":"p"}',
      VersionId: 'ver-9',
    });

    expect(await read()).toEqual({ versionId: 'ver-9', values: { username: 'u', password: 'p' } });
  });

  it.each([
    [
      'a missing secret',
      () => sm.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ $metadata: {}, message: 'x' })),
      'credentials_not_found',
    ],
    [
      'an empty secret',
      () => sm.on(GetSecretValueCommand).resolves({ SecretString: ' ', VersionId: 'v' }),
      'credentials_empty',
    ],
    [
      'a bare password',
      () => sm.on(GetSecretValueCommand).resolves({ SecretString: 'hunter2-password', VersionId: 'v' }),
      'credentials_malformed',
    ],
    [
      'a non-string value',
      () => sm.on(GetSecretValueCommand).resolves({ SecretString: '{"password":42}', VersionId: 'v' }),
      'credentials_malformed',
    ],
  ])('fails clearly for %s, naming the secret and never the value', async (_name, arrange, code) => {
    arrange();

    const error = await read().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CredentialsUnavailableError);
    expect(error).toMatchObject({ code, message: expect.stringContaining(credsId) });
    expect((error as Error).message).not.toContain('hunter2');
  });
});

describe('SecureString reads by version', () => {
  const t = (version: number, modified = 1_000) => ({ Version: version, LastModifiedDate: new Date(modified) });

  it('decrypts once, then answers from memory while the version is the one it read or wrote', async () => {
    ssm
      .on(GetParameterCommand, { WithDecryption: false })
      .resolvesOnce({ Parameter: t(1) })
      .resolvesOnce({ Parameter: t(1) })
      .resolves({ Parameter: t(2) })
      .on(GetParameterCommand, { WithDecryption: true })
      .resolves({ Parameter: { Value: JSON.stringify(token), ...t(1) } });
    ssm.on(PutParameterCommand).resolves({ Version: 2 });
    const store = new ParameterStoreTokenStore(new SSMClient({}), '/t/p/token', new RecordingLog());

    await store.read();
    await store.read();
    await store.write({ ...token, access_token: 'at-written' });
    const afterWrite = await store.read();

    expect(ssm.commandCalls(GetParameterCommand, { WithDecryption: true })).toHaveLength(1);
    expect(afterWrite?.access_token).toBe('at-written');
  });

  it('decrypts again when another writer moved the version, or the parameter was recreated', async () => {
    ssm
      .on(GetParameterCommand, { WithDecryption: false })
      .resolvesOnce({ Parameter: t(1) })
      .resolvesOnce({ Parameter: t(2) })
      .resolvesOnce({ Parameter: t(2, 9_000) })
      .on(GetParameterCommand, { WithDecryption: true })
      .resolvesOnce({ Parameter: { Value: JSON.stringify(token), ...t(1) } })
      .resolvesOnce({ Parameter: { Value: JSON.stringify({ ...token, access_token: 'at-2' }), ...t(2) } })
      .resolvesOnce({ Parameter: { Value: JSON.stringify({ ...token, access_token: 'at-3' }), ...t(2, 9_000) } });
    const store = new ParameterStoreTokenStore(new SSMClient({}), '/t/p/token', new RecordingLog());

    expect((await store.read())?.access_token).toBe(token.access_token);
    expect((await store.read())?.access_token).toBe('at-2');
    expect((await store.read())?.access_token).toBe('at-3');
  });
});

describe('AWS calls stop when the core gives up on them', () => {
  it('passes the abort signal to every SDK call', async () => {
    ownTokenSecret();
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(token), VersionId: 'v' });
    sm.on(PutSecretValueCommand).resolves({});
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify(token) } });
    ssm.on(PutParameterCommand).resolves({});
    const signal = new AbortController().signal;
    const log = new RecordingLog();
    const smToken = new SecretsManagerTokenStore(new SecretsManagerClient({}), secretArn, log);
    const psToken = new ParameterStoreTokenStore(new SSMClient({}), '/t/p/token', log);
    const state = new ParameterStateStore(new SSMClient({}), STATE_NAMES, log);

    await smToken.read(signal);
    await smToken.write(token, signal);
    await psToken.read(signal);
    await psToken.write(token, signal);
    await state.read(signal);
    await state.write({ v: 1, fingerprint: 'f', refreshToken: 'rt' }, signal);
    await new SecretsManagerCredentials(new SecretsManagerClient({}), 'c').read(signal).catch(() => undefined);

    // The token secret is checked at its first write (DescribeSecret, GetResourcePolicy). Each
    // SecureString read asks for the version first, then decrypts (nothing cached yet); the state is
    // its ledger and its SecureString, each read and written.
    const calls = [...sm.calls(), ...ssm.calls()];
    expect(calls).toHaveLength(13);
    for (const call of calls) expect((call.args as unknown[])[1]).toMatchObject({ abortSignal: signal });
  });
});
