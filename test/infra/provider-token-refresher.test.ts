import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { ProviderTokenRefresher, type ProviderTokenRefresherProps } from '../../lib/provider-token-refresher.js';
import { RUNTIME_CONFIG_ENV, runtimeConfigSchema } from '../../contract/provider-settings.js';
import { ALARM_KINDS, ALARM_SUFFIX } from '../../contract/refresher-manifest.js';
import { parseProvidersFile, type ResolvedProvider } from '../../providers/providers-file.js';
import {
  functionEnvironment,
  intrinsicOf,
  PARAMETER_STORE_ENTRY,
  SECRETS_MANAGER_ENTRY,
  onlyResource,
  permissions,
  readableArn,
  defaultBusEventsPermission,
  refresherKeyPermissions,
  resolvedProvider,
  rolePermissions,
  secretArnPattern,
  stackKeyArn,
  STUB_ENTRY,
  testApp,
  testStack,
} from './fixtures.js';

interface Built {
  stack: Stack;
  refresher: ProviderTokenRefresher;
  template: Template;
}

/** Builds one refresher in a fresh stack; `extend` may add to the stack before it is synthesised. */
function build(
  provider: ResolvedProvider,
  props: Partial<ProviderTokenRefresherProps> = {},
  extend: (stack: Stack, refresher: ProviderTokenRefresher) => void = () => {},
): Built {
  const stack = testStack();
  const refresher = new ProviderTokenRefresher(stack, 'Refresher', { provider, functionEntry: STUB_ENTRY, ...props });
  extend(stack, refresher);
  return { stack, refresher, template: Template.fromStack(stack) };
}

const buildParameterStore = () => build(resolvedProvider(PARAMETER_STORE_ENTRY));
const buildSecretsManager = () => build(resolvedProvider(SECRETS_MANAGER_ENTRY));

/** Logical id of a child construct's CloudFormation resource. */
function logicalId(built: Built, childPath: string): string {
  // The dead-letter queue, the log group and the schedule role are the stack's, shared by its refreshers.
  const child =
    built.refresher.node.tryFindChild(childPath) ?? built.stack.node.findChild(`TokenRefresherShared${childPath}`);
  const resource = child.node.defaultChild ?? child;
  return built.stack.getLogicalId(resource as never);
}

const ENVIRONMENT_KEYS = [RUNTIME_CONFIG_ENV, 'NODE_OPTIONS'];

describe('token store', () => {
  it('publishes a short-lived token to a SecureString parameter that the function creates', () => {
    // GIVEN a provider whose 5-minute token is written too often for Secrets Manager
    // WHEN
    const { refresher, template } = buildParameterStore();
    // THEN no token parameter resource (CloudFormation cannot create SecureStrings; the only parameter
    // is the manifest, a String) and no token secret
    expect(
      Object.values(template.findResources('AWS::SSM::Parameter')).map((p) => [
        p['Properties']['Name'],
        p['Properties']['Type'],
      ]),
    ).toEqual([['/token-refresher/loop-ps/manifest', 'String']]);
    template.resourceCountIs('AWS::SecretsManager::Secret', 1); // the credentials secret only
    expect(refresher.token).toEqual({ store: 'parameterstore', name: '/token-refresher/loop-ps/token' });
    expect(refresher.tokenSource).toBe('ssm:/token-refresher/loop-ps/token');
  });

  it('publishes a long-lived token to a Secrets Manager secret the function creates, addressed by name', () => {
    // GIVEN a provider with a one-day token
    // WHEN
    const built = buildSecretsManager();
    // THEN no token secret in the template (it must outlive any regrouping of stacks), only the credentials
    built.template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    expect(built.refresher.token).toEqual({ store: 'secretsmanager', name: 'token-refresher/loop-sm/token' });
    expect(built.refresher.tokenSource).toBe('secretsmanager:token-refresher/loop-sm/token');
  });
});

