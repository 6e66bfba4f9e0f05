import 'aws-sdk-client-mock-vitest/extend';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  type DescribeSecretResponse,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { runRefresh } from '../../../core/refresh.js';
import { SecretsManagerTokenStore } from '../../../lambda/adapters/secrets-manager-token-store.js';
import {
  type DescribedSecret,
  foreignSecretReasons,
  notOwnedMessage,
  type StageTokenSecret,
} from '../../../lambda/adapters/token-secret-check.js';
import { keycloakSettings, makeWorld, RecordingLog, tokenAnswer, type World } from './fakes.js';

/**
 * Issue 15 item 7: the published token's secret is addressed by name, so anyone who may create
 * secrets can create `<prefix>/<id>/token` first, with a key or a resource policy of their own, and
 * read every token the function puts into it. The function checks a secret it did not create before
 * it uses it, once per container, and never writes into one that is not the stage's.
 */
const sm = mockClient(SecretsManagerClient);
const NAME = 'token-refresher/kc/token';
const ARN = `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${NAME}-AbCdEf`;
const STAGE_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-1111-4111-8111-111111111111';
const FOREIGN_KEY = 'arn:aws:kms:eu-west-1:210987654321:key/2222bbbb-2222-4222-8222-222222222222';
const LEGACY_STACK =
  'arn:aws:cloudformation:eu-west-1:123456789012:stack/TokenRefresher/0f0f0f0f-aaaa-bbbb-cccc-0123456789ab';
const OTHER_STACK =
  'arn:aws:cloudformation:eu-west-1:123456789012:stack/TokenRefresher/99999999-aaaa-bbbb-cccc-0123456789ab';
const notFound = () => new ResourceNotFoundException({ $metadata: {}, message: "Secrets Manager can't find it." });
const exists = () => Object.assign(new Error('exists'), { name: 'ResourceExistsException' });
const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const othersMayRead = {
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::210987654321:root' },
  Action: 'secretsmanager:GetSecretValue',
  Resource: '*',
};
const cloudFormationTags = (stackId: string) => [
  { Key: 'aws:cloudformation:stack-name', Value: 'TokenRefresher' },
  { Key: 'aws:cloudformation:logical-id', Value: 'KcTokenSecret5A1B2C3D' },
  { Key: 'aws:cloudformation:stack-id', Value: stackId },
];

/** A secret someone (the stage, an earlier version, or not) created under the token's name, with no value yet. */
function existingSecret(described: Partial<DescribeSecretResponse>, resourcePolicy?: string): void {
  sm.on(DescribeSecretCommand).resolves({ ARN, Name: NAME, ...described });
  sm.on(GetResourcePolicyCommand).resolves({
    ARN,
    Name: NAME,
    ...(resourcePolicy ? { ResourcePolicy: resourcePolicy } : {}),
  });
  sm.on(GetSecretValueCommand).rejects(notFound());
  sm.on(CreateSecretCommand).rejects(exists());
  sm.on(PutSecretValueCommand).resolves({ ARN, VersionId: 'v2' });
}

function storeFor(
  stage: { keyArn?: string; legacyStackId?: string } = { keyArn: STAGE_KEY, legacyStackId: LEGACY_STACK },
) {
  return new SecretsManagerTokenStore(new SecretsManagerClient({}), NAME, new RecordingLog(), stage);
}

/** A refresher whose token store is the real adapter over the mocked client. */
async function refresher(store = storeFor()): Promise<World & { runOnce: () => ReturnType<typeof runRefresh> }> {
  const world = await makeWorld(keycloakSettings(), () => tokenAnswer());
  const deps = { ...world.deps, tokenStore: store };
  return { ...world, runOnce: () => runRefresh(deps, { deadlineMs: world.clock.now() + 50_000 }) };
}

beforeEach(() => {
  sm.reset();
});

