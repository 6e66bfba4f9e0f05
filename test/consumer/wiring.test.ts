/**
 * The construct side of the consumer library: grants are least privilege, and the example consumer's
 * role can read exactly its own provider's token: not the other provider's token, not the state
 * parameter, not the credentials.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { addConsumers } from '../../examples/cdk/consumers.js';
import { ExampleConsumer } from '../../examples/lambda-consumer/example-consumer.js';
import { grantTokenRead, unusedClientModule, wireEcsContainer, wireLambdaConsumer } from '../../lib/consumer-wiring.js';
import { ProviderTokenRefresher } from '../../lib/provider-token-refresher.js';
import { parseProvidersFile } from '../../providers/providers-file.js';
import {
  permissions,
  rolePermissions,
  secretArnPattern,
  STUB_ENTRY,
  stackKeyArn,
  testApp,
  testStack,
} from '../infra/fixtures.js';

/** A 5-minute token: Parameter Store. */
const PARAMETER_STORE_PROVIDER = {
  id: 'a',
  preset: 'generic',
  tokenEndpoint: 'https://idp.example.com/token',
  clientId: 'c',
  grant: 'client_credentials',
  clientAuth: 'client_secret_post',
  expectedLifetimeSeconds: 300,
};
/** ClickView's one-day token: Secrets Manager. */
const SECRETS_MANAGER_PROVIDER = { id: 'cv', preset: 'clickview', clientId: 'cv-client' };

interface Built {
  stack: Stack;
  a: ProviderTokenRefresher;
  cv: ProviderTokenRefresher;
}

/** Two refreshers in one stack (bundling skipped); `extend` adds consumers before synthesis. */
function build(
  extend: (built: Built) => void = () => {},
  stack: Stack = testStack(),
  encryption: 'stack key' | 'aws-managed' | ((stack: Stack) => kms.IKey) = 'stack key',
): Built & { template: Template } {
  const [a, cv] = parseProvidersFile({ providers: [PARAMETER_STORE_PROVIDER, SECRETS_MANAGER_PROVIDER] }, 'test');
  const props = {
    functionEntry: STUB_ENTRY,
    ...(encryption === 'aws-managed' ? { awsManagedKeys: true } : {}),
    ...(typeof encryption === 'function' ? { encryptionKey: encryption(stack) } : {}),
  };
  const built = {
    stack,
    a: new ProviderTokenRefresher(stack, 'A', { provider: a!, ...props }),
    cv: new ProviderTokenRefresher(stack, 'Cv', { provider: cv!, ...props }),
  };
  extend(built);
  return { ...built, template: Template.fromStack(stack) };
}

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

/** `arn:${Partition}:ssm:${Region}:${AccountId}:parameter/<name>` as CloudFormation writes it. */
const ssmArn = (name: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':ssm:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:parameter/${name}`,
    ],
  ],
});

type Entry = Parameters<typeof permissions>[number];

const via = (service: string) => ({ 'Fn::Join': ['', [`${service}.`, { Ref: 'AWS::Region' }, '.amazonaws.com']] });

/** Reading one token: the store's read, and a decrypt with the stack key through the store, for that token only. */
function parameterRead(stack: Stack, name: string): Entry[] {
  return [
    [['ssm:GetParameter'], [ssmArn(name)]],
    [
      ['kms:Decrypt'],
      [stackKeyArn(stack)],
      {
        StringEquals: { 'kms:ViaService': via('ssm') },
        StringLike: { 'kms:EncryptionContext:PARAMETER_ARN': ssmArn(name) },
      },
    ],
  ];
}

function secretRead(stack: Stack, secretArn: unknown): Entry[] {
  return [
    [['secretsmanager:GetSecretValue'], [secretArn]],
    [
      ['kms:Decrypt'],
      [stackKeyArn(stack)],
      {
        StringEquals: { 'kms:ViaService': via('secretsmanager') },
        StringLike: { 'kms:EncryptionContext:SecretARN': secretArn as never },
      },
    ],
  ];
}