describe('credentials secret', () => {
  it('creates an empty, retained secret whose description names the keys of a password grant', () => {
    // GIVEN a password-grant provider without a credentials reference
    // WHEN
    const { template, refresher, stack } = buildParameterStore();
    // THEN
    const [, secret] = onlyResource(template, 'AWS::SecretsManager::Secret', 'RefresherCredentialsSecret');
    expect(secret).toEqual({
      Type: 'AWS::SecretsManager::Secret',
      Properties: {
        KmsKeyId: stackKeyArn(stack),
        Name: 'token-refresher/loop-ps/credentials',
        Description:
          'Credentials of OAuth provider "loop-ps" for token-refresher. Operators put this JSON: {"username": "...", "password": "..."}',
      },
      UpdateReplacePolicy: 'Retain',
      DeletionPolicy: 'Retain',
    });
    expect(refresher.manifest.credentialsSecret).toBe('token-refresher/loop-ps/credentials');
  });

  it('asks for the client secret only for a confidential client_credentials client', () => {
    // GIVEN a ClickView provider (client_credentials, secret in the body)
    const provider = resolvedProvider({ id: 'cv', preset: 'clickview', clientId: 'abc' });
    // WHEN
    const { template } = build(provider);
    // THEN
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'token-refresher/cv/credentials',
      Description: Match.stringLikeRegexp('Operators put this JSON: \\{"client_secret": "..."\\}$'),
    });
  });

  it('imports a secret given by ARN, creates none and gives the function that ARN', () => {
    // GIVEN
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:team/creds-AbCdEf';
    const provider = resolvedProvider({ ...PARAMETER_STORE_ENTRY, credentials: { secretArn: arn } });
    // WHEN
    const built = build(provider);
    // THEN
    built.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(built.refresher.manifest.credentialsSecret).toBe(arn);
    expect(rolePermissions(built.template, logicalId(built, 'FunctionRole'))).toContainEqual({
      action: 'secretsmanager:GetSecretValue',
      resource: arn,
    });
    const [, fn] = onlyResource(built.template, 'AWS::Lambda::Function');
    expect(functionEnvironment(fn).config).toMatchObject({ resources: { credentialsSecretId: arn } });
  });

  it('imports a secret given by name: IAM gets the suffix wildcard ARN, the function gets the name', () => {
    // GIVEN
    const provider = resolvedProvider({ ...PARAMETER_STORE_ENTRY, credentials: { secretName: 'team/creds' } });
    // WHEN
    const built = build(provider);
    // THEN the policy matches any version suffix of that one name (`-??????` is six characters exactly)
    built.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const credentialsPermission = rolePermissions(built.template, logicalId(built, 'FunctionRole')).filter(
      (p) => p.action === 'secretsmanager:GetSecretValue',
    );
    expect(credentialsPermission.map((p) => readableArn(p.resource))).toEqual([
      'arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:team/creds-??????',
    ]);
    // AND the function addresses the secret by name (the wildcard ARN is not a valid SecretId)
    const [, fn] = onlyResource(built.template, 'AWS::Lambda::Function');
    expect(functionEnvironment(fn).config).toMatchObject({ resources: { credentialsSecretId: 'team/creds' } });
    expect(built.refresher.manifest.credentialsSecret).toBe('team/creds');
  });
});

describe('function', () => {
  it('runs on Node.js 24 on arm64 with one reserved execution, 256 MB and a 30 s timeout', () => {
    // GIVEN / WHEN
    const { template } = buildParameterStore();
    // THEN
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      ReservedConcurrentExecutions: 1,
      MemorySize: 256,
      Timeout: 30,
      Description: 'Renews the OAuth access token of provider "loop-ps" (generic) and publishes it to Parameter Store',
    });
  });

  it('never retries an asynchronous invocation and sends failed ones to the dead-letter queue', () => {
    // GIVEN a provider checked every minute
    // WHEN
    const built = buildParameterStore();
    // THEN events older than one interval are dropped, and nothing is retried
    built.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(built, 'Function') },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
    });
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [logicalId(built, 'DeadLetterQueue'), 'Arn'] } },
    });
  });

  it('keeps an SQS-encrypted, TLS-only dead-letter queue for 14 days', () => {
    // GIVEN / WHEN
    const built = buildParameterStore();
    const queueId = logicalId(built, 'DeadLetterQueue');
    // THEN
    built.template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86_400,
    });
    built.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ],
      },
    });
  });

  it('logs to its own log group, kept three months by default', () => {
    // GIVEN / WHEN
    const built = buildParameterStore();
    // THEN
    built.template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: logicalId(built, 'LogGroup') } },
    });
    built.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('keeps logs as long as logRetention says', () => {
    // GIVEN / WHEN
    const { template } = build(resolvedProvider(PARAMETER_STORE_ENTRY), {
      logRetention: RetentionDays.ONE_MONTH,
    });
    // THEN
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('drops events after one interval, up to the 6 hours Lambda accepts for the longest interval', () => {
    // GIVEN a year-long token checked every 6 hours, the longest interval allowed
    const provider = resolvedProvider({
      ...SECRETS_MANAGER_ENTRY,
      expectedLifetimeSeconds: 366 * 86_400,
      checkIntervalMinutes: 360,
    });
    // WHEN
    const { template } = build(provider);
    // THEN
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumEventAgeInSeconds: 6 * 3600 });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      // Every 6 hours, at a minute and hour of its own (providers/schedule-offset.ts).
      ScheduleExpression: Match.stringLikeRegexp('^cron\\(\\d+ [0-5]/6 \\* \\* \\? \\*\\)$'),
      Target: Match.objectLike({ RetryPolicy: { MaximumEventAgeInSeconds: 6 * 3600, MaximumRetryAttempts: 0 } }),
    });
  });
});

