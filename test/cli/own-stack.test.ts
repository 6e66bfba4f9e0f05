/**
 * The operator CLI against a `ProviderTokenRefresher` defined directly in a user's own stack, with none
 * of this project's stacks: the app is synthesized, its templates resolved as a deployment to one
 * account and region would resolve them (test/helpers/cfn-resolver.ts), and AWS answers from that
 * record: CloudFormation lists the stack (no outputs, no stage tag), SSM finds the manifest parameter
 * by the tags the template gives it, Lambda holds the function's configuration.
 */
import 'aws-sdk-client-mock-vitest/extend';
import { DescribeStacksCommand, type Stack as CfnStack } from '@aws-sdk/client-cloudformation';
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DescribeParametersCommand,
  type DescribeParametersCommandInput,
  GetParameterCommand,
  GetParametersCommand,
  type GetParametersCommandInput,
} from '@aws-sdk/client-ssm';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../cli/common/aws-clients.js';
import { runCli } from '../../cli/main.js';
import { RUNTIME_CONFIG_ENV } from '../../contract/provider-settings.js';
import { ProviderTokenRefresher } from '../../lib/provider-token-refresher.js';
import { CfnResolver, TEST_ENV } from '../helpers/cfn-resolver.js';
import { templatesOf } from '../infra/access-model.js';
import { onlyResource, resolvedProvider, STUB_ENTRY, testApp } from '../infra/fixtures.js';
import {
  expectNoSecrets,
  NOW,
  NOW_SECONDS,
  privateState,
  publishedToken,
  REGION,
  run,
  runCliForTest,
  SECRETS,
  tableRows,
} from './helpers.js';
import { alarmStates, cfn, metricsPerProvider, resetMocks, ssm } from './status-fixtures.js';

const lambda = mockClient(LambdaClient);

/** What one deployment of the user's app put into AWS, read back from its synthesized templates. */
interface Recorded {
  readonly parameterName: string;
  readonly parameterValue: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly functionName: string;
  readonly functionConfig: string;
  readonly alarmNames: readonly string[];
}

const STACK = 'PaymentsApi';

/** The user's app: their own stack, their own topic, one refresher; nothing of this project's stacks. */
function deployOwnStack(): Recorded {
  const app = testApp();
  const stack = new Stack(app, STACK);
  const refresher = new ProviderTokenRefresher(stack, 'PaymentsTokens', {
    provider: resolvedProvider({
      id: 'payments-idp',
      preset: 'generic',
      tokenEndpoint: 'https://idp.example.com/oauth/token',
      clientId: 'payments-api',
      grant: 'client_credentials',
      clientAuth: 'client_secret_post',
      expectedLifetimeSeconds: 300,
    }),
    alarmTopic: new sns.Topic(stack, 'OnCall'),
    functionEntry: STUB_ENTRY,
  });
  const templates = templatesOf(app);
  const template = Template.fromJSON(templates.get(STACK)!);
  const resolver = new CfnResolver(templates, { ...TEST_ENV, region: REGION });
  const [, parameter] = onlyResource(template, 'AWS::SSM::Parameter');
  const [functionId, fn] = onlyResource(template, 'AWS::Lambda::Function');
  const parameterProperties = parameter['Properties'] as Record<string, unknown>;
  const environment = (fn['Properties'] as { Environment: { Variables: Record<string, unknown> } }).Environment;
  return {
    parameterName: resolver.resolveString(STACK, parameterProperties['Name']),
    parameterValue: resolver.resolveString(STACK, parameterProperties['Value']),
    tags: resolver.resolve(STACK, parameterProperties['Tags']) as Record<string, string>,
    functionName: resolver.ref(STACK, functionId),
    functionConfig: resolver.resolveString(STACK, environment.Variables[RUNTIME_CONFIG_ENV]),
    alarmNames: Object.values(refresher.manifest.alarms).map((name) =>
      resolver.resolveString(STACK, Stack.of(refresher).resolve(name)),
    ),
  };
}

let deployed: Recorded;

