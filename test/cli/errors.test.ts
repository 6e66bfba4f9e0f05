import { Readable } from 'node:stream';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type AwsTarget, createAwsClients } from '../../cli/common/aws-clients.js';
import { awsCall, describeAwsFailure, type AwsCallError } from '../../cli/common/aws-failure.js';
import { runCli } from '../../cli/main.js';
import { NOW, REGION, runCliForTest, writeProvidersFile } from './helpers.js';

/**
 * Errors as scripts and operators see them: under --json one JSON object on stderr with the usual
 * exit code, and AWS failures that name the service, the HTTP status and the endpoint. The AWS
 * clients here are real and unmocked: a fake HTTP handler answers, so the SDK's own error shapes,
 * deserialization errors included, reach the CLI.
 */

/** An HTTP handler that answers every request with `status` and `body`, as a server or proxy would. */
function answering(status: number, body: string, contentType = 'text/html') {
  return {
    handle: () =>
      Promise.resolve({
        response: {
          statusCode: status,
          headers: { 'content-type': contentType, 'x-amzn-requestid': 'req-123' },
          body: Readable.from([Buffer.from(body)]),
        },
      }),
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
}

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-real-secret' };

/** SSM that finds no manifest parameter (DescribeParameters answers an empty page). */
const noParameters = answering(200, '{"Parameters": []}', 'application/x-amz-json-1.1');

async function runWith(argv: string[], handler: ReturnType<typeof answering>, endpoint?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const targets: AwsTarget[] = [];
  const code = await runCli(argv, {
    io: {
      stdout: (text) => void out.push(text),
      stderr: (text) => void err.push(text),
      stderrIsTTY: false,
      stdinIsTTY: false,
      env: {},
      now: () => NOW,
      prompt: () => Promise.reject(new Error('no prompt')),
      cwd: process.cwd(),
    },
    awsClients: (target) => {
      targets.push(target);
      return {
        ...createAwsClients({ region: REGION }),
        cloudFormation: new CloudFormationClient({
          region: target.region ?? REGION,
          credentials,
          maxAttempts: 1,
          requestHandler: handler,
          ...(endpoint === undefined ? {} : { endpoint }),
        }),
        ssm: new SSMClient({
          region: target.region ?? REGION,
          credentials,
          maxAttempts: 1,
          requestHandler: noParameters,
        }),
      };
    },
  });
  return { code, stdout: out.join(''), stderr: err.join(''), targets };
}

describe('AWS errors name the service, the operation, the HTTP status and the endpoint', () => {
  it('says that an HTTP 500 with an HTML page was not XML, instead of "XML parse error"', async () => {
    const { code, stderr } = await runWith(['status'], answering(500, '<html><body><h1>Internal Server Error'));

    expect(stderr).toBe(
      'error: CloudFormation DescribeStacks failed: HTTP 500 from https://cloudformation.eu-west-1.amazonaws.com ' +
        '(the answer was not valid XML; content-type text/html)\n',
    );
    expect(code).toBe(3);
  });

  it("names the configured endpoint and the service's own error", async () => {
    const body =
      '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>' +
      '<RequestId>r</RequestId></ErrorResponse>';

    const { code, stderr } = await runWith(
      ['status', '--region', 'us-east-2'],
      answering(400, body, 'text/xml'),
      'http://localhost:4566',
    );

    expect(stderr).toBe(
      'error: CloudFormation DescribeStacks failed: HTTP 400 from http://localhost:4566: Throttling: Rate exceeded\n',
    );
    expect(code).toBe(3);
  });

  it('gives the same facts as fields under --json', async () => {
    const { code, stderr, stdout } = await runWith(['status', '--json'], answering(502, '<html>Bad gateway'));

    expect(JSON.parse(stderr)).toEqual({
      error: {
        code: 'aws',
        exitCode: 3,
        message:
          'CloudFormation DescribeStacks failed: HTTP 502 from https://cloudformation.eu-west-1.amazonaws.com ' +
          '(the answer was not valid XML; content-type text/html)',
        aws: {
          service: 'CloudFormation',
          operation: 'DescribeStacks',
          errorName: 'Error',
          httpStatus: 502,
          endpoint: 'https://cloudformation.eu-west-1.amazonaws.com',
          requestId: 'req-123',
        },
      },
    });
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stdout).toBe('');
    expect(code).toBe(3);
  });

  it('says "no answer" when the request never got one', async () => {
    const refused = {
      ...answering(200, ''),
      handle: () =>
        Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' })),
    };

    const { stderr } = await runWith(['status'], refused, 'http://127.0.0.1:4566');

    expect(stderr).toBe(
      'error: CloudFormation DescribeStacks failed: no answer from http://127.0.0.1:4566: ECONNREFUSED: ' +
        'connect ECONNREFUSED 127.0.0.1:4566\n',
    );
  });
});