describe('function configuration', () => {
  it('sets exactly the runtime configuration and source maps in the environment', () => {
    // GIVEN / WHEN
    const { template } = buildParameterStore();
    // THEN
    const [, fn] = onlyResource(template, 'AWS::Lambda::Function');
    const { variables } = functionEnvironment(fn);
    expect(Object.keys(variables).sort()).toEqual([...ENVIRONMENT_KEYS].sort());
    expect(variables).toMatchObject({ NODE_OPTIONS: '--enable-source-maps' });
  });

  it('gives the function a configuration its runtime schema accepts, naming the parameters it owns', () => {
    // GIVEN
    const provider = resolvedProvider(PARAMETER_STORE_ENTRY);
    // WHEN
    const built = build(provider);
    // THEN
    const [, fn] = onlyResource(built.template, 'AWS::Lambda::Function');
    const config = runtimeConfigSchema.parse(functionEnvironment(fn).config);
    expect(config.provider).toEqual(provider.settings);
    expect(config.resources.tokenStore).toEqual({ kind: 'parameterstore', id: '/token-refresher/loop-ps/token' });
    expect(config.resources.stateParameterName).toBe('/token-refresher/loop-ps/state');
    // By name: the secret may live in another stack of the stage (lib/token-refresher-fleet.ts).
    expect(config.resources.credentialsSecretId).toBe('token-refresher/loop-ps/credentials');
  });

  it('names the token secret by name when the store is Secrets Manager', () => {
    // GIVEN / WHEN
    const built = buildSecretsManager();
    // THEN
    const [, fn] = onlyResource(built.template, 'AWS::Lambda::Function');
    const config = runtimeConfigSchema.parse(functionEnvironment(fn).config);
    expect(config.resources.tokenStore.kind).toBe('secretsmanager');
    expect(config.resources.tokenStore.id).toBe('token-refresher/loop-sm/token');
  });

  it("names the stack whose token secret (0.1.0) is the stage's own: the one holding the credentials", () => {
    // GIVEN / WHEN
    const built = buildSecretsManager();
    // THEN its own stack's id, as CloudFormation tags the resources it creates
    const [, fn] = onlyResource(built.template, 'AWS::Lambda::Function');
    const config = runtimeConfigSchema.parse(functionEnvironment(fn).config);
    expect(intrinsicOf(config.resources.legacyStackId!)).toEqual({ Ref: 'AWS::StackId' });
  });

  it('fails when the provider settings break the runtime schema', () => {
    // GIVEN settings built by hand, bypassing parseProvidersFile, with a plain-http public endpoint
    const good = resolvedProvider(PARAMETER_STORE_ENTRY);
    const bad: ResolvedProvider = {
      ...good,
      settings: { ...good.settings, tokenEndpoint: 'http://idp.example.com/token' },
    };
    // WHEN / THEN
    expect(() => build(bad)).toThrow(
      /^Test\/Refresher: invalid runtime configuration: provider\.tokenEndpoint: must be an https:\/\/ URL/,
    );
  });
});

describe('the token endpoint of a deployed refresher', () => {
  it.each(['http://localhost:8080/token', 'http://127.0.0.1:8080/token', 'http://[::1]:8080/token'])(
    'refuses %s, which a file read for local mode accepts, naming the provider, the field and the fix',
    (tokenEndpoint) => {
      // GIVEN a provider resolved for local mode (as `token-refresher run` reads the file)
      const [local] = parseProvidersFile(
        { providers: [{ ...PARAMETER_STORE_ENTRY, tokenEndpoint }] },
        'providers.json',
        { target: 'local' },
      );
      // WHEN / THEN the construct refuses it all the same
      expect(() => build(local!)).toThrow(
        `Test/Refresher: provider "loop-ps", field "tokenEndpoint": got "${tokenEndpoint}": must be an https:// URL ` +
          'when deployed: plain http:// on a loopback host is for local mode only (token-refresher run, check, the ' +
          "demo); in AWS it would reach the function's own sandbox, not this machine: give the IdP's https:// URL",
      );
    },
  );

  it('refuses loopback http in settings built by hand, bypassing the providers file', () => {
    const good = resolvedProvider(PARAMETER_STORE_ENTRY);
    const bad: ResolvedProvider = { ...good, settings: { ...good.settings, tokenEndpoint: 'http://localhost/token' } };
    expect(() => build(bad)).toThrow(
      /^Test\/Refresher: provider "loop-ps", field "tokenEndpoint": got "http:\/\/localhost\/token"/,
    );
  });
});