beforeAll(() => {
  deployed = deployOwnStack();
}, 60_000);

/** The stack as CloudFormation lists it: the user's, with neither token-refresher outputs nor a stage tag. */
const ownStack: CfnStack = {
  StackName: STACK,
  StackStatus: 'CREATE_COMPLETE',
  CreationTime: new Date(NOW - 86_400_000),
  Outputs: [{ OutputKey: 'ApiUrl', OutputValue: 'https://api.example.com' }],
};

/** SSM as the deployment left it: the manifest parameter, found by the tags its template gives it. */
function recordedSsm() {
  ssm.on(DescribeParametersCommand).callsFake((input: DescribeParametersCommandInput) => {
    const matches = (input.ParameterFilters ?? []).every(
      (f) => f.Key?.startsWith('tag:') && f.Values?.includes(deployed.tags[f.Key.slice('tag:'.length)] ?? ''),
    );
    return { Parameters: matches ? [{ Name: deployed.parameterName, Type: 'String' }] : [] };
  });
  ssm.on(GetParametersCommand).callsFake((input: GetParametersCommandInput) => ({
    Parameters: (input.Names ?? [])
      .filter((name) => name === deployed.parameterName)
      .map((name) => ({ Name: name, Type: 'String', Value: deployed.parameterValue })),
    InvalidParameters: (input.Names ?? []).filter((name) => name !== deployed.parameterName),
  }));
  ssm
    .on(GetParameterCommand, { Name: '/token-refresher/payments-idp/token' })
    .resolves({ Parameter: { Value: publishedToken('payments-idp', NOW_SECONDS + 250, NOW_SECONDS - 50) } })
    .on(GetParameterCommand, { Name: '/token-refresher/payments-idp/ledger' })
    .resolves({ Parameter: { Value: JSON.stringify({ v: 1 }) } })
    .on(GetParameterCommand, { Name: '/token-refresher/payments-idp/state' })
    .resolves({ Parameter: { Value: privateState() } });
}

beforeEach(() => {
  resetMocks();
  lambda.reset();
  cfn.on(DescribeStacksCommand).callsFake((input: { StackName?: string }) => ({
    Stacks: input.StackName === undefined || input.StackName === STACK ? [ownStack] : [],
  }));
  recordedSsm();
  metricsPerProvider({ 'payments-idp': run(1, 'Refreshed') });
  alarmStates(Object.fromEntries(deployed.alarmNames.map((name) => [name, 'OK'])));
});

describe('status', () => {
  it('finds the refresher of the default stage by its manifest parameter, and shows it healthy', async () => {
    const { code, stdout, stderr } = await runCliForTest(['status', '--wide']);

    expect(ssm).toHaveReceivedCommandWith(DescribeParametersCommand, {
      ParameterFilters: [{ Key: 'tag:token-refresher:stage', Option: 'Equals', Values: ['default'] }],
    });
    const rows = tableRows(stdout);
    expect(rows.map((row) => [row[0], row.at(-1)])).toEqual([
      ['PROVIDER', 'STACK'],
      ['payments-idp', STACK],
    ]);
    expect(rows[1]).toContain('ok');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expectNoSecrets(stdout);
  });

  it('finds it with --stack by the stack tag of its manifest parameter, the stack having no refresher output', async () => {
    const { code, stdout } = await runCliForTest(['status', '--stack', STACK, '--json']);

    expect(ssm).toHaveReceivedCommandWith(DescribeParametersCommand, {
      ParameterFilters: [{ Key: 'tag:token-refresher:stack', Option: 'Equals', Values: [STACK] }],
    });
    const json = JSON.parse(stdout) as { providers: { provider: string; healthy: boolean }[] };
    expect(json.providers.map((p) => [p.provider, p.healthy])).toEqual([['payments-idp', true]]);
    expect(code).toBe(0);
  });

  it('names the stage, the region, where it looked and what to pass when another stage has nothing, exit 3', async () => {
    const { code, stderr } = await runCliForTest(['status', '--stage', 'prod']);

    expect(stderr).toBe(
      'error: no refresher of stage "prod" in eu-west-1: no stack has the stack tag token-refresher:stage=prod, ' +
        'and no manifest parameter the tag token-refresher:stage=prod; is it deployed (npx cdk deploy)?; read ' +
        "your own stack with --stack <name>; or read a deploy's outputs with --outputs-file\n",
    );
    expect(code).toBe(3);
  });
});