describe('an endpoint configured in the environment (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is the endpoint an error names, not the public one the region would give', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:4566');

    const { stderr } = await runWith(['status'], answering(500, '<html>'));

    expect(stderr).toBe(
      'error: CloudFormation DescribeStacks failed: HTTP 500 from http://127.0.0.1:4566 ' +
        '(the answer was not valid XML; content-type text/html)\n',
    );
  });

  it.each([
    ['AWS_ENDPOINT_URL', 'http://localhost:4566'],
    ['AWS_ENDPOINT_URL_LAMBDA', 'http://localhost:3001'],
  ])('names %s in a failed Lambda Invoke', async (variable, url) => {
    vi.stubEnv(variable, url);
    const lambda = new LambdaClient({
      region: REGION,
      credentials,
      maxAttempts: 1,
      requestHandler: answering(502, '<html>'),
    });

    const error = await awsCall(lambda, 'Invoke', () => lambda.send(new InvokeCommand({ FunctionName: 'f' }))).catch(
      (e: unknown) => e as AwsCallError,
    );

    expect(describeAwsFailure(error as AwsCallError).message).toMatch(
      new RegExp(`^Lambda Invoke failed: HTTP 502 from ${url.replaceAll('.', '\\.')} `),
    );
    expect((error as AwsCallError).endpoint).toBe(url);
  });

  it('still names the public endpoint when the client ignores configured endpoints', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL', 'http://localhost:4566');
    const lambda = new LambdaClient({
      region: REGION,
      credentials,
      maxAttempts: 1,
      requestHandler: answering(502, '<html>'),
      ignoreConfiguredEndpointUrls: true,
    });

    const error = await awsCall(lambda, 'Invoke', () => lambda.send(new InvokeCommand({ FunctionName: 'f' }))).catch(
      (e: unknown) => e as AwsCallError,
    );

    expect((error as AwsCallError).endpoint).toBe(`https://lambda.${REGION}.amazonaws.com`);
  });
});

describe('--profile', () => {
  it('reaches every AWS client of status and refresh', async () => {
    for (const argv of [['status'], ['refresh', 'nagra']]) {
      const { targets } = await runWith([...argv, '--profile', 'ops-prod'], answering(500, '<html>'));
      expect(targets).toEqual([{ profile: 'ops-prod' }]);
    }
    const clients = createAwsClients({ profile: 'ops-prod', region: REGION });
    for (const client of Object.values(clients)) expect(client.config.profile).toBe('ops-prod');
  });
});

describe('errors under --json: one JSON object on stderr, the usual exit code', () => {
  const jsonError = (stderr: string) => {
    expect(stderr.endsWith('\n') && stderr.trim().split('\n').length === 1, stderr).toBe(true);
    return (JSON.parse(stderr) as { error: Record<string, unknown> }).error;
  };

  it.each([
    [['status', '--json', '--bogus'], 'unknown option --bogus'],
    [['status', '--stack', '--json'], 'option --stack needs a value'],
    [['refresh', '--json'], 'missing <provider>'],
  ])('a usage error %j', async (argv, message) => {
    const { code, stdout, stderr } = await runCliForTest(argv);

    expect(jsonError(stderr)).toEqual({
      code: 'usage',
      message,
      exitCode: 2,
      details: [`Run "token-refresher ${argv[0]} --help" for usage.`],
    });
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });

  it('a missing stage', async () => {
    const { code, stderr } = await runWith(
      ['status', '--json', '--stage', 'nope'],
      answering(
        200,
        '<DescribeStacksResponse><DescribeStacksResult><Stacks/></DescribeStacksResult></DescribeStacksResponse>',
        'text/xml',
      ),
    );

    expect(jsonError(stderr)).toMatchObject({ code: 'stage_not_found', exitCode: 3 });
    expect(jsonError(stderr).message).toMatch(
      /^no refresher of stage "nope" in eu-west-1: no stack has the stack tag token-refresher:stage=nope, and no manifest parameter/,
    );
    expect(code).toBe(3);
  });

  it('a bad outputs file', async () => {
    const file = writeProvidersFile('[1]');

    const { code, stderr } = await runCliForTest(['refresh', 'nagra', '--json', '--outputs-file', file]);

    expect(jsonError(stderr)).toMatchObject({ code: 'outputs_file', exitCode: 2 });
    expect(code).toBe(2);
  });

  it('a bad providers file, for check', async () => {
    const file = writeProvidersFile({ providers: [{ id: 'x', preset: 'auth0' }] });

    const { code, stderr } = await runCliForTest(['check', 'x', '--json', '--providers-file', file]);

    expect(jsonError(stderr)).toMatchObject({ code: 'providers_file', exitCode: 2 });
    expect(jsonError(stderr).message).toContain('field "preset": got "auth0"');
    expect(code).toBe(2);
  });

  it('stays text without --json', async () => {
    const { stderr } = await runCliForTest(['status', '--bogus']);

    expect(stderr).toBe('error: unknown option --bogus\nRun "token-refresher status --help" for usage.\n');
  });
});