describe('a token secret someone else created', () => {
  it('with a key of its own: the run fails as a configuration error and nothing is written, then fails before any grant', async () => {
    existingSecret({ KmsKeyId: FOREIGN_KEY });
    const w = await refresher();

    const { result } = await w.runOnce();
    w.clock.advance(300);
    const next = await w.runOnce();

    expect(result).toMatchObject({
      outcome: 'failed',
      error: { kind: 'configuration', code: 'token_secret_not_owned' },
    });
    const description = result.error!.description;
    expect(description).toContain(NAME);
    expect(description).toContain(FOREIGN_KEY);
    expect(description).toContain('delete-secret');
    expect(description).toContain('docs/runbook.md#token-secret-not-the-stages');
    expect(sm).not.toHaveReceivedCommand(PutSecretValueCommand);
    expect(sm).not.toHaveReceivedCommand(CreateSecretCommand);
    // The container remembers: its next run checks again at the token read, and sends no grant.
    expect(next.result.error).toMatchObject({ kind: 'configuration', code: 'token_secret_not_owned' });
    expect(w.endpoint.requests).toHaveLength(1);
  });

  it('once it is gone, the same container creates the stage’s own secret and publishes into it', async () => {
    existingSecret({ KmsKeyId: FOREIGN_KEY });
    const w = await refresher();
    await w.runOnce();
    // Operators deleted it (docs/runbook.md): the name is free again.
    sm.on(DescribeSecretCommand).rejects(notFound());
    sm.on(CreateSecretCommand).resolves({ ARN: `${ARN.slice(0, -6)}NeWnEw`, Name: NAME });
    w.clock.advance(300);

    const { result } = await w.runOnce();

    expect(result).toMatchObject({ outcome: 'refreshed' });
    expect(sm).toHaveReceivedCommandWith(CreateSecretCommand, { Name: NAME, KmsKeyId: STAGE_KEY });
    expect(sm).not.toHaveReceivedCommand(PutSecretValueCommand);
  });

  it('with a resource policy that lets others read it: the same', async () => {
    existingSecret({ KmsKeyId: STAGE_KEY }, policy(othersMayRead));
    const w = await refresher();

    const { result } = await w.runOnce();

    expect(result.error).toMatchObject({ kind: 'configuration', code: 'token_secret_not_owned' });
    expect(result.error!.description).toContain('resource policy');
    expect(sm).not.toHaveReceivedCommand(PutSecretValueCommand);
  });

  it('replicated to another region (under whatever key is there): the same', async () => {
    existingSecret({
      KmsKeyId: STAGE_KEY,
      ReplicationStatus: [{ Region: 'us-west-2', KmsKeyId: FOREIGN_KEY, Status: 'InSync' }],
    });
    const w = await refresher();

    const { result } = await w.runOnce();

    expect(result.error).toMatchObject({ kind: 'configuration', code: 'token_secret_not_owned' });
    expect(result.error!.description).toContain('us-west-2');
    expect(sm).not.toHaveReceivedCommand(PutSecretValueCommand);
  });

  it('between the read and the write (CreateSecret says it exists): checked then, and nothing is written', async () => {
    existingSecret({ KmsKeyId: FOREIGN_KEY });
    // Absent when the run reads the token, there when it publishes the new one.
    sm.on(DescribeSecretCommand).rejectsOnce(notFound()).resolves({ ARN, Name: NAME, KmsKeyId: FOREIGN_KEY });
    const w = await refresher();

    const { result } = await w.runOnce();

    expect(sm).toHaveReceivedCommand(CreateSecretCommand);
    expect(result.error).toMatchObject({ kind: 'configuration', code: 'token_secret_not_owned' });
    expect(sm).not.toHaveReceivedCommand(PutSecretValueCommand);
  });

  it('under the AWS-managed key while the stage has a key of its own, tagged by another stack: the same', async () => {
    existingSecret({ Tags: cloudFormationTags(OTHER_STACK) });
    const w = await refresher();

    const { result } = await w.runOnce();

    expect(result.error).toMatchObject({ kind: 'configuration', code: 'token_secret_not_owned' });
    expect(result.error!.description).toContain('aws/secretsmanager');
    expect(sm).not.toHaveReceivedCommand(PutSecretValueCommand);
  });
});