describe('refresh', () => {
  it('invokes the function the deployment created for the provider', async () => {
    const result = { provider: 'payments-idp', outcome: 'refreshed', grant: 'client_credentials' };
    const text = JSON.stringify({ ...result, expiresAt: NOW_SECONDS + 300 });
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: Object.assign(new TextEncoder().encode(text), { transformToString: () => text }),
    });

    const { code, stdout } = await runCliForTest(['refresh', 'payments-idp']);

    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: deployed.functionName });
    expect(stdout).toContain('outcome   refreshed\n');
    expect(code).toBe(0);
  });

  it('says which providers there are when asked for one that is not deployed, exit 2', async () => {
    const { code, stderr } = await runCliForTest(['refresh', 'billing-idp']);

    expect(stderr).toBe(
      'error: unknown provider "billing-idp" in stage "default"; known: payments-idp\n' +
        'Run "token-refresher refresh --help" for usage.\n',
    );
    expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
    expect(code).toBe(2);
  });
});

describe('check', () => {
  it('sends one token request with the settings the deployed function runs with, no providers file', async () => {
    lambda
      .on(GetFunctionConfigurationCommand, { FunctionName: deployed.functionName })
      .resolves({ Environment: { Variables: { [RUNTIME_CONFIG_ENV]: deployed.functionConfig } } });
    const requests: { url: string; body: string }[] = [];
    const fetch = (url: string, init: RequestInit) => {
      requests.push({ url, body: init.body instanceof URLSearchParams ? init.body.toString() : (init.body as string) });
      const token = { access_token: SECRETS.accessToken, token_type: 'Bearer', expires_in: 300 };
      return Promise.resolve(Response.json(token));
    };
    const out: string[] = [];

    const code = await runCli(['check', 'payments-idp', '--stage', 'default', '--json'], {
      io: {
        stdout: (text) => void out.push(text),
        stderr: (text) => void out.push(text),
        stderrIsTTY: false,
        stdinIsTTY: false,
        env: { TOKEN_REFRESHER_CLIENT_SECRET: SECRETS.clientSecret },
        now: () => NOW,
        prompt: () => Promise.reject(new Error('no prompt expected')),
        cwd: '/nonexistent',
      },
      awsClients: () => createAwsClients({ region: REGION }),
      fetch,
    });

    expect(requests.map((r) => r.url)).toEqual(['https://idp.example.com/oauth/token']);
    expect(new URLSearchParams(requests[0]!.body).get('client_id')).toBe('payments-api');
    expect(new URLSearchParams(requests[0]!.body).get('grant_type')).toBe('client_credentials');
    expect(JSON.parse(out.join(''))).toMatchObject({
      provider: 'payments-idp',
      tokenEndpoint: 'https://idp.example.com/oauth/token',
      grant: 'client_credentials',
      ok: true,
      lifetimeSeconds: 300,
      store: 'parameterstore',
    });
    expect(code).toBe(0);
    expectNoSecrets(out.join(''));
  });

  it('names the function when its configuration is not a refresher configuration, exit 1', async () => {
    lambda.on(GetFunctionConfigurationCommand).resolves({ Environment: { Variables: { OTHER: 'x' } } });

    const { code, stderr } = await runCliForTest(['check', 'payments-idp', '--stack', STACK]);

    expect(stderr).toBe(
      `error: function ${deployed.functionName}: no ${RUNTIME_CONFIG_ENV} variable; is it a token-refresher ` +
        'function of this version? Or check with --providers-file <path>\n',
    );
    expect(code).toBe(1);
  });
});
