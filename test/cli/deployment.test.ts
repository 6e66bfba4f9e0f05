import 'aws-sdk-client-mock-vitest/extend';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeStacksCommand, type DescribeStacksCommandInput, type Stack } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeParametersCommand, GetParametersCommand } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { isReadableStatus } from '../../cli/common/stage-stacks.js';
import { awsError, manifest, runCliForTest, stackOf, tableRows, writeProvidersFile } from './helpers.js';
import { alarmStates, cfn, metricsPerProvider, resetMocks, ssm } from './status-fixtures.js';

const lambda = mockClient(LambdaClient);

/** DescribeStacks without a name, in pages of `perPage`, as CloudFormation pages it. */
function region(stacks: Stack[], perPage = 2) {
  cfn.on(DescribeStacksCommand).callsFake((input: DescribeStacksCommandInput) => {
    const start = Number(input.NextToken ?? 0);
    const next = start + perPage;
    return { Stacks: stacks.slice(start, next), ...(next < stacks.length ? { NextToken: String(next) } : {}) };
  });
}

const a = manifest('alpha');
const b = manifest('bravo');
const c = manifest('charlie');

beforeEach(() => {
  resetMocks();
  lambda.reset();
  metricsPerProvider({});
  alarmStates({});
});

describe('status: every stack of a stage', () => {
  it('reads the refreshers of every stack tagged with the stage, across pages, sorted by provider', async () => {
    region([
      stackOf('TokenRefresher-default-2', [c, a]),
      stackOf('TokenRefresher-prod-1', [manifest('zulu')], { stage: 'prod' }),
      stackOf('Unrelated', [], { stage: null }),
      stackOf('TokenRefresher-default-1', [b]),
      stackOf('Gone', [manifest('yankee')], { status: 'DELETE_COMPLETE' }),
    ]);

    const { stdout, stderr } = await runCliForTest(['status', '--wide']);

    expect(cfn.commandCalls(DescribeStacksCommand).map((call) => call.args[0].input)).toEqual([
      {},
      { NextToken: '2' },
      { NextToken: '4' },
    ]);
    expect(tableRows(stdout).map((row) => [row[0], row.at(-1)])).toEqual([
      ['PROVIDER', 'STACK'],
      ['alpha', 'TokenRefresher-default-2'],
      ['bravo', 'TokenRefresher-default-1'],
      ['charlie', 'TokenRefresher-default-2'],
    ]);
    expect(stderr).toBe('');
  });

  it('reads another stage with --stage', async () => {
    region([stackOf('A', [a]), stackOf('P', [b], { stage: 'prod' })]);

    const { stdout } = await runCliForTest(['status', '--stage', 'prod']);

    expect(tableRows(stdout).map((row) => row[0])).toEqual(['PROVIDER', 'bravo']);
  });

  it('reports a provider that two stacks declare, shows neither, and exits 1', async () => {
    region([stackOf('One', [a, b]), stackOf('Two', [b])]);

    const { code, stdout, stderr } = await runCliForTest(['status']);

    expect(tableRows(stdout).map((row) => row[0])).toEqual(['PROVIDER', 'alpha']);
    expect(stderr).toBe(
      'warning: provider "bravo" is declared by 2 stacks (One, Two); neither is shown: delete the stack that ' +
        'should not have it, or read one with --stack <name>\n',
    );
    expect(code).toBe(1);
  });

  it('refuses to refresh a provider that two stacks declare, naming them, exit 2', async () => {
    region([stackOf('One', [b]), stackOf('Two', [b])]);

    const { code, stderr } = await runCliForTest(['refresh', 'bravo']);

    expect(stderr).toBe(
      'error: provider "bravo" is declared by stacks One, Two; pick one with --stack <name>\n' +
        'Run "token-refresher refresh --help" for usage.\n',
    );
    expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
    expect(code).toBe(2);
  });

  it('says which stack of the stage is not deployed yet, and exits 1', async () => {
    region([stackOf('One', [a]), stackOf('Two', [], { status: 'CREATE_IN_PROGRESS' })]);

    const { code, stdout, stderr } = await runCliForTest(['status']);

    expect(tableRows(stdout).map((row) => row[0])).toEqual(['PROVIDER', 'alpha']);
    expect(stderr).toBe(
      'warning: stack "Two" is CREATE_IN_PROGRESS: its refreshers are not shown until it is deployed\n',
    );
    expect(code).toBe(1);
  });

  it.each([
    ['CREATE_COMPLETE', true],
    ['UPDATE_COMPLETE', true],
    ['UPDATE_IN_PROGRESS', true],
    ['UPDATE_ROLLBACK_COMPLETE', true],
    ['IMPORT_COMPLETE', true],
    ['CREATE_IN_PROGRESS', false],
    ['ROLLBACK_COMPLETE', false],
    ['DELETE_IN_PROGRESS', false],
    ['DELETE_COMPLETE', false],
  ])('reads the outputs of a stack in %s: %s', (status, readable) => {
    expect(isReadableStatus(status)).toBe(readable);
  });

  it('names the stage, the region, the stages there and the stacks from before stages when none matches, exit 3', async () => {
    region([stackOf('P', [a], { stage: 'prod' }), stackOf('TokenRefresher', [b], { stage: null })]);

    const { code, stdout, stderr } = await runCliForTest(['status', '--stage', 'staging']);

    expect(stderr).toBe(
      'error: no refresher of stage "staging" in eu-west-1: no stack has the stack tag ' +
        'token-refresher:stage=staging, and no manifest parameter the tag token-refresher:stage=staging; is it ' +
        'deployed (npx cdk deploy)?; pass --stage with one of: prod; read a stack deployed before stages with ' +
        "--stack (here: TokenRefresher); read your own stack with --stack <name>; or read a deploy's outputs " +
        'with --outputs-file\n',
    );
    expect(stdout).toBe('');
    expect(code).toBe(3);
  });

  it('reads a stack deployed before stages with --stack, as before', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stackOf('TokenRefresher', [a], { stage: null })] });

    const { stdout } = await runCliForTest(['status', '--stack', 'TokenRefresher']);

    expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'TokenRefresher' });
    expect(tableRows(stdout).map((row) => row[0])).toEqual(['PROVIDER', 'alpha']);
  });

  it('shows a refresher found in its stack output and in its manifest parameter once, and one in your own stack', async () => {
    // A fleet stack lists alpha in its outputs, and the construct wrote alpha's parameter too.
    region([stackOf('TokenRefresher-00', [a])]);
    const own = manifest('delta', { functionName: 'PaymentsApi-DeltaFunction-AbC' });
    const parameters = {
      '/token-refresher/alpha/manifest': { ...a, stack: 'TokenRefresher-00' },
      '/token-refresher/delta/manifest': { ...own, stack: 'PaymentsApi' },
    };
    ssm.on(DescribeParametersCommand).resolves({ Parameters: Object.keys(parameters).map((Name) => ({ Name })) });
    ssm.on(GetParametersCommand).resolves({
      Parameters: Object.entries(parameters).map(([Name, m]) => ({ Name, Value: JSON.stringify(m) })),
    });

    const { code, stdout, stderr } = await runCliForTest(['status', '--wide']);

    expect(tableRows(stdout).map((row) => [row[0], row.at(-1)])).toEqual([
      ['PROVIDER', 'STACK'],
      ['alpha', 'TokenRefresher-00'],
      ['delta', 'PaymentsApi'],
    ]);
    expect(stderr).toBe('');
    expect(code).not.toBe(3);
  });

  it('still shows what the stacks list when the manifest parameters may not be read, with a warning, exit 1', async () => {
    region([stackOf('TokenRefresher', [a])]);
    ssm
      .on(DescribeParametersCommand)
      .rejects(awsError('AccessDeniedException', 'not authorized to perform ssm:DescribeParameters'));

    const { code, stdout, stderr } = await runCliForTest(['status']);

    expect(tableRows(stdout).map((row) => row[0])).toEqual(['PROVIDER', 'alpha']);
    expect(stderr).toBe(
      'warning: manifest parameters tagged token-refresher:stage=default could not be read (SSM DescribeParameters ' +
        'failed: AccessDeniedException): refreshers that no stack output lists are not shown; allow ' +
        'ssm:DescribeParameters and ssm:GetParameters\n',
    );
    expect(code).toBe(1);
  });

  it('stops after 200 pages of tagged parameters (10,000) instead of paging on forever, exit 3', async () => {
    region([stackOf('Nothing-Listed', [], { stage: null })]);
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [], NextToken: 'more' });

    const { code, stderr } = await runCliForTest(['status', '--stack', 'Nothing-Listed']);

    expect(ssm).toHaveReceivedCommandTimes(DescribeParametersCommand, 200);
    expect(stderr).toBe(
      'error: more than 10000 parameters are tagged token-refresher:stack=Nothing-Listed: read one stack with --stack\n',
    );
    expect(code).toBe(3);
  });

  it('reports a manifest parameter that is not a manifest, naming it, and shows the others', async () => {
    region([stackOf('TokenRefresher', [a])]);
    ssm
      .on(DescribeParametersCommand)
      .resolves({ Parameters: [{ Name: '/token-refresher/x/manifest' }, { Name: '/other/state' }] });
    ssm
      .on(GetParametersCommand)
      .resolves({ Parameters: [{ Name: '/token-refresher/x/manifest', Value: '{"provider": 1}' }] });

    const { code, stdout, stderr } = await runCliForTest(['status']);

    expect(ssm).toHaveReceivedCommandWith(GetParametersCommand, { Names: ['/token-refresher/x/manifest'] });
    expect(tableRows(stdout).map((row) => row[0])).toEqual(['PROVIDER', 'alpha']);
    expect(stderr).toMatch(
      /^warning: parameter "\/token-refresher\/x\/manifest" is not a refresher manifest \(provider: .*\)\n$/,
    );
    expect(code).toBe(1);
  });

  it('refuses --stack with --stage when the stack belongs to another stage, exit 3', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stackOf('P1', [a], { stage: 'prod' })] });

    const { code, stderr } = await runCliForTest(['status', '--stack', 'P1', '--stage', 'staging']);

    expect(stderr).toBe(
      'error: stack "P1" in eu-west-1 belongs to stage "prod", not "staging" (stack tag token-refresher:stage): ' +
        'drop --stage or --stack\n',
    );
    expect(code).toBe(3);
  });
});