describe("the stage's own token secret", () => {
  it('with the stage key and no resource policy: checked, then written to that very secret (its ARN)', async () => {
    existingSecret({ KmsKeyId: STAGE_KEY });
    const w = await refresher();

    const { result } = await w.runOnce();

    expect(result).toMatchObject({ outcome: 'refreshed' });
    expect(sm).toHaveReceivedCommandWith(DescribeSecretCommand, { SecretId: NAME });
    expect(sm).toHaveReceivedCommandWith(GetResourcePolicyCommand, { SecretId: ARN });
    expect(sm).toHaveReceivedCommandTimes(PutSecretValueCommand, 1);
    expect(sm).toHaveReceivedCommandWith(PutSecretValueCommand, { SecretId: ARN });
  });

  it('named by key id (as the console creates it), or with a resource policy that only denies: written', async () => {
    const keyId = STAGE_KEY.split('/').at(-1)!;
    const denyOthers = { Effect: 'Deny', Principal: '*', Action: 'secretsmanager:*', Resource: '*' };
    existingSecret({ KmsKeyId: keyId }, policy(denyOthers));
    const w = await refresher();

    expect((await w.runOnce()).result).toMatchObject({ outcome: 'refreshed' });
    expect(sm).toHaveReceivedCommandWith(PutSecretValueCommand, { SecretId: ARN });
  });

  it("the legacy stack's own secret (0.1.0: created by the stack, AWS-managed key): written", async () => {
    existingSecret({ Tags: cloudFormationTags(LEGACY_STACK) });
    const w = await refresher();

    const { result } = await w.runOnce();

    expect(result).toMatchObject({ outcome: 'refreshed' });
    expect(sm).toHaveReceivedCommandWith(DescribeSecretCommand, { SecretId: NAME });
    expect(sm).toHaveReceivedCommandWith(PutSecretValueCommand, { SecretId: ARN });
  });

  it('under the AWS-managed key when the stage uses the AWS-managed keys: written', async () => {
    existingSecret({});
    const w = await refresher(storeFor({}));

    expect((await w.runOnce()).result).toMatchObject({ outcome: 'refreshed' });
    expect(sm).toHaveReceivedCommandWith(GetResourcePolicyCommand, { SecretId: ARN });
    expect(sm).toHaveReceivedCommandWith(PutSecretValueCommand, { SecretId: ARN });
  });

  it('is checked once per container: later runs read and write it without checking again', async () => {
    existingSecret({ KmsKeyId: STAGE_KEY });
    const w = await refresher();

    await w.runOnce();
    w.clock.advance(300);
    const second = await w.runOnce();

    expect(second.result).toMatchObject({ outcome: 'refreshed' });
    expect(sm).toHaveReceivedCommandTimes(DescribeSecretCommand, 1);
    expect(sm).toHaveReceivedCommandTimes(GetResourcePolicyCommand, 1);
    expect(sm).toHaveReceivedCommandTimes(PutSecretValueCommand, 2);
    expect(sm).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: ARN });
  });

  it('created by this container: never checked, written by the ARN CreateSecret returned', async () => {
    sm.on(DescribeSecretCommand).rejects(notFound());
    sm.on(CreateSecretCommand).resolves({ ARN, Name: NAME });
    sm.on(GetSecretValueCommand).resolves({});
    sm.on(PutSecretValueCommand).resolves({ ARN, VersionId: 'v2' });
    const w = await refresher();

    await w.runOnce();
    w.clock.advance(300);
    await w.runOnce();

    expect(sm).toHaveReceivedCommandWith(CreateSecretCommand, { Name: NAME, KmsKeyId: STAGE_KEY });
    expect(sm).toHaveReceivedCommandTimes(DescribeSecretCommand, 1);
    expect(sm).not.toHaveReceivedCommand(GetResourcePolicyCommand);
    expect(sm).toHaveReceivedCommandWith(PutSecretValueCommand, { SecretId: ARN });
  });
});