interface NagReport {
  pluginReports: { violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
}

describe('ExampleConsumer', () => {
  function buildExamples() {
    let consumers: { a: ExampleConsumer; cv: ExampleConsumer } | undefined;
    const built = build(({ stack, a, cv }) => {
      consumers = {
        a: new ExampleConsumer(stack, 'AExampleConsumer', { refresher: a }),
        cv: new ExampleConsumer(stack, 'CvExampleConsumer', { refresher: cv }),
      };
    });
    return { ...built, consumers: consumers! };
  }

  it('reads exactly its own Parameter Store token and writes its own logs, nothing else', () => {
    // GIVEN two providers, each with an example consumer
    // WHEN
    const { stack, template, consumers } = buildExamples();
    // THEN not the other provider's token, not the state parameter, not the credentials
    const logGroup = consumers.a.node.findChild('LogGroup') as unknown as { logGroupArn: string };
    expect(rolePermissions(template, logicalId(stack, consumers.a.role as iam.Role))).toEqual(
      permissions(
        [['logs:CreateLogStream', 'logs:PutLogEvents'], [stack.resolve(logGroup.logGroupArn)]],
        ...parameterRead(stack, 'token-refresher/a/token'),
      ),
    );
  });

  it('reads exactly its own Secrets Manager token and writes its own logs, nothing else', () => {
    // GIVEN / WHEN
    const { stack, template, consumers } = buildExamples();
    // THEN
    const logGroup = consumers.cv.node.findChild('LogGroup') as unknown as { logGroupArn: string };
    expect(rolePermissions(template, logicalId(stack, consumers.cv.role as iam.Role))).toEqual(
      permissions(
        [['logs:CreateLogStream', 'logs:PutLogEvents'], [stack.resolve(logGroup.logGroupArn)]],
        ...secretRead(stack, secretArnPattern('token-refresher/cv/token')),
      ),
    );
  });

  it('has no managed policy (no account-wide log permissions)', () => {
    // GIVEN / WHEN
    const { stack, template, consumers } = buildExamples();
    // THEN
    const role = template.findResources('AWS::IAM::Role')[logicalId(stack, consumers.a.role)];
    expect(role?.['Properties']['ManagedPolicyArns']).toBeUndefined();
  });

  it('is a Node.js 24 arm64 function told where the token is', () => {
    // GIVEN / WHEN
    const { stack, template, a, consumers } = buildExamples();
    // THEN
    const fn = template.findResources('AWS::Lambda::Function')[logicalId(stack, consumers.a.consumerFunction)];
    expect(fn?.['Properties']).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Environment: { Variables: { TOKEN_SOURCE: a.tokenSource, NODE_OPTIONS: '--enable-source-maps' } },
    });
    expect(a.tokenSource).toBe('ssm:/token-refresher/a/token');
  });

  it('gets the token secret name as its token source when the store is Secrets Manager', () => {
    // GIVEN / WHEN
    const { stack, template, consumers } = buildExamples();
    // THEN
    const fn = template.findResources('AWS::Lambda::Function')[logicalId(stack, consumers.cv.consumerFunction)];
    expect(fn?.['Properties']['Environment']['Variables']['TOKEN_SOURCE']).toBe(
      'secretsmanager:token-refresher/cv/token',
    );
  });

