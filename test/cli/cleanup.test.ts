import 'aws-sdk-client-mock-vitest/extend';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import {
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParametersCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { providerResourceNames, stageNames } from '../../contract/naming.js';
import { awsError, expectNoSecrets, manifest, NOW, REGION, runCliForTest, SECRETS, stackOf } from './helpers.js';

const cfn = mockClient(CloudFormationClient);
const lambda = mockClient(LambdaClient);
const secrets = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);

/**
 * A fake account: the parameters and secrets that exist, by exact name. The mocks answer as the
 * services do (DescribeParameters' Name filter `Equals`, DescribeSecret by name, DeleteParameters'
 * DeletedParameters and InvalidParameters), so a test sees exactly which names were touched.
 */
let parameters: Set<string>;
let secretNames: Map<string, { deletedDate?: Date }>;

const arnOf = (name: string) => `arn:aws:secretsmanager:${REGION}:123456789012:secret:${name}-AbCdEf`;
const nameOfArn = (id: string) => /:secret:(.+)-[A-Za-z0-9]{6}$/.exec(id)?.[1] ?? id;

/** Every name a provider may leave, as the construct builds it. */
function leftovers(prefix: string, id: string) {
  const names = providerResourceNames(prefix, id);
  return {
    parameters: [names.tokenParameterName, names.stateParameterName, names.ledgerParameterName],
    tokenSecret: names.tokenSecretName,
    credentialsSecret: names.credentialsSecretName,
    manifest: names.manifestParameterName,
  };
}

/** Puts every leftover of `id` (both token stores, the credentials secret) into the fake account. */
function leave(prefix: string, id: string) {
  const names = leftovers(prefix, id);
  for (const name of names.parameters) parameters.add(name);
  secretNames.set(names.tokenSecret, {});
  secretNames.set(names.credentialsSecret, {});
}

const DEFAULT = stageNames(undefined).namePrefix;

function fakeFunction(name: string, rolePath: string) {
  return { FunctionName: name, Role: `arn:aws:iam::123456789012:role${rolePath}${name}-Role-ABC` };
}

/** DescribeParameters as the service filters it: `Equals` whole names, `BeginsWith` a start. */
function describeParameters(input: { ParameterFilters?: { Key: string; Option?: string; Values: string[] }[] }) {
  const filter = input.ParameterFilters?.find((f) => f.Key === 'Name');
  const matches = (name: string) =>
    filter === undefined ||
    filter.Values.some((v) => (filter.Option === 'BeginsWith' ? name.startsWith(v) : name === v));
  return { Parameters: [...parameters].filter(matches).map((Name) => ({ Name, Type: 'SecureString' })) };
}

beforeEach(() => {
  cfn.reset();
  lambda.reset();
  secrets.reset();
  ssm.reset();
  parameters = new Set();
  secretNames = new Map();
  // Provider `ab` was removed; `ab-1` and `a` are deployed beside it and leave every name too.
  leave(DEFAULT, 'ab');
  for (const id of ['ab-1', 'a']) {
    leave(DEFAULT, id);
    parameters.add(leftovers(DEFAULT, id).manifest);
  }
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [stackOf('TokenRefresher-00', [manifest('ab-1', { stateParameter: '/token-refresher/ab-1/state' })])],
  });
  lambda.on(ListFunctionsCommand).resolves({
    Functions: [
      fakeFunction('TokenRefresher-00-Ab1Function', providerResourceNames(DEFAULT, 'ab-1').rolePath),
      fakeFunction('TokenRefresher-00-AFunction', providerResourceNames(DEFAULT, 'a').rolePath),
    ],
  });
  ssm.on(DescribeParametersCommand).callsFake(describeParameters);
  ssm.on(DeleteParametersCommand).callsFake((input: { Names: string[] }) => {
    const deleted = input.Names.filter((n) => parameters.delete(n));
    return { DeletedParameters: deleted, InvalidParameters: input.Names.filter((n) => !deleted.includes(n)) };
  });
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: SECRETS.refreshToken } });
  ssm.on(GetParametersCommand).resolves({ Parameters: [{ Value: SECRETS.refreshToken }] });
  secrets.on(GetSecretValueCommand).resolves({ SecretString: SECRETS.password });
  secrets.on(DescribeSecretCommand).callsFake((input: { SecretId: string }) => {
    const name = nameOfArn(input.SecretId);
    const found = secretNames.get(name);
    if (!found) throw awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return { Name: name, ARN: arnOf(name), ...(found.deletedDate ? { DeletedDate: found.deletedDate } : {}) };
  });
  secrets.on(DeleteSecretCommand).callsFake((input: { SecretId: string; RecoveryWindowInDays?: number }) => {
    const name = nameOfArn(input.SecretId);
    if (!secretNames.has(name)) throw awsError('ResourceNotFoundException', 'not found');
    const days = input.RecoveryWindowInDays ?? 0;
    const deletionDate = new Date(NOW + days * 86_400_000);
    if (days === 0) secretNames.delete(name);
    else secretNames.set(name, { deletedDate: deletionDate });
    return { Name: name, ARN: arnOf(name), DeletionDate: deletionDate };
  });
});