describe('a token secret someone else created and filled with a token of their own', () => {
  const planted = (nowSeconds: number) =>
    JSON.stringify({
      access_token: 'planted',
      token_type: 'Bearer',
      issued_at: nowSeconds,
      expires_at: nowSeconds + 300 * 86_400,
      provider: 'kc',
    });

  it('is never reported fresh: every run fails before any grant, and the heartbeat reports no time left', async () => {
    existingSecret({ KmsKeyId: FOREIGN_KEY });
    const w = await refresher();
    sm.on(GetSecretValueCommand).resolves({ ARN, SecretString: planted(w.clock.seconds) });
    const grantsBefore = w.endpoint.requests.length;

    const runs = [];
    for (let i = 0; i < 3; i++) {
      runs.push(await w.runOnce());
      w.clock.advance(86_400);
    }

    for (const run of runs) {
      expect(run.result).toMatchObject({ outcome: 'failed', error: { code: 'token_secret_not_owned' } });
      expect(run.secondsRemaining).toBe(0);
    }
    expect(w.endpoint.requests).toHaveLength(grantsBefore);
    expect(sm).not.toHaveReceivedCommand(PutSecretValueCommand);
  });

  it("the stage's own secret is examined once in its life: later containers trust the ARN the state keeps", async () => {
    existingSecret({ KmsKeyId: STAGE_KEY });
    const w = await refresher();
    sm.on(GetSecretValueCommand).resolves({ ARN, SecretString: planted(w.clock.seconds) });
    const deps = { ...w.deps, tokenStore: storeFor() };
    const inNewContainer = () =>
      runRefresh({ ...deps, tokenStore: storeFor() }, { deadlineMs: w.clock.now() + 50_000 });

    const first = await inNewContainer();
    w.clock.advance(60);
    const second = await inNewContainer();

    expect(first.result.outcome).toBe('fresh');
    expect(second.result.outcome).toBe('fresh');
    expect(sm).toHaveReceivedCommandTimes(DescribeSecretCommand, 1);
    expect(w.stateStore.state?.tokenStoreChecked).toBe(ARN);
  });

  it('a secret deleted and created again under the name (a new ARN) is examined again', async () => {
    existingSecret({ KmsKeyId: STAGE_KEY });
    const w = await refresher();
    sm.on(GetSecretValueCommand).resolves({ ARN, SecretString: planted(w.clock.seconds) });
    await runRefresh({ ...w.deps, tokenStore: storeFor() }, { deadlineMs: w.clock.now() + 50_000 });
    const replaced = `${ARN.slice(0, -6)}XyZxYz`;
    sm.on(GetSecretValueCommand).resolves({ ARN: replaced, SecretString: planted(w.clock.seconds) });
    sm.on(DescribeSecretCommand).resolves({ ARN: replaced, Name: NAME, KmsKeyId: FOREIGN_KEY });
    w.clock.advance(60);

    const { result } = await runRefresh({ ...w.deps, tokenStore: storeFor() }, { deadlineMs: w.clock.now() + 50_000 });

    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'token_secret_not_owned' } });
  });
});

describe('the check stays inside the run', () => {
  it('a check that never answers ends as a store failure within the per-call timeout, its calls signalled', async () => {
    sm.on(GetSecretValueCommand).rejects(notFound());
    sm.on(DescribeSecretCommand).callsFake(() => new Promise(() => undefined));
    const w = await refresher();
    const deps = { ...w.deps, tokenStore: storeFor(), awsCallTimeoutMs: 100 };
    const started = performance.now();

    const { result } = await runRefresh(deps, { deadlineMs: w.clock.now() + 50_000 });

    expect(result.error).toMatchObject({ kind: 'store', code: 'token_write_failed' });
    expect(result.error!.description).toContain('TimeoutError');
    expect(performance.now() - started).toBeLessThan(2000);
    const [call] = sm.commandCalls(DescribeSecretCommand);
    expect((call!.args as unknown[])[1]).toMatchObject({ abortSignal: expect.objectContaining({ aborted: true }) });
  });
});