describe('function permissions', () => {
  it('grants exactly its log group, credentials, token and state parameters (refresh token, ledger) and dead-letter queue (Parameter Store)', () => {
    // GIVEN / WHEN
    const built = buildParameterStore();
    const { stack, refresher } = built;
    // THEN
    const logGroup = built.stack.node.findChild('TokenRefresherSharedLogGroup') as logs.LogGroup;
    expect(rolePermissions(built.template, logicalId(built, 'FunctionRole'))).toEqual(
      permissions(
        [['logs:CreateLogStream', 'logs:PutLogEvents'], [stack.resolve(logGroup.logGroupArn)]],
        [['secretsmanager:GetSecretValue'], [secretArnPattern('token-refresher/loop-ps/credentials')]],
        [
          ['ssm:GetParameter', 'ssm:PutParameter'],
          [
            ssmArn('token-refresher/loop-ps/token'),
            ssmArn('token-refresher/loop-ps/state'),
            ssmArn('token-refresher/loop-ps/ledger'),
          ],
        ],
        [['sqs:SendMessage'], [stack.resolve(refresher.deadLetterQueue.queueArn)]],
        defaultBusEventsPermission(),
        ...refresherKeyPermissions(stackKeyArn(stack), 'token-refresher', 'loop-ps'),
      ),
    );
  });

  it('grants exactly its log group, credentials, token secret, state parameter and dead-letter queue (Secrets Manager)', () => {
    // GIVEN / WHEN
    const built = buildSecretsManager();
    const { stack, refresher } = built;
    // THEN
    const logGroup = built.stack.node.findChild('TokenRefresherSharedLogGroup') as logs.LogGroup;
    expect(rolePermissions(built.template, logicalId(built, 'FunctionRole'))).toEqual(
      permissions(
        [['logs:CreateLogStream', 'logs:PutLogEvents'], [stack.resolve(logGroup.logGroupArn)]],
        [['secretsmanager:GetSecretValue'], [secretArnPattern('token-refresher/loop-sm/credentials')]],
        [
          [
            'secretsmanager:GetSecretValue',
            'secretsmanager:PutSecretValue',
            'secretsmanager:CreateSecret',
            // Only to check a token secret it finds before using it (lambda/adapters/token-secret-check.ts).
            'secretsmanager:DescribeSecret',
            'secretsmanager:GetResourcePolicy',
          ],
          [secretArnPattern('token-refresher/loop-sm/token')],
        ],
        [
          ['ssm:GetParameter', 'ssm:PutParameter'],
          [ssmArn('token-refresher/loop-sm/state'), ssmArn('token-refresher/loop-sm/ledger')],
        ],
        [['sqs:SendMessage'], [stack.resolve(refresher.deadLetterQueue.queueArn)]],
        defaultBusEventsPermission(),
        ...refresherKeyPermissions(stackKeyArn(stack), 'token-refresher', 'loop-sm'),
      ),
    );
  });

  it('scopes the state parameter ARNs to parameter/<prefix>/<provider id>/state and …/ledger', () => {
    // GIVEN / WHEN
    const built = buildParameterStore();
    // THEN
    const arns = rolePermissions(built.template, logicalId(built, 'FunctionRole'))
      .filter((p) => p.action === 'ssm:PutParameter')
      .map((p) => readableArn(p.resource));
    expect(arns).toContain(
      'arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/token-refresher/loop-ps/state',
    );
    expect(arns).toContain(
      'arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/token-refresher/loop-ps/ledger',
    );
  });

  it('uses an explicit role with no managed policy (no account-wide log permissions)', () => {
    // GIVEN / WHEN
    const built = buildParameterStore();
    // THEN
    const [, role] = onlyResource(built.template, 'AWS::IAM::Role', logicalId(built, 'FunctionRole'));
    expect(role['Properties']).toMatchObject({
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
      },
    });
    expect(role['Properties']).not.toHaveProperty('ManagedPolicyArns');
    expect(role['Properties']).not.toHaveProperty('Policies');
  });

  it('has no wildcard in any resource of any policy', () => {
    // GIVEN / WHEN
    const built = buildSecretsManager();
    // THEN
    for (const roleId of [logicalId(built, 'FunctionRole'), logicalId(built, 'ScheduleRole')]) {
      for (const { resource } of rolePermissions(built.template, roleId)) {
        expect(readableArn(resource)).not.toContain('*');
      }
    }
  });
});

describe('schedule', () => {
  it('runs the function every checkIntervalMinutes through EventBridge Scheduler, without retries', () => {
    // GIVEN a 5-minute token, checked every minute
    // WHEN
    const built = buildParameterStore();
    // THEN
    built.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [logicalId(built, 'Function'), 'Arn'] },
        RoleArn: { 'Fn::GetAtt': [logicalId(built, 'ScheduleRole'), 'Arn'] },
        Input: JSON.stringify({
          source: 'token-refresher.schedule',
          provider: 'loop-ps',
          scheduledTime: '<aws.scheduler.scheduled-time>',
        }),
        RetryPolicy: { MaximumEventAgeInSeconds: 60, MaximumRetryAttempts: 0 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(built, 'DeadLetterQueue'), 'Arn'] } },
      },
    });
  });

  it('lets only this account’s default schedule group assume the schedule role', () => {
    // GIVEN / WHEN
    const built = buildParameterStore();
    // THEN
    const [, role] = onlyResource(built.template, 'AWS::IAM::Role', logicalId(built, 'ScheduleRole'));
    type Trust = {
      AssumeRolePolicyDocument: { Statement: { Condition: { StringEquals: Record<string, unknown> } }[] };
    };
    const statements = (role['Properties'] as Trust).AssumeRolePolicyDocument.Statement;
    expect(statements).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': expect.anything(), 'aws:SourceArn': expect.anything() } },
      },
    ]);
    const condition = statements.map((statement) => statement.Condition.StringEquals)[0] ?? {};
    expect(condition['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
    expect(readableArn(condition['aws:SourceArn'])).toBe(
      'arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule-group/default',
    );
  });

  it('lets the schedule invoke the unqualified function and write to the dead-letter queue, nothing else', () => {
    // GIVEN / WHEN
    const built = buildParameterStore();
    // THEN
    expect(rolePermissions(built.template, logicalId(built, 'ScheduleRole'))).toEqual(
      permissions(
        [['lambda:InvokeFunction'], [{ 'Fn::GetAtt': [logicalId(built, 'Function'), 'Arn'] }]],
        [['sqs:SendMessage'], [{ 'Fn::GetAtt': [logicalId(built, 'DeadLetterQueue'), 'Arn'] }]],
      ),
    );
  });
});