describe('status [provider...]', () => {
  beforeEach(() => region([stackOf('One', [a, b, c])]));

  it('shows only the providers named', async () => {
    const { stdout } = await runCliForTest(['status', 'charlie', 'alpha']);

    expect(tableRows(stdout).map((row) => row[0])).toEqual(['PROVIDER', 'alpha', 'charlie']);
  });

  it('refuses unknown ids, listing the known ones, exit 2', async () => {
    const { code, stdout, stderr } = await runCliForTest(['status', 'alpha', 'alfa', 'delta']);

    expect(stderr).toBe(
      'error: unknown providers "alfa", "delta" in stage "default"; known: alpha, bravo, charlie\n' +
        'Run "token-refresher status --help" for usage.\n',
    );
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });
});

describe('--outputs-file: the result of cdk deploy --outputs-file', () => {
  const outputsOf = (...manifests: ReturnType<typeof manifest>[]) =>
    Object.fromEntries(
      manifests.flatMap((m) => [
        [`${m.provider[0]!.toUpperCase()}${m.provider.slice(1)}Refresher`, JSON.stringify(m)],
        [`${m.provider[0]!.toUpperCase()}${m.provider.slice(1)}Function`, m.functionName],
      ]),
    );

  it('reads every stack of the file instead of CloudFormation', async () => {
    const file = writeProvidersFile({ 'Stage-1': outputsOf(b), 'Stage-2': outputsOf(a) });

    const { stdout, stderr } = await runCliForTest(['status', '--outputs-file', file, '--wide']);

    expect(cfn).not.toHaveReceivedCommand(DescribeStacksCommand);
    expect(tableRows(stdout).map((row) => [row[0], row.at(-1)])).toEqual([
      ['PROVIDER', 'STACK'],
      ['alpha', 'Stage-2'],
      ['bravo', 'Stage-1'],
    ]);
    expect(stderr).toBe('');
  });

  it('invokes the function the file names for refresh, restricted to one stack with --stack', async () => {
    const file = writeProvidersFile({ One: outputsOf(a), Two: outputsOf(a) });
    const fresh = JSON.stringify({ provider: 'alpha', outcome: 'fresh' });
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: Object.assign(new TextEncoder().encode(fresh), { transformToString: () => fresh }),
    });

    const { code } = await runCliForTest(['refresh', 'alpha', '--outputs-file', file, '--stack', 'Two']);

    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: a.functionName });
    expect(code).toBe(0);
  });

  it.each([
    [(dir: string) => join(dir, 'missing.json'), 'does not exist; write it with npx cdk deploy --outputs-file <file>'],
    [(dir: string) => write(dir, '{"One": '), 'is not JSON (Unexpected end of JSON input)'],
    [
      (dir: string) => write(dir, '[]'),
      'must be an object of stacks, {"<StackName>": {"<OutputKey>": "<value>", ...}, ...} as cdk deploy ' +
        '--outputs-file writes it; got an array',
    ],
    [
      (dir: string) => write(dir, '{"One": "x"}'),
      'stack "One" must be an object of outputs, {"<StackName>": {"<OutputKey>": "<value>", ...}, ...} as cdk ' +
        'deploy --outputs-file writes it; got a string',
    ],
    [
      (dir: string) => write(dir, '{"One": {"AlphaRefresher": {"provider": "alpha"}}}'),
      'stack "One", output "AlphaRefresher" must be a string (the manifest\'s JSON); got an object',
    ],
  ])('names the file, the stack and the output of a mistake, exit 2 (%#)', async (make, problem) => {
    const dir = join(writeProvidersFile('{}'), '..');
    const file = make(dir);

    const { code, stderr } = await runCliForTest(['status', '--outputs-file', file]);

    expect(stderr).toBe(`error: outputs file ${file}: ${problem}\n`);
    expect(code).toBe(2);
  });

  it('names the stacks of the file when --stack is not one of them', async () => {
    const file = writeProvidersFile({ One: outputsOf(a) });

    const { code, stderr } = await runCliForTest(['status', '--outputs-file', file, '--stack', 'Two']);

    expect(stderr).toBe(`error: outputs file ${file}: has no stack "Two"; its stacks: One\n`);
    expect(code).toBe(2);
  });

  it('says the file lists no refresher, and where a refresher in your own stack is read instead, exit 2', async () => {
    const file = writeProvidersFile({ One: { SomeOutput: 'x' } });

    const { code, stderr } = await runCliForTest(['status', '--outputs-file', file]);

    expect(stderr).toBe(
      `error: outputs file ${file} lists no refresher: no stack output <Provider>Refresher in One (outputs file). ` +
        'Only TokenRefresherStack and TokenRefresherFleet add those outputs; read a ProviderTokenRefresher in your ' +
        'own stack from AWS with --stack <name> or --stage <name> instead\n',
    );
    expect(code).toBe(2);
  });
});

function write(dir: string, text: string): string {
  const path = join(dir, 'outputs.json');
  writeFileSync(path, text);
  return path;
}