describe('foreignSecretReasons: the rule, finding by finding', () => {
  const stage = { keyArn: STAGE_KEY, legacyStackId: LEGACY_STACK };
  const reasons = (described: DescribedSecret, resourcePolicy?: string, s: StageTokenSecret = stage) =>
    foreignSecretReasons({ ARN, ...described }, resourcePolicy, s);

  it.each<[string, DescribedSecret, StageTokenSecret]>([
    ['the stage key by ARN', { KmsKeyId: STAGE_KEY }, stage],
    ['the stage key by id', { KmsKeyId: '1111aaaa-1111-4111-8111-111111111111' }, stage],
    ['the legacy stack’s secret under the AWS-managed key', { Tags: cloudFormationTags(LEGACY_STACK) }, stage],
    ['the AWS-managed key of a stage without a key (omitted)', {}, {}],
    ['the AWS-managed key of a stage without a key (alias)', { KmsKeyId: 'alias/aws/secretsmanager' }, {}],
    [
      'the AWS-managed key of a stage without a key (alias ARN)',
      { KmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:alias/aws/secretsmanager' },
      {},
    ],
  ])('the stage’s: %s', (_name, described, s) => {
    expect(reasons(described, undefined, s)).toEqual([]);
  });

  it.each<[string, DescribedSecret, StageTokenSecret, string]>([
    ['another key', { KmsKeyId: FOREIGN_KEY }, stage, FOREIGN_KEY],
    ['an alias, whoever it points to', { KmsKeyId: 'alias/token-refresher' }, stage, 'alias/token-refresher'],
    ['another key with the stage key’s id inside', { KmsKeyId: `x${STAGE_KEY.split('/')[1]!}` }, stage, 'x1111'],
    ['the AWS-managed key, no legacy tag', {}, stage, 'the AWS-managed key aws/secretsmanager, not the stage key'],
    [
      'the AWS-managed key, another stack’s tag',
      { Tags: cloudFormationTags(OTHER_STACK) },
      stage,
      'aws/secretsmanager',
    ],
    [
      'the legacy stack’s tag but a key the stage does not know',
      { KmsKeyId: FOREIGN_KEY, Tags: cloudFormationTags(LEGACY_STACK) },
      stage,
      FOREIGN_KEY,
    ],
    [
      'a legacy tag when the stage names no legacy stack',
      { Tags: cloudFormationTags(LEGACY_STACK) },
      { keyArn: STAGE_KEY },
      'aws/secretsmanager',
    ],
    ['a customer key when the stage uses the AWS-managed keys', { KmsKeyId: STAGE_KEY }, {}, 'not the AWS-managed key'],
  ])('not the stage’s: %s', (_name, described, s, said) => {
    const found = reasons(described, undefined, s);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(said);
  });

  it.each([
    ['no policy', undefined, 0],
    ['an empty policy', '', 0],
    ['no statement at all', policy(), 0],
    [
      'only denials',
      policy({ Effect: 'Deny', Principal: '*', Action: '*' }, { Effect: 'Deny', Principal: '*', Action: 'x' }),
      0,
    ],
    ['an allow', policy(othersMayRead), 1],
    ['a single statement object that allows', JSON.stringify({ Statement: othersMayRead }), 1],
    ['an allow beside a denial', policy({ Effect: 'Deny', Principal: '*', Action: '*' }, othersMayRead), 1],
    ['a statement without an effect', policy({ Principal: '*', Action: '*' }), 1],
    ['a policy that is not JSON', '{"Statement": [', 1],
    ['a policy longer than Secrets Manager allows', policy({ Effect: 'Deny', Sid: 'x'.repeat(20_480) }), 1],
  ])('resource policy: %s', (_name, resourcePolicy, count) => {
    const found = reasons({ KmsKeyId: STAGE_KEY }, resourcePolicy);
    expect(found).toHaveLength(count);
    if (count) expect(found[0]).toContain('resource policy');
  });

  it('replicas, every finding at once, and quoted values kept short', () => {
    const regions = ['us-west-2', 'eu-central-1', 'ap-south-1', 'sa-east-1', 'ca-central-1'];
    const found = reasons(
      { KmsKeyId: `${FOREIGN_KEY}${'9'.repeat(500)}`, ReplicationStatus: regions.map((Region) => ({ Region })) },
      policy(othersMayRead),
    );
    expect(found).toHaveLength(3);
    expect(found[0]!.length).toBeLessThan(500);
    expect(found[2]).toBe('it is replicated to "us-west-2", "eu-central-1", "ap-south-1" and 2 more regions');
    expect(notOwnedMessage(NAME, ARN, found)).toMatch(
      new RegExp(`^token secret "${NAME}" \\(${ARN}\\) is not this stage's: it is encrypted with KMS key`),
    );
  });
});