describe('grantRead', () => {
  /** Builds the refresher and a consumer role, grants, and returns the consumer's permissions. */
  function consumerPermissions(entry: Record<string, unknown>) {
    let consumer: iam.Role | undefined;
    // GIVEN a consumer role  WHEN it is granted read access
    const built = build(resolvedProvider(entry), {}, (stack, refresher) => {
      consumer = new iam.Role(stack, 'Consumer', { assumedBy: new iam.AccountRootPrincipal() });
      refresher.grantRead(consumer);
    });
    const consumerId = built.stack.getLogicalId(consumer?.node.defaultChild as iam.CfnRole);
    return { built, granted: rolePermissions(built.template, consumerId) };
  }

  it('lets a grantee read the published parameter and nothing else', () => {
    // GIVEN / WHEN
    const { built, granted } = consumerPermissions(PARAMETER_STORE_ENTRY);
    // THEN not the state parameter, not the credentials; the key only through SSM, for this parameter
    expect(granted).toEqual(
      permissions(
        [['ssm:GetParameter'], [ssmArn('token-refresher/loop-ps/token')]],
        [
          ['kms:Decrypt'],
          [stackKeyArn(built.stack)],
          {
            StringEquals: {
              'kms:ViaService': { 'Fn::Join': ['', ['ssm.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
            },
            StringLike: { 'kms:EncryptionContext:PARAMETER_ARN': ssmArn('token-refresher/loop-ps/token') },
          },
        ],
      ),
    );
  });

  it('lets a grantee read the published secret and nothing else', () => {
    // GIVEN / WHEN
    const { built, granted } = consumerPermissions(SECRETS_MANAGER_ENTRY);
    // THEN
    const secretArn = secretArnPattern('token-refresher/loop-sm/token');
    expect(granted).toEqual(
      permissions(
        [['secretsmanager:GetSecretValue'], [secretArn]],
        [
          ['kms:Decrypt'],
          [stackKeyArn(built.stack)],
          {
            StringEquals: {
              'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
            },
            StringLike: { 'kms:EncryptionContext:SecretARN': secretArn },
          },
        ],
      ),
    );
  });
});

describe('names', () => {
  it('puts namePrefix in every secret and parameter name', () => {
    // GIVEN
    const provider = resolvedProvider(SECRETS_MANAGER_ENTRY);
    // WHEN
    const built = build(provider, { namePrefix: 'acme-tokens' });
    // THEN
    built.template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'acme-tokens/loop-sm/credentials' });
    expect(built.refresher.tokenSource).toBe('secretsmanager:acme-tokens/loop-sm/token');
    expect(built.refresher.manifest.stateParameter).toBe('/acme-tokens/loop-sm/state');
    const [, fn] = onlyResource(built.template, 'AWS::Lambda::Function');
    expect(functionEnvironment(fn).config).toMatchObject({
      resources: { stateParameterName: '/acme-tokens/loop-sm/state' },
    });
  });

  it('exposes the provider id and its resources', () => {
    // GIVEN / WHEN
    const { refresher } = buildParameterStore();
    // THEN
    expect(refresher.providerId).toBe('loop-ps');
    expect(refresher.manifest.stateParameter).toBe('/token-refresher/loop-ps/state');
    expect(refresher.refreshFunction.node.path).toBe('Test/Refresher/Function');
    expect(refresher.schedule.node.path).toBe('Test/Refresher/Schedule');
    // Shared by the stack's refreshers (lib/private/stack-shared.ts).
    expect(refresher.deadLetterQueue.node.path).toBe('Test/TokenRefresherSharedDeadLetterQueue');
  });

  it('exposes its alarms as one object by kind, named as the manifest names them', () => {
    // GIVEN / WHEN
    const { refresher, stack } = buildParameterStore();
    // THEN
    expect(Object.keys(refresher.alarms)).toEqual([...ALARM_KINDS]);
    for (const kind of ALARM_KINDS) {
      expect(refresher.alarms[kind].node.path).toBe(`Test/Refresher/${ALARM_SUFFIX[kind]}Alarm`);
      expect(stack.resolve(refresher.alarms[kind].alarmName)).toEqual(stack.resolve(refresher.manifest.alarms[kind]));
    }
    expect(refresher.credentialsSecret.node.path).toBe('Test/Refresher/CredentialsSecret');
  });

  it('fails when namePrefix cannot be part of secret and parameter names', () => {
    // GIVEN
    const provider = resolvedProvider(PARAMETER_STORE_ENTRY);
    // WHEN / THEN
    expect(() => build(provider, { namePrefix: 'team/tokens' })).toThrow(
      'Test/Refresher: "namePrefix" must be 1 to 40 of A-Z a-z 0-9 _ . -, starting and ending with a letter or digit; got "team/tokens"',
    );
  });

  it('names everything of stage x after token-refresher-x when no namePrefix is given', () => {
    // GIVEN
    const provider = resolvedProvider(PARAMETER_STORE_ENTRY);
    // WHEN
    const { refresher, template } = build(provider, { stage: 'x' });
    // THEN
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'token-refresher-x/loop-ps/credentials' });
    expect(refresher.tokenSource).toBe('ssm:/token-refresher-x/loop-ps/token');
    expect(refresher.manifest.stateParameter).toBe('/token-refresher-x/loop-ps/state');
    template.hasResourceProperties('AWS::IAM::Role', { Path: '/token-refresher-x/loop-ps/' });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { Name: 'token-refresher-x_loop-ps' });
    expect(
      Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a['Properties']['AlarmName']),
    ).toEqual([
      'token-refresher-x_loop-ps-TokenFreshness',
      'token-refresher-x_loop-ps-CredentialsRejected',
      'token-refresher-x_loop-ps-RefresherSilent',
    ]);
    expect(refresher.manifest).toMatchObject({ stage: 'x', scheduleName: 'token-refresher-x_loop-ps' });
  });

  it('fails when a stage cannot be part of the names it would give', () => {
    // GIVEN
    const provider = resolvedProvider(PARAMETER_STORE_ENTRY);
    // WHEN / THEN
    expect(() => build(provider, { stage: 'Prod_1' })).toThrow(
      'Test/Refresher: stage "Prod_1" must be 1 to 20 lowercase letters, digits or hyphens, starting and ending with a letter or digit, or give a "namePrefix"',
    );
  });

  it('fails when namePrefix starts with a name SSM reserves', () => {
    // GIVEN
    const provider = resolvedProvider(PARAMETER_STORE_ENTRY);
    // WHEN / THEN
    expect(() => build(provider, { namePrefix: 'SSM-tokens' })).toThrow(
      'Test/Refresher: "namePrefix" must not start with "aws" or "ssm" (SSM reserves those parameter names); got "SSM-tokens"',
    );
  });
});

