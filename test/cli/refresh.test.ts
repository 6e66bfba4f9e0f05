import 'aws-sdk-client-mock-vitest/extend';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { awsError, expectNoSecrets, manifest, NOW_SECONDS, runCliForTest, SECRETS, stackWith } from './helpers.js';

const cfn = mockClient(CloudFormationClient);
const lambda = mockClient(LambdaClient);
// No manifest parameter: these refreshers are found in their stack's outputs only.
const ssm = mockClient(SSMClient);

const nagra = manifest('nagra');
const clickview = manifest('clickview', { store: 'secretsmanager' });

/** A response payload as the SDK hands it out: bytes that can also turn themselves into a string. */
function payload(value: unknown) {
  const text = JSON.stringify(value);
  return Object.assign(new TextEncoder().encode(text), { transformToString: () => text });
}

function functionReturns(result: unknown) {
  lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(result) });
}

beforeEach(() => {
  cfn.reset();
  lambda.reset();
  ssm.reset();
  cfn.on(DescribeStacksCommand).resolves(stackWith([nagra, clickview]));
});

describe('token-refresher refresh', () => {
  it('invokes the function synchronously with {"force": true} and prints the outcome, exit 0', async () => {
    functionReturns({ provider: 'nagra', outcome: 'refreshed', grant: 'password', expiresAt: NOW_SECONDS + 300 });

    const { code, stdout, stderr } = await runCliForTest(['refresh', 'nagra']);

    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ FunctionName: nagra.functionName, InvocationType: 'RequestResponse' });
    expect(JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array))).toEqual({ force: true });
    expect(stdout).toBe(
      ['provider  nagra', 'outcome   refreshed', 'grant     password', 'expires   2026-06-01T12:05:00Z (5m)', ''].join(
        '\n',
      ),
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('exits 0 for "fresh" too', async () => {
    functionReturns({ provider: 'nagra', outcome: 'fresh', expiresAt: NOW_SECONDS + 200 });

    const { code, stdout } = await runCliForTest(['refresh', 'nagra']);

    expect(stdout).toContain('outcome   fresh\n');
    expect(code).toBe(0);
  });

  it('says why a forced run did nothing when the store has no write budget left for it', async () => {
    const note = {
      code: 'forced_run_limited',
      description: 'the token is not due and was written less than 10 minute(s) ago',
    };
    functionReturns({ provider: 'clickview', outcome: 'fresh', expiresAt: NOW_SECONDS + 80_000, note });

    const human = await runCliForTest(['refresh', 'clickview']);
    const json = await runCliForTest(['refresh', 'clickview', '--json']);

    expect(human.stdout).toContain('note');
    expect(human.stdout).toContain('forced_run_limited');
    expect(human.stdout).toContain('written less than 10 minute(s) ago');
    expect(JSON.parse(json.stdout)).toMatchObject({ outcome: 'fresh', note });
    expect(human.code).toBe(0);
  });

  it("prints a failed run's kind, code and description and when the old token expires, exit 1", async () => {
    functionReturns({
      provider: 'nagra',
      outcome: 'failed',
      expiresAt: NOW_SECONDS + 95,
      error: {
        kind: 'credentials',
        code: 'invalid_grant',
        description: 'password grant: HTTP 401, invalid_grant: Invalid user credentials',
      },
    });

    const { code, stdout } = await runCliForTest(['refresh', 'nagra']);

    expect(stdout).toBe(
      [
        'provider                 nagra',
        'outcome                  failed',
        'error                    credentials (invalid_grant)',
        '                         password grant: HTTP 401, invalid_grant: Invalid user credentials',
        'published token expires  2026-06-01T12:01:35Z (1m 35s)',
        '',
      ].join('\n'),
    );
    expect(code).toBe(1);
  });

  it('says when a failed run left no token published', async () => {
    functionReturns({
      provider: 'nagra',
      outcome: 'failed',
      error: { kind: 'configuration', code: 'credentials_empty', description: 'credentials secret is empty' },
    });

    const { code, stdout } = await runCliForTest(['refresh', 'nagra']);

    expect(stdout).toContain('published token  none\n');
    expect(code).toBe(1);
  });

  it('prints the result as JSON with --json', async () => {
    functionReturns({
      provider: 'clickview',
      outcome: 'failed',
      expiresAt: NOW_SECONDS - 60,
      error: { kind: 'transient', code: 'http_503', description: 'client_credentials grant: HTTP 503, text body' },
    });

    const { code, stdout, stderr } = await runCliForTest(['refresh', 'clickview', '--json']);

    expect(JSON.parse(stdout)).toEqual({
      provider: 'clickview',
      functionName: clickview.functionName,
      outcome: 'failed',
      expiresAt: '2026-06-01T11:59:00Z',
      expiresInSeconds: -60,
      error: { kind: 'transient', code: 'http_503', description: 'client_credentials grant: HTTP 503, text body' },
    });
    expect(stderr).toBe('');
    expect(code).toBe(1);
  });

  it('lists the known providers for an unknown one, exit 2, without invoking anything', async () => {
    const { code, stdout, stderr } = await runCliForTest(['refresh', 'nagar']);

    expect(stderr).toBe(
      'error: unknown provider "nagar" in stage "default"; known: clickview, nagra\n' +
        'Run "token-refresher refresh --help" for usage.\n',
    );
    expect(stdout).toBe('');
    expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
    expect(code).toBe(2);
  });

  it('reports a missing stack in one line, exit 3', async () => {
    cfn.on(DescribeStacksCommand).rejects(awsError('ValidationError', 'Stack with id TokenRefresher does not exist'));

    const { code, stderr } = await runCliForTest([
      'refresh',
      'nagra',
      '--stack',
      'TokenRefresher',
      '--region',
      'ap-southeast-2',
    ]);

    expect(stderr).toBe(
      'error: stack "TokenRefresher" not found in ap-southeast-2: deploy it with npx cdk deploy, or pass --stack or ' +
        '--stage\n',
    );
    expect(code).toBe(3);
  });

  it('shows a failed Invoke call as one line, exit 3', async () => {
    lambda
      .on(InvokeCommand)
      .rejects(
        awsError(
          'AccessDeniedException',
          'User: arn:aws:iam::123456789012:user/ops is not authorized to perform: lambda:InvokeFunction',
        ),
      );

    const { code, stderr } = await runCliForTest(['refresh', 'nagra']);

    expect(stderr).toBe(
      'error: Lambda Invoke failed: HTTP 400 from https://lambda.eu-west-1.amazonaws.com: AccessDeniedException: ' +
        'User: arn:aws:iam::123456789012:user/ops is not authorized to ' +
        'perform: lambda:InvokeFunction\n',
    );
    expect(code).toBe(3);
  });

  it('explains a throttled Invoke: the scheduled run holds the only concurrency slot', async () => {
    lambda.on(InvokeCommand).rejects(awsError('TooManyRequestsException', 'Rate Exceeded.'));

    const { code, stderr } = await runCliForTest(['refresh', 'nagra']);

    expect(stderr).toBe(
      `error: function ${nagra.functionName} is busy (TooManyRequestsException): a scheduled run is probably under ` +
        'way (reserved concurrency 1); try again in a minute\n',
    );
    expect(code).toBe(3);
  });

  it("reports a function error's errorMessage as one line, exit 1", async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: payload({
        errorType: 'TypeError',
        errorMessage: "Cannot read properties of undefined (reading 'x')\n    at refresh",
        trace: ['TypeError: Cannot read properties of undefined', '    at refresh (/var/task/index.mjs:1:1)'],
      }),
    });

    const { code, stdout, stderr } = await runCliForTest(['refresh', 'nagra']);

    expect(stderr).toBe(
      `error: function ${nagra.functionName} failed: TypeError: Cannot read properties of undefined (reading 'x') at refresh\n`,
    );
    expect(stdout).toBe('');
    expect(code).toBe(1);
  });

  it('reports a function timeout (no JSON error payload) as one line', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: payload(null) });

    const { code, stderr } = await runCliForTest(['refresh', 'nagra']);

    expect(stderr).toBe(`error: function ${nagra.functionName} failed: Unhandled: no error message\n`);
    expect(code).toBe(1);
  });

  it('refuses a result that is not a refresh result instead of printing it', async () => {
    functionReturns({ access_token: SECRETS.accessToken });

    const { code, stdout, stderr } = await runCliForTest(['refresh', 'nagra']);

    expect(stderr).toBe(
      `error: function ${nagra.functionName} returned something that is not a refresh result; is the stack deployed with this version?\n`,
    );
    expectNoSecrets(stdout + stderr);
    expect(code).toBe(1);
  });

  it('masks a JWT that a function error message might carry', async () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvcHMifQ.c2lnbmF0dXJlLXZhbHVl';
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: payload({ errorType: 'Error', errorMessage: `bad token ${jwt}` }),
    });

    const { stderr } = await runCliForTest(['refresh', 'nagra']);

    expect(stderr).toBe(`error: function ${nagra.functionName} failed: Error: bad token [redacted-jwt]\n`);
  });

  it('shows a progress line naming the function on a terminal, and clears it', async () => {
    functionReturns({ provider: 'nagra', outcome: 'refreshed', grant: 'refresh_token', expiresAt: NOW_SECONDS + 300 });

    const { stderr } = await runCliForTest(['refresh', 'nagra'], { stderrIsTTY: true });

    expect(stderr).toContain(`refreshing nagra (invoking ${nagra.functionName})`);
    expect(stderr.endsWith('\r\x1b[K')).toBe(true);
  });
});
