import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { CfnResolver, type CfnTemplate, parameterArn, secretArn, TEST_ENV } from './cfn-resolver.js';

const ACCOUNT = TEST_ENV.account;
const REGION = TEST_ENV.region;

function resolver(stacks: Record<string, CfnTemplate>): CfnResolver {
  return new CfnResolver(new Map(Object.entries(stacks)));
}

const one = (resources: CfnTemplate['Resources'], outputs?: CfnTemplate['Outputs']) =>
  resolver({ S: { Resources: resources ?? {}, ...(outputs ? { Outputs: outputs } : {}) } });

describe('CfnResolver', () => {
  it('replaces the pseudo parameters with the fixed account, region and partition', () => {
    const value = {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':x'],
      ],
    };
    expect(one({}).resolve('S', value)).toBe(`arn:aws:ssm:${REGION}:${ACCOUNT}:x`);
    expect(one({}).resolve('S', { Ref: 'AWS::StackName' })).toBe('S');
    expect(one({}).resolve('S', { Ref: 'AWS::URLSuffix' })).toBe('amazonaws.com');
  });

  it('resolves inside objects and lists, and leaves literals alone', () => {
    const value = { a: [1, true, null, 'x', { b: { Ref: 'AWS::Region' } }], c: { Ref: 'AWS::AccountId' } };
    expect(one({}).resolve('S', value)).toEqual({ a: [1, true, null, 'x', { b: REGION }], c: ACCOUNT });
  });

  it('gives each supported resource type the Ref and attributes CloudFormation gives it', () => {
    const r = one({
      Key: { Type: 'AWS::KMS::Key' },
      Role: { Type: 'AWS::IAM::Role', Properties: { Path: '/p/q/', RoleName: 'named' } },
      Bare: { Type: 'AWS::IAM::Role' },
      Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'a/b/credentials' } },
      Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'q' } },
      Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/aws/lambda/f' } },
      Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'f' } },
      Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 't' } },
      Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'a' } },
    });
    const keyId = r.ref('S', 'Key');
    expect(keyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(r.getAtt('S', 'Key', 'Arn')).toBe(`arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`);
    expect(r.ref('S', 'Role')).toBe('named');
    expect(r.getAtt('S', 'Role', 'Arn')).toBe(`arn:aws:iam::${ACCOUNT}:role/p/q/named`);
    expect(r.getAtt('S', 'Bare', 'Arn')).toMatch(new RegExp(`^arn:aws:iam::${ACCOUNT}:role/S-Bare-[0-9A-Z]{12}$`));
    expect(r.ref('S', 'Secret')).toBe(secretArn(TEST_ENV, 'a/b/credentials'));
    expect(r.ref('S', 'Secret')).toMatch(
      new RegExp(`^arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:a/b/credentials-[0-9A-Za-z]{6}$`),
    );
    expect(r.getAtt('S', 'Queue', 'Arn')).toBe(`arn:aws:sqs:${REGION}:${ACCOUNT}:q`);
    expect(r.ref('S', 'Queue')).toBe(`https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/q`);
    expect(r.getAtt('S', 'Logs', 'Arn')).toBe(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/f:*`);
    expect(r.getAtt('S', 'Fn', 'Arn')).toBe(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:f`);
    expect(r.ref('S', 'Topic')).toBe(`arn:aws:sns:${REGION}:${ACCOUNT}:t`);
    expect(r.getAtt('S', 'Alarm', 'Arn')).toBe(`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:a`);
  });

  it('generates the same physical name for the same stack and logical id, and different ones otherwise', () => {
    const templates = {
      S: { Resources: { K: { Type: 'AWS::KMS::Key' }, L: { Type: 'AWS::KMS::Key' } } },
      T: { Resources: { K: { Type: 'AWS::KMS::Key' } } },
    };
    const a = resolver(templates);
    const b = resolver(templates);
    expect(a.ref('S', 'K')).toBe(b.ref('S', 'K'));
    expect(new Set([a.ref('S', 'K'), a.ref('S', 'L'), a.ref('T', 'K')]).size).toBe(3);
  });

  it('resolves a name property that is itself an intrinsic', () => {
    const r = one({
      Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: { 'Fn::Sub': '${AWS::StackName}/creds' } } },
    });
    expect(r.ref('S', 'Secret')).toBe(secretArn(TEST_ENV, 'S/creds'));
  });

  it('resolves Fn::GetAtt in its list and its dotted form', () => {
    const r = one({ Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'q' } } });
    expect(r.resolve('S', { 'Fn::GetAtt': ['Q', 'QueueName'] })).toBe('q');
    expect(r.resolve('S', { 'Fn::GetAtt': 'Q.Arn' })).toBe(`arn:aws:sqs:${REGION}:${ACCOUNT}:q`);
  });

  it('resolves Fn::Sub with pseudo parameters, Refs, attributes, its own variables and escaped ${!…}', () => {
    const r = one({ Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'q' } } });
    expect(r.resolve('S', { 'Fn::Sub': '${AWS::Region}|${Q.QueueName}|${!Literal}' })).toBe(`${REGION}|q|\${Literal}`);
    expect(r.resolve('S', { 'Fn::Sub': ['${Name}-${AWS::AccountId}', { Name: { 'Fn::GetAtt': ['Q', 'Arn'] } }] })).toBe(
      `arn:aws:sqs:${REGION}:${ACCOUNT}:q-${ACCOUNT}`,
    );
  });

  it('resolves Fn::Select over Fn::Split, and Fn::Join with any separator', () => {
    const r = one({});
    expect(r.resolve('S', { 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] })).toBe('b');
    expect(r.resolve('S', { 'Fn::Join': [',', ['a', { Ref: 'AWS::Region' }]] })).toBe(`a,${REGION}`);
  });

  it('resolves Fn::ImportValue to the exporting stack’s value, resolved in that stack', () => {
    const r = resolver({
      Producer: {
        Resources: { K: { Type: 'AWS::KMS::Key' } },
        Outputs: {
          KeyArn: {
            Value: { 'Fn::GetAtt': ['K', 'Arn'] },
            Export: { Name: { 'Fn::Sub': '${AWS::StackName}:KeyArn' } },
          },
        },
      },
      Consumer: { Resources: {} },
    });
    expect(r.resolve('Consumer', { 'Fn::ImportValue': 'Producer:KeyArn' })).toBe(r.getAtt('Producer', 'K', 'Arn'));
  });

  it('resolves the cross-stack references CDK writes, to the same ARN the referenced resource has', () => {
    const app = new App();
    const producer = new Stack(app, 'Producer');
    const key = new kms.Key(producer, 'Key');
    const consumer = new Stack(app, 'Consumer');
    const role = new iam.Role(consumer, 'Role', { assumedBy: new iam.AccountRootPrincipal(), path: '/team/' });
    key.grantDecrypt(role);
    const secret = new secretsmanager.Secret(producer, 'Secret', { secretName: 'team/secret' });
    secret.grantRead(role);
    const assembly = app.synth();
    const r = new CfnResolver(new Map(assembly.stacks.map((s) => [s.stackName, s.template as CfnTemplate])));

    const resources = (assembly.getStackByName('Consumer').template as Required<CfnTemplate>).Resources;
    const policy = Object.values(resources).find((resource) => resource.Type === 'AWS::IAM::Policy')!;
    const statements = (
      r.resolve('Consumer', policy.Properties?.['PolicyDocument']) as { Statement: { Resource: unknown }[] }
    ).Statement;
    const keyLogicalId = producer.getLogicalId(key.node.defaultChild as kms.CfnKey);
    const secretLogicalId = producer.getLogicalId(secret.node.defaultChild as secretsmanager.CfnSecret);
    expect(statements.map((s) => s.Resource)).toEqual([
      r.getAtt('Producer', keyLogicalId, 'Arn'),
      r.ref('Producer', secretLogicalId),
    ]);
    expect(r.getAtt('Consumer', consumer.getLogicalId(role.node.defaultChild as iam.CfnRole), 'Arn')).toMatch(
      new RegExp(`^arn:aws:iam::${ACCOUNT}:role/team/Consumer-Role`),
    );
  });

  it('leaves the literal account and region of a stack with an environment as they are', () => {
    const app = new App();
    const stack = new Stack(app, 'Pinned', { env: { account: '444455556666', region: 'us-west-2' } });
    const arn = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: 'p' });
    const r = new CfnResolver(new Map([['Pinned', app.synth().getStackByName('Pinned').template as CfnTemplate]]));
    expect(r.resolve('Pinned', stack.resolve(arn))).toBe('arn:aws:ssm:us-west-2:444455556666:parameter/p');
  });

  it('names parameter ARNs without the leading slash, as SSM does', () => {
    expect(parameterArn(TEST_ENV, '/a/b')).toBe(`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/a/b`);
  });

  it.each([
    ['an unknown resource type', { Ref: 'B' }, /cannot resolve Ref of B \(AWS::S3::Bucket\): no rule for it/],
    ['an unknown attribute', { 'Fn::GetAtt': ['K', 'Rotation'] }, /cannot resolve Fn::GetAtt Rotation of K/],
    ['a missing resource', { Ref: 'Nope' }, /S: no resource Nope/],
    ['an unsupported function', { 'Fn::If': ['c', 'a', 'b'] }, /cannot resolve Fn::If .*not supported/],
    ['an unsupported pseudo parameter', { Ref: 'AWS::NotificationARNs' }, /pseudo parameter AWS::NotificationARNs/],
    ['a missing export', { 'Fn::ImportValue': 'Other:Thing' }, /Fn::ImportValue Other:Thing: no stack exports it/],
    ['a Select outside its list', { 'Fn::Select': [3, ['a']] }, /Fn::Select index 3 outside/],
    ['a Join over a non-list', { 'Fn::Join': ['', { Ref: 'AWS::Region' }] }, /Fn::Join expects a list of strings/],
    ['a name that refers to itself', { Ref: 'Loop' }, /Loop refers to itself through its name/],
  ])('throws, naming what is missing, on %s', (_, value, message) => {
    const r = one({
      B: { Type: 'AWS::S3::Bucket' },
      K: { Type: 'AWS::KMS::Key' },
      Loop: { Type: 'AWS::IAM::Role', Properties: { RoleName: { Ref: 'Loop' } } },
    });
    expect(() => r.resolve('S', value)).toThrow(message);
  });

  it('throws on an export two stacks give', () => {
    const exporting = { Resources: {}, Outputs: { O: { Value: 'v', Export: { Name: 'Same' } } } };
    const r = resolver({ A: exporting, B: exporting });
    expect(() => r.resolve('A', { 'Fn::ImportValue': 'Same' })).toThrow('Fn::ImportValue Same: exported twice');
  });

  it('throws when a string was expected and something else came out', () => {
    expect(() => one({}).resolveString('S', { 'Fn::Split': [',', 'a,b'] })).toThrow(
      /expected .* to resolve to a string, got \["a","b"\]/,
    );
  });
});