describe('one app', () => {
  const provider = resolvedProvider(PARAMETER_STORE_ENTRY);
  const refresher = (stack: Stack, props: Partial<ProviderTokenRefresherProps> = {}) =>
    new ProviderTokenRefresher(stack, 'Refresher', { provider, functionEntry: STUB_ENTRY, ...props });

  it('fails when two stacks get a refresher of the same provider and stage, naming both and the fix', () => {
    // GIVEN one refresher of provider loop-ps in stage x
    const app = testApp();
    refresher(testStack(app, 'First'), { stage: 'x' });
    // WHEN / THEN a second one in another stack of the app
    expect(() => refresher(testStack(app, 'Second'), { stage: 'x' })).toThrow(
      'Second/Refresher would deploy the same names as First/Refresher in the same account and region ' +
        '(credentials secret "token-refresher-x/loop-ps/credentials", token parameter "/token-refresher-x/loop-ps/token", ' +
        'state parameter "/token-refresher-x/loop-ps/state", ledger parameter "/token-refresher-x/loop-ps/ledger", ' +
        'manifest parameter "/token-refresher-x/loop-ps/manifest", ' +
        'role path "/token-refresher-x/loop-ps/", schedule "token-refresher-x_loop-ps", metrics "TokenRefresher/x Provider=loop-ps", ' +
        'tokenFreshness alarm "token-refresher-x_loop-ps-TokenFreshness", ' +
        'credentialsRejected alarm "token-refresher-x_loop-ps-CredentialsRejected", ' +
        'refresherSilent alarm "token-refresher-x_loop-ps-RefresherSilent"): ' +
        "the second deployment would fail, or silently replace the first one's. " +
        'Keep one of them, or give one its own "stage" (or "namePrefix")',
    );
  });

  it('fails when a namePrefix gives a refresher the names of another stage', () => {
    // GIVEN the default stage's refresher
    const app = testApp();
    refresher(testStack(app, 'Default'));
    // WHEN / THEN stage x with the default stage's prefix
    expect(() => refresher(testStack(app, 'X'), { stage: 'x', namePrefix: 'token-refresher' })).toThrow(
      /^X\/Refresher would deploy the same names as Default\/Refresher in the same account and region \(.*schedule "token-refresher-loop-ps"/,
    );
  });

  it('fails for the same provider in the default stage twice, in one stack', () => {
    // GIVEN
    const stack = testStack();
    new ProviderTokenRefresher(stack, 'One', { provider, functionEntry: STUB_ENTRY });
    // WHEN / THEN
    expect(() => new ProviderTokenRefresher(stack, 'Two', { provider, functionEntry: STUB_ENTRY })).toThrow(
      /^Test\/Two would deploy the same names as Test\/One in the same account and region/,
    );
  });

  it('accepts one provider in two stages, and in two regions of one stage', () => {
    // GIVEN / WHEN
    const app = testApp();
    refresher(testStack(app, 'Default'));
    refresher(testStack(app, 'StageX'), { stage: 'x' });
    const inRegion = (id: string, region: string) => new Stack(app, id, { env: { account: '123456789012', region } });
    const west = refresher(inRegion('West', 'eu-west-1'), { stage: 'y' });
    const central = refresher(inRegion('Central', 'eu-central-1'), { stage: 'y' });
    // THEN
    expect(west.manifest.scheduleName).toBe(central.manifest.scheduleName);
  });

  it('gives two name prefixes of one provider and stage their own metrics, so no alarm watches the other', () => {
    // GIVEN one account and region, one provider, two prefixes (a blue/green deployment)
    const app = testApp();
    const blue = refresher(testStack(app, 'Blue'), { namePrefix: 'team-a' });
    const green = refresher(testStack(app, 'Green'), { namePrefix: 'team-b' });
    const plain = refresher(testStack(app, 'Plain'), { stage: 'x' });
    // WHEN
    const namespaces = [blue, green, plain].map((r) => r.metricTokenSecondsRemaining().namespace);
    // THEN each watches its own namespace, which its function is told to emit to
    expect(new Set(namespaces).size).toBe(3);
    for (const r of [blue, green]) {
      const [, fn] = onlyResource(Template.fromStack(Stack.of(r)), 'AWS::Lambda::Function');
      const config = runtimeConfigSchema.parse(functionEnvironment(fn).config);
      expect(config.resources.metricsNamespace).toBe(r.metricTokenSecondsRemaining().namespace);
      expect(r.manifest.metricsNamespace).toBe(r.metricTokenSecondsRemaining().namespace);
    }
  });

  it('fails for one provider and stage in an explicit region and an environment-agnostic stack', () => {
    // GIVEN a stack that may be deployed to any region, eu-west-1 included
    const app = testApp();
    refresher(testStack(app, 'Anywhere'), { stage: 'y' });
    // WHEN / THEN
    expect(() =>
      refresher(new Stack(app, 'West', { env: { account: '123456789012', region: 'eu-west-1' } }), { stage: 'y' }),
    ).toThrow(/^West\/Refresher would deploy the same names as Anywhere\/Refresher/);
  });
});

/** What an SSM parameter ARN in an environment-agnostic stack synthesises to. */
function ssmArn(nameWithoutSlash: string): unknown {
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':ssm:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        `:parameter/${nameWithoutSlash}`,
      ],
    ],
  };
}