  describe('cdk-nag', () => {
    const outdirs: string[] = [];
    afterAll(() => {
      for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
    });

    it('adds no AwsSolutions finding', () => {
      // GIVEN an app checked by the AwsSolutions pack
      const outdir = mkdtempSync(path.join(tmpdir(), 'token-refresher-consumer-nag-'));
      outdirs.push(outdir);
      const app = testApp({ outdir });
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      build(({ stack, a, cv }) => {
        new ExampleConsumer(stack, 'AExampleConsumer', { refresher: a });
        new ExampleConsumer(stack, 'CvExampleConsumer', { refresher: cv });
      }, testStack(app));
      // WHEN
      app.synth();
      const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as NagReport;
      // THEN
      const found = report.pluginReports.flatMap((p) =>
        p.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} at ${c.constructPath}`)),
      );
      expect(found).toEqual([]);
    });
  });
});

describe('grantTokenRead', () => {
  function granted(
    refresherOf: (built: Built) => ProviderTokenRefresher,
    encryption: 'stack key' | 'aws-managed' | 'own key',
  ) {
    let role: iam.Role | undefined;
    let key: kms.Key | undefined;
    const built = build(
      (b) => {
        role = new iam.Role(b.stack, 'Consumer', { assumedBy: new iam.AccountRootPrincipal() });
        grantTokenRead(refresherOf(b), role);
      },
      testStack(),
      encryption === 'own key' ? (stack) => (key = new kms.Key(stack, 'Key')) : encryption,
    );
    const policies = Object.values(built.template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p['Properties']['Roles']).includes(logicalId(built.stack, role!)),
    );
    return { ...built, key, statements: policies.flatMap((p) => p['Properties']['PolicyDocument']['Statement']) };
  }

  it('with AWS-managed keys, grants the store read only (they need no IAM statement)', () => {
    // GIVEN / WHEN
    const { statements } = granted((b) => b.a, 'aws-managed');
    // THEN
    expect(statements).toEqual([
      { Action: 'ssm:GetParameter', Effect: 'Allow', Resource: ssmArn('token-refresher/a/token') },
    ]);
  });

  it('grants GetSecretValue only for a Secrets Manager token (no DescribeSecret)', () => {
    // GIVEN / WHEN
    const { statements } = granted((b) => b.cv, 'aws-managed');
    // THEN
    expect(statements).toEqual([
      {
        Action: 'secretsmanager:GetSecretValue',
        Effect: 'Allow',
        Resource: secretArnPattern('token-refresher/cv/token'),
      },
    ]);
  });

  it('with a customer-managed key, adds kms:Decrypt through SSM for this parameter only', () => {
    // GIVEN / WHEN
    const { stack, key, statements } = granted((b) => b.a, 'own key');
    // THEN
    expect(statements).toContainEqual({
      Action: 'kms:Decrypt',
      Effect: 'Allow',
      Resource: stack.resolve(key!.keyArn),
      Condition: {
        StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['ssm.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
        StringLike: { 'kms:EncryptionContext:PARAMETER_ARN': ssmArn('token-refresher/a/token') },
      },
    });
    expect(statements).toHaveLength(2);
  });

  it('with a customer-managed key, adds kms:Decrypt through Secrets Manager for this secret only', () => {
    // GIVEN / WHEN
    const { stack, key, statements } = granted((b) => b.cv, 'own key');
    // THEN
    expect(statements).toContainEqual({
      Action: 'kms:Decrypt',
      Effect: 'Allow',
      Resource: stack.resolve(key!.keyArn),
      Condition: {
        StringEquals: {
          'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
        },
        StringLike: { 'kms:EncryptionContext:SecretARN': secretArnPattern('token-refresher/cv/token') },
      },
    });
    expect(statements).toHaveLength(2);
  });
});

describe('wireLambdaConsumer', () => {
  it('grants read access and sets TOKEN_SOURCE in one call', () => {
    // GIVEN a consumer function
    let fn: lambda.Function | undefined;
    // WHEN
    const { stack, template } = build(({ stack, a }) => {
      fn = new lambda.Function(stack, 'Consumer', {
        runtime: lambda.Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => {}'),
      });
      wireLambdaConsumer(a, fn);
    });
    // THEN
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { TOKEN_SOURCE: 'ssm:/token-refresher/a/token' } },
    });
    expect(rolePermissions(template, logicalId(stack, fn!.role as iam.Role))).toEqual(
      permissions(...parameterRead(stack, 'token-refresher/a/token')),
    );
  });

  it('uses envName for the variable', () => {
    // GIVEN / WHEN
    const { template } = build(({ stack, cv }) => {
      const fn = new lambda.Function(stack, 'Consumer', {
        runtime: lambda.Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => {}'),
      });
      wireLambdaConsumer(cv, fn, { envName: 'CLICKVIEW_TOKEN' });
    });
    // THEN
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { CLICKVIEW_TOKEN: 'secretsmanager:token-refresher/cv/token' } },
    });
  });
});

describe('wireEcsContainer', () => {
  it('grants the task role (not the execution role) and sets TOKEN_SOURCE on the container', () => {
    // GIVEN a Fargate task definition with one container
    let task: ecs.FargateTaskDefinition | undefined;
    // WHEN
    const { stack, template } = build(({ stack, a }) => {
      task = new ecs.FargateTaskDefinition(stack, 'Task');
      const container = task.addContainer('App', {
        image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:24'),
      });
      wireEcsContainer(a, task, container);
    });
    // THEN the container reads the token at run time, not through `secrets`
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Environment: [{ Name: 'TOKEN_SOURCE', Value: 'ssm:/token-refresher/a/token' }],
          Secrets: Match.absent(),
        }),
      ],
    });
    expect(rolePermissions(template, logicalId(stack, task!.taskRole as iam.Role))).toEqual(
      permissions(...parameterRead(stack, 'token-refresher/a/token')),
    );
  });

  it('fails when the container belongs to another task definition', () => {
    // GIVEN two task definitions
    // WHEN / THEN
    expect(() =>
      build(({ stack, a }) => {
        const one = new ecs.FargateTaskDefinition(stack, 'One');
        const other = new ecs.FargateTaskDefinition(stack, 'Other');
        const container = other.addContainer('App', { image: ecs.ContainerImage.fromRegistry('node:24') });
        wireEcsContainer(a, one, container);
      }),
    ).toThrow('wireEcsContainer: container Test/Other/App belongs to Test/Other, not to Test/One');
  });
});

describe('unusedClientModule', () => {
  it("names the other store's SDK client: the one a consumer of this token never loads", () => {
    // GIVEN a Parameter Store refresher and a Secrets Manager refresher
    const { a, cv } = build();
    // WHEN / THEN
    expect(unusedClientModule(a)).toBe('@aws-sdk/client-secrets-manager');
    expect(unusedClientModule(cv)).toBe('@aws-sdk/client-ssm');
  });
});

describe('examples/cdk/consumers.ts', () => {
  it('wires a Lambda function and an ECS container to one provider, each reading only that token', () => {
    // GIVEN / WHEN
    const { stack, template } = build(({ stack, cv }) =>
      addConsumers(stack, cv, lambda.Code.fromInline('exports.handler = async () => {}')),
    );
    // THEN
    const [fnRole, taskRole] = ['ApiClientServiceRole', 'ApiClientTaskTaskRole'].map((prefix) => {
      const ids = Object.keys(template.findResources('AWS::IAM::Role')).filter((id) => id.startsWith(prefix));
      expect(ids).toHaveLength(1);
      return ids[0]!;
    });
    const cvSecret = secretArnPattern('token-refresher/cv/token');
    const tokenRead = permissions(...secretRead(stack, cvSecret));
    expect(rolePermissions(template, fnRole!)).toEqual(tokenRead);
    expect(rolePermissions(template, taskRole!)).toEqual(tokenRead);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: { TOKEN_SOURCE: 'secretsmanager:token-refresher/cv/token' },
      },
    });
  });
});