const deletedParameterNames = () => ssm.commandCalls(DeleteParametersCommand).flatMap((c) => c.args[0].input.Names!);
const deletedSecretIds = () =>
  secrets.commandCalls(DeleteSecretCommand).map((c) => nameOfArn(c.args[0].input.SecretId!));

describe('token-refresher cleanup', () => {
  it('deletes exactly the removed provider\'s token, state and ledger, never "ab-1"\'s or "a"\'s, exit 0', async () => {
    const { code, stdout, stderr } = await runCliForTest(['cleanup', 'ab', '--yes']);

    expect(stderr).toBe('');
    expect(code).toBe(0);
    const ab = leftovers(DEFAULT, 'ab');
    expect(deletedParameterNames().sort()).toEqual([...ab.parameters].sort());
    expect(deletedSecretIds()).toEqual([ab.tokenSecret]);
    expect(secrets.commandCalls(DeleteSecretCommand)[0]!.args[0].input).toEqual({
      SecretId: arnOf(ab.tokenSecret),
      RecoveryWindowInDays: 7,
    });
    for (const id of ['ab-1', 'a']) {
      const other = leftovers(DEFAULT, id);
      for (const name of [...other.parameters, other.manifest]) expect(parameters.has(name)).toBe(true);
      expect(secretNames.get(other.tokenSecret)).toEqual({});
    }
    expect(stdout).toContain(
      'Result:\n  deleted   parameter /token-refresher/ab/token\n  deleted   parameter /token-refresher/ab/state\n',
    );
    expect(stdout).toContain(
      'scheduled secret    token-refresher/ab/token (deleted for good 2026-06-08T12:00:00.000Z; until then: aws secretsmanager restore-secret --secret-id token-refresher/ab/token)',
    );
  });

  it('keeps the credentials secret unless --include-credentials, and names it', async () => {
    const credentials = leftovers(DEFAULT, 'ab').credentialsSecret;

    const without = await runCliForTest(['cleanup', 'ab', '--yes']);
    expect(without.code).toBe(0);
    expect(deletedSecretIds()).not.toContain(credentials);
    expect(secretNames.get(credentials)).toEqual({});
    expect(without.stdout).toContain(`kept: the credentials secret ${credentials}`);

    secrets.resetHistory();
    const withFlag = await runCliForTest(['cleanup', 'ab', '--yes', '--include-credentials']);
    expect(withFlag.code).toBe(0);
    expect(deletedSecretIds()).toEqual([credentials]);
    expect(secretNames.get(credentials)?.deletedDate).toBeInstanceOf(Date);
    expect(secretNames.get(leftovers(DEFAULT, 'ab-1').credentialsSecret)).toEqual({});
  });

  it.each([
    [
      'its manifest parameter',
      () => parameters.add(leftovers(DEFAULT, 'ab').manifest),
      'manifest parameter /token-refresher/ab/manifest',
    ],
    [
      'a function under its role path',
      () =>
        lambda.on(ListFunctionsCommand).resolves({
          Functions: [fakeFunction('Mine-AbFunction', providerResourceNames(DEFAULT, 'ab').rolePath)],
        }),
      'function Mine-AbFunction (role path /token-refresher/ab/)',
    ],
    [
      'a stack output naming it',
      () =>
        cfn.on(DescribeStacksCommand).resolves({
          Stacks: [stackOf('TokenRefresher-07', [manifest('ab', { stateParameter: '/token-refresher/ab/state' })])],
        }),
      'stack TokenRefresher-07',
    ],
  ])('refuses while %s exists, names it, deletes nothing, exit 1', async (_what, deploy, named) => {
    deploy();

    const { code, stdout, stderr } = await runCliForTest(['cleanup', 'ab', '--yes', '--include-credentials']);

    expect(code).toBe(1);
    expect(stderr).toContain('provider "ab" (prefix token-refresher) is still deployed in eu-west-1');
    expect(stderr).toContain(named);
    expect(stdout).toBe('');
    expect(ssm).not.toHaveReceivedCommand(DeleteParametersCommand);
    expect(secrets).not.toHaveReceivedCommand(DeleteSecretCommand);
  });

  it('finds the manifest parameter on a later page of DescribeParameters', async () => {
    parameters.add(leftovers(DEFAULT, 'ab').manifest);
    // The service may answer a filtered query with empty pages and a NextToken before the matches.
    ssm
      .on(DescribeParametersCommand)
      .resolvesOnce({ Parameters: [], NextToken: 'page-2' })
      .callsFake(describeParameters);

    const { code, stderr } = await runCliForTest(['cleanup', 'ab', '--yes']);

    expect(code).toBe(1);
    expect(stderr).toContain('manifest parameter /token-refresher/ab/manifest');
    expect(ssm.commandCalls(DescribeParametersCommand)[1]!.args[0].input.NextToken).toBe('page-2');
    expect(ssm).not.toHaveReceivedCommand(DeleteParametersCommand);
  });

  it('finds the function on the next page of ListFunctions', async () => {
    lambda
      .on(ListFunctionsCommand)
      .resolvesOnce({ Functions: [], NextMarker: 'page-2' })
      .resolves({ Functions: [fakeFunction('Later-AbFunction', providerResourceNames(DEFAULT, 'ab').rolePath)] });

    const { code } = await runCliForTest(['cleanup', 'ab', '--yes']);

    expect(code).toBe(1);
    expect(lambda.commandCalls(ListFunctionsCommand)[1]!.args[0].input.Marker).toBe('page-2');
    expect(ssm).not.toHaveReceivedCommand(DeleteParametersCommand);
  });

  it('--dry-run lists the names and deletes nothing', async () => {
    const { code, stdout } = await runCliForTest(['cleanup', 'ab', '--dry-run', '--include-credentials']);

    expect(code).toBe(0);
    expect(ssm).not.toHaveReceivedCommand(DeleteParametersCommand);
    expect(secrets).not.toHaveReceivedCommand(DeleteSecretCommand);
    expect(stdout).toContain('delete    parameter /token-refresher/ab/token\n');
    expect(stdout).toContain('delete    secret    token-refresher/ab/credentials\n');
    expect(stdout).toContain('Dry run: nothing was deleted.');
  });

  it('reports what was already gone, and what is already scheduled, as gone; exit 0', async () => {
    const ab = leftovers(DEFAULT, 'ab');
    parameters.delete(ab.parameters[0]!);
    secretNames.set(ab.tokenSecret, { deletedDate: new Date(NOW + 86_400_000) });

    const { code, stdout } = await runCliForTest(['cleanup', 'ab', '--yes', '--json']);

    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { resources: { name: string; result: string; deletionDate?: string }[] };
    expect(report.resources).toEqual([
      { kind: 'token', service: 'ssm', name: '/token-refresher/ab/token', result: 'gone' },
      { kind: 'state', service: 'ssm', name: '/token-refresher/ab/state', result: 'deleted' },
      { kind: 'ledger', service: 'ssm', name: '/token-refresher/ab/ledger', result: 'deleted' },
      {
        kind: 'token',
        service: 'secretsmanager',
        name: 'token-refresher/ab/token',
        result: 'gone',
        deletionDate: '2026-06-02T12:00:00.000Z',
      },
    ]);
    expect(secrets).not.toHaveReceivedCommand(DeleteSecretCommand);
  });

  it('with nothing left, says so and calls no delete', async () => {
    parameters.clear();
    secretNames.clear();

    const { code, stdout } = await runCliForTest(['cleanup', 'ab', '--yes']);

    expect(code).toBe(0);
    expect(stdout).toContain('nothing to delete');
    expect(ssm).not.toHaveReceivedCommand(DeleteParametersCommand);
  });

  it("a named stage and a custom namePrefix give the construct's names; the same id elsewhere is untouched", async () => {
    const staged = stageNames('eu').namePrefix;
    leave(staged, 'ab');
    leave('acme.tokens', 'ab');

    expect((await runCliForTest(['cleanup', 'ab', '--stage', 'eu', '--yes'])).code).toBe(0);
    expect(deletedParameterNames().sort()).toEqual([...leftovers(staged, 'ab').parameters].sort());
    expect(deletedSecretIds()).toEqual(['token-refresher-eu/ab/token']);
    expect(parameters.has('/token-refresher/ab/state')).toBe(true);

    ssm.resetHistory();
    secrets.resetHistory();
    expect((await runCliForTest(['cleanup', 'ab', '--name-prefix', 'acme.tokens', '--yes'])).code).toBe(0);
    expect(deletedParameterNames().sort()).toEqual([...leftovers('acme.tokens', 'ab').parameters].sort());
    expect(parameters.has('/token-refresher/ab/state')).toBe(true);
  });

  it('asks for the provider id on a terminal; another answer deletes nothing, exit 1', async () => {
    const questions: string[] = [];
    const asked = { stdinIsTTY: true, prompt: async (q: string) => (questions.push(q), 'a') };

    const { code, stderr } = await runCliForTest(['cleanup', 'ab'], asked);

    expect(questions).toEqual(['Type "ab" to delete these 4: ']);
    expect(code).toBe(1);
    expect(stderr).toContain('nothing was deleted');
    expect(ssm).not.toHaveReceivedCommand(DeleteParametersCommand);

    const confirmed = await runCliForTest(['cleanup', 'ab'], { stdinIsTTY: true, prompt: async () => 'ab' });
    expect(confirmed.code).toBe(0);
    expect(deletedParameterNames()).toHaveLength(3);
  });

  it('without a terminal and without --yes, is a usage error before any AWS call', async () => {
    const { code, stderr } = await runCliForTest(['cleanup', 'ab']);

    expect(code).toBe(2);
    expect(stderr).toContain('pass --yes to delete, or --dry-run to list only');
    expect(ssm).not.toHaveReceivedAnyCommand();
  });

  it('--force-delete-without-recovery deletes the secrets at once', async () => {
    const { code } = await runCliForTest(['cleanup', 'ab', '--yes', '--force-delete-without-recovery']);

    expect(code).toBe(0);
    expect(secrets.commandCalls(DeleteSecretCommand)[0]!.args[0].input).toEqual({
      SecretId: arnOf('token-refresher/ab/token'),
      ForceDeleteWithoutRecovery: true,
    });
  });

  it('a failed delete is reported per name and exits 3; the other names are still deleted', async () => {
    secrets.on(DeleteSecretCommand).rejects(awsError('AccessDeniedException', 'not allowed'));

    const { code, stdout } = await runCliForTest(['cleanup', 'ab', '--yes']);

    expect(code).toBe(3);
    expect(stdout).toMatch(
      /FAILED {4}secret {4}token-refresher\/ab\/token \(Secrets Manager DeleteSecret failed: .*AccessDeniedException/,
    );
    expect(deletedParameterNames()).toHaveLength(3);
  });

  it('never reads or prints a value', async () => {
    for (const argv of [
      ['cleanup', 'ab', '--yes', '--include-credentials'],
      ['cleanup', 'ab', '--dry-run', '--json'],
    ]) {
      const { stdout, stderr } = await runCliForTest(argv);
      expectNoSecrets(stdout + stderr);
    }
    expect(ssm).not.toHaveReceivedCommand(GetParameterCommand);
    expect(ssm).not.toHaveReceivedCommand(GetParametersCommand);
    expect(secrets).not.toHaveReceivedCommand(GetSecretValueCommand);
  });

  it.each([
    [['cleanup'], 'missing <provider>'],
    [['cleanup', 'Ab/x'], '<provider> "Ab/x" is not a provider id'],
    [['cleanup', 'ab', '--stage', 'eu', '--name-prefix', 'x'], 'pick one'],
    [['cleanup', 'ab', '--name-prefix', 'aws-x'], '--name-prefix: "namePrefix" must not start with "aws"'],
    [['cleanup', 'ab', '--recovery-window-days', '3'], '--recovery-window-days must be a whole number from 7 to 30'],
    [
      ['cleanup', 'ab', '--recovery-window-days', '9', '--force-delete-without-recovery'],
      'drop --recovery-window-days',
    ],
  ])('%j is a usage error: %s', async (argv, message) => {
    const { code, stderr } = await runCliForTest(argv);

    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });
});