describe('customer-managed KMS key', () => {
  function buildWithKey(
    entry: Record<string, unknown>,
    extend: (stack: Stack, r: ProviderTokenRefresher) => void = () => {},
  ) {
    const stack = testStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const refresher = new ProviderTokenRefresher(stack, 'Refresher', {
      provider: resolvedProvider(entry),
      functionEntry: STUB_ENTRY,
      encryptionKey: key,
    });
    extend(stack, refresher);
    return { stack, key, refresher, template: Template.fromStack(stack) };
  }

  it('encrypts the created secrets with it and tells the function to create its parameters with it', () => {
    // GIVEN / WHEN
    const sm = buildWithKey(SECRETS_MANAGER_ENTRY);
    const ps = buildWithKey(PARAMETER_STORE_ENTRY);
    // THEN
    const keyArn = { 'Fn::GetAtt': [sm.stack.getLogicalId(sm.key.node.defaultChild as never), 'Arn'] };
    sm.template.resourcePropertiesCountIs('AWS::SecretsManager::Secret', { KmsKeyId: keyArn }, 1);
    const [, fn] = onlyResource(ps.template, 'AWS::Lambda::Function');
    expect(JSON.stringify(functionEnvironment(fn).config)).toContain('"parameterKeyId"');
  });

  it('lets the function use it only through SSM and Secrets Manager, for its own names only', () => {
    // GIVEN / WHEN
    const { template, key, stack, refresher } = buildWithKey(PARAMETER_STORE_ENTRY);
    // THEN
    const roleId = stack.getLogicalId(refresher.node.findChild('FunctionRole').node.defaultChild as never);
    const kmsPermissions = rolePermissions(template, roleId).filter((p) => p.action.startsWith('kms:'));
    expect(kmsPermissions).toEqual(
      permissions(...refresherKeyPermissions(stack.resolve(key.keyArn), 'token-refresher', 'loop-ps')),
    );
    // AND no key of its own is created beside the one given
    template.resourceCountIs('AWS::KMS::Key', 1);
  });

  it('makes grantRead add kms:Decrypt for this token only', () => {
    // GIVEN / WHEN
    let consumer: iam.Role | undefined;
    const { stack, template } = buildWithKey(PARAMETER_STORE_ENTRY, (s, refresher) => {
      consumer = new iam.Role(s, 'Consumer', { assumedBy: new iam.AccountRootPrincipal() });
      refresher.grantRead(consumer);
    });
    // THEN
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
      JSON.stringify(p['Properties']['Roles']).includes(stack.getLogicalId(consumer!.node.defaultChild as never)),
    );
    const statements = policy!['Properties']['PolicyDocument']['Statement'] as {
      Action: string;
      Condition?: unknown;
    }[];
    expect(statements.map((s) => s.Action)).toEqual(['ssm:GetParameter', 'kms:Decrypt']);
    expect(JSON.stringify(statements[1]!.Condition)).toContain('kms:EncryptionContext:PARAMETER_ARN');
  });
});

describe('the stack key (the default)', () => {
  const policyOf = (template: Template) => {
    const [, key] = onlyResource(template, 'AWS::KMS::Key');
    return (key['Properties'] as { KeyPolicy: { Statement: unknown } }).KeyPolicy.Statement as {
      Sid: string;
      Action: string | string[];
      Principal: unknown;
      Condition?: Record<string, Record<string, unknown>>;
    }[];
  };

  it('creates one rotating key per stack, shared by every refresher in it', () => {
    // GIVEN / WHEN two refreshers in one stack
    const built = build(resolvedProvider(PARAMETER_STORE_ENTRY), {}, (stack) => {
      new ProviderTokenRefresher(stack, 'Other', {
        provider: resolvedProvider(SECRETS_MANAGER_ENTRY),
        functionEntry: STUB_ENTRY,
      });
    });
    // THEN
    built.template.resourceCountIs('AWS::KMS::Key', 1);
    built.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('lets the account administer the key but not use it, so IAM alone never grants a decrypt of the state', () => {
    // GIVEN / WHEN
    const { template } = buildParameterStore();
    // THEN the account's administrative statement has no use action
    const statements = policyOf(template);
    const admin = statements.find((st) => st.Sid === 'AccountAdministersButDoesNotUse')!;
    for (const action of ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncrypt*', 'kms:*']) {
      expect(admin.Action).not.toContain(action);
    }
    // AND every statement that grants a use is narrowed to refresher roles or to token, credentials
    // and (encrypt only) state names
    for (const st of statements.filter((x) => x.Sid !== 'AccountAdministersButDoesNotUse')) {
      const conditions = JSON.stringify(st.Condition);
      expect(conditions).toContain('kms:ViaService');
      expect(
        conditions.includes('aws:PrincipalArn') ||
          conditions.includes('/*/token') ||
          conditions.includes('/*/credentials-??????') ||
          (conditions.includes('/*/state') && !JSON.stringify(st.Action).includes('Decrypt')),
        `statement ${st.Sid} is narrowed`,
      ).toBe(true);
    }
  });

  it('admits refresher roles by their IAM path, consumers only for tokens, operators only to write credentials and states', () => {
    // GIVEN / WHEN
    const { template } = buildParameterStore();
    // THEN
    const bySid = Object.fromEntries(policyOf(template).map((st) => [st.Sid, st]));
    expect(
      readableArn(
        bySid['RefreshersUseThroughTheirStorestokenrefresher']!.Condition!['ArnLike']!['aws:PrincipalArn'] as never,
      ),
    ).toBe('arn:<AWS::Partition>:iam::<AWS::AccountId>:role/token-refresher/*');
    expect(bySid['ConsumersDecryptTokenParameterstokenrefresher']!.Action).toBe('kms:Decrypt');
    expect(bySid['ConsumersDecryptTokenSecretstokenrefresher']!.Action).toBe('kms:Decrypt');
    expect(bySid['OperatorsWriteCredentialstokenrefresher']!.Action).toEqual(['kms:Encrypt', 'kms:GenerateDataKey']);
    const state = bySid['OperatorsConnectStatetokenrefresher']!;
    expect(state.Action).toEqual(['kms:Encrypt', 'kms:GenerateDataKey*']);
    expect(readableArn(state.Condition!['StringLike']!['kms:EncryptionContext:PARAMETER_ARN'] as never)).toBe(
      'arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/token-refresher/*/state',
    );
    const [, role] = onlyResource(template, 'AWS::IAM::Role', 'RefresherFunctionRole');
    expect((role['Properties'] as { Path: string }).Path).toBe('/token-refresher/loop-ps/');
  });

  it('keeps the key policy the same size however many providers share the key', () => {
    // GIVEN / WHEN one refresher, then five
    const one = buildParameterStore();
    const five = build(resolvedProvider(PARAMETER_STORE_ENTRY), {}, (stack) => {
      for (const id of ['b', 'c', 'd', 'e']) {
        new ProviderTokenRefresher(stack, id, {
          provider: resolvedProvider({ ...PARAMETER_STORE_ENTRY, id }),
          functionEntry: STUB_ENTRY,
        });
      }
    });
    // THEN
    expect(policyOf(five.template)).toHaveLength(policyOf(one.template).length);
  });

  it('lets only the refresher read a credentials secret the construct creates; operators may still write it', () => {
    // GIVEN / WHEN
    const built = buildParameterStore();
    // THEN
    built.template.hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
      SecretId: { Ref: logicalId(built, 'CredentialsSecret') },
      ResourcePolicy: {
        Statement: [
          {
            Sid: 'OnlyTheRefresherReadsTheCredentials',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'secretsmanager:GetSecretValue',
            Resource: '*',
            // By the role's IAM path, which only this refresher's role has: the secret may live in another stack.
            Condition: {
              ArnNotLike: {
                'aws:PrincipalArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':iam::',
                      { Ref: 'AWS::AccountId' },
                      ':role/token-refresher/loop-ps/*',
                    ],
                  ],
                },
              },
            },
          },
        ],
      },
    });
  });

  it('leaves an imported credentials secret’s resource policy to its owner', () => {
    // GIVEN / WHEN
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:team/creds-AbCdEf';
    const built = build(resolvedProvider({ ...PARAMETER_STORE_ENTRY, credentials: { secretArn: arn } }));
    // THEN
    built.template.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 0);
  });

  it('can be opted out of: AWS-managed keys, no KMS statement, the read restriction stays', () => {
    // GIVEN / WHEN
    const built = build(resolvedProvider(SECRETS_MANAGER_ENTRY), { awsManagedKeys: true });
    // THEN
    built.template.resourceCountIs('AWS::KMS::Key', 0);
    for (const secret of Object.values(built.template.findResources('AWS::SecretsManager::Secret'))) {
      expect(secret['Properties']).not.toHaveProperty('KmsKeyId');
    }
    const roleId = logicalId(built, 'FunctionRole');
    expect(rolePermissions(built.template, roleId).filter((p) => p.action.startsWith('kms:'))).toEqual([]);
    built.template.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 1);
    const [, fn] = onlyResource(built.template, 'AWS::Lambda::Function');
    expect(JSON.stringify(functionEnvironment(fn).config)).not.toContain('parameterKeyId');
  });

  it('refuses a key and the opt-out together', () => {
    // GIVEN / WHEN / THEN
    expect(() => build(resolvedProvider(PARAMETER_STORE_ENTRY), { awsManagedKeys: true }, () => {})).not.toThrow();
    const stack = testStack();
    expect(
      () =>
        new ProviderTokenRefresher(stack, 'R', {
          provider: resolvedProvider(PARAMETER_STORE_ENTRY),
          functionEntry: STUB_ENTRY,
          awsManagedKeys: true,
          encryptionKey: new kms.Key(stack, 'K'),
        }),
    ).toThrow('give either "encryptionKey" or "awsManagedKeys", not both');
  });
});
