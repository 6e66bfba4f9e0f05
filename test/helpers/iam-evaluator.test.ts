import { runSimulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import { decide, type IamRequest } from './iam-evaluator.js';

const ACCOUNT = '111122223333';
const KEY = `arn:aws:kms:eu-central-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const STATE = `arn:aws:ssm:eu-central-1:${ACCOUNT}:parameter/app/a/state`;
const OTHER_STATE = `arn:aws:ssm:eu-central-1:${ACCOUNT}:parameter/app/b/state`;
const SECRET = `arn:aws:secretsmanager:eu-central-1:${ACCOUNT}:secret:app/a/credentials-AbCdEf`;
const ROLE_A = `arn:aws:iam::${ACCOUNT}:role/app/a/RoleA`;
const OUTSIDER = `arn:aws:iam::${ACCOUNT}:role/ops/Admin`;

const policy = (...statements: object[]) => ({ Version: '2012-10-17', Statement: statements });
const allow = (action: string, resource = '*', condition?: object) => ({
  Effect: 'Allow',
  Action: action,
  Resource: resource,
  ...(condition ? { Condition: condition } : {}),
});
const ACCOUNT_ROOT = { AWS: `arn:aws:iam::${ACCOUNT}:root` };

/** A key policy that delegates decryption through SSM to roles under `/app/`, as the stack key does. */
const KEY_POLICY = policy({
  Effect: 'Allow',
  Principal: ACCOUNT_ROOT,
  Action: 'kms:Decrypt',
  Resource: '*',
  Condition: {
    ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/app/*` },
    StringEquals: { 'kms:ViaService': 'ssm.eu-central-1.amazonaws.com' },
  },
});

const decrypt = (roleArn: string, identity: object, parameterArn: string): IamRequest => ({
  principal: { roleArn, policies: [{ name: 'identity', policy: identity }] },
  action: 'kms:Decrypt',
  resource: KEY,
  context: {
    'kms:ViaService': 'ssm.eu-central-1.amazonaws.com',
    'kms:EncryptionContext:PARAMETER_ARN': parameterArn,
    'kms:EncryptionContextKeys': ['PARAMETER_ARN'],
  },
  resourcePolicy: KEY_POLICY,
});

const ownStateOnly = policy(
  allow('kms:Decrypt', KEY, {
    StringLike: { 'kms:EncryptionContext:PARAMETER_ARN': `${STATE.replace(/state$/, '*')}` },
  }),
);

describe('decide', () => {
  it('allows what an identity policy allows, in the same account, with no resource policy', async () => {
    const request = {
      principal: { roleArn: ROLE_A, policies: [{ name: 'p', policy: policy(allow('ssm:GetParameter', STATE)) }] },
    };
    expect(await decide({ ...request, action: 'ssm:GetParameter', resource: STATE })).toBe('Allowed');
    expect(await decide({ ...request, action: 'ssm:GetParameter', resource: OTHER_STATE })).toBe('ImplicitlyDenied');
    expect(await decide({ ...request, action: 'ssm:PutParameter', resource: STATE })).toBe('ImplicitlyDenied');
  });

  it('decides on the encryption context: a role limited to its own names decrypts its own state only', async () => {
    expect(await decide(decrypt(ROLE_A, ownStateOnly, STATE))).toBe('Allowed');
    expect(await decide(decrypt(ROLE_A, ownStateOnly, OTHER_STATE))).toBe('ImplicitlyDenied');
  });

  it('runs both engines because runSimulation alone drops the encryption context (iam-simulate 0.1.173)', async () => {
    // When this starts to fail, iam-simulate keeps kms:EncryptionContext:<key>, and decide() can use runSimulation alone.
    const request = decrypt(ROLE_A, ownStateOnly, STATE);
    const alone = await runSimulation(
      {
        request: {
          principal: `arn:aws:sts::${ACCOUNT}:assumed-role/RoleA/session`,
          action: request.action,
          resource: { resource: request.resource, accountId: ACCOUNT },
          contextVariables: { 'aws:PrincipalArn': ROLE_A, ...request.context },
        },
        identityPolicies: [...request.principal.policies],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: request.resourcePolicy,
      },
      {},
    );
    expect(alone.resultType === 'single' && alone.result.ignoredContextKeys).toEqual([
      'kms:EncryptionContext:PARAMETER_ARN',
    ]);
    expect(alone.resultType === 'single' && alone.overallResult).toBe('ImplicitlyDenied');
  });

  it('needs the key policy to delegate to the caller: kms:* on * does not help a role outside the admitted path', async () => {
    expect(await decide(decrypt(OUTSIDER, policy(allow('kms:*')), STATE))).toBe('ImplicitlyDenied');
    expect(await decide(decrypt(ROLE_A, policy(allow('kms:*')), STATE))).toBe('Allowed');
    expect(await decide({ ...decrypt(ROLE_A, policy(allow('kms:*')), STATE), resourcePolicy: policy() })).toBe(
      'ImplicitlyDenied',
    );
  });

  it('applies a resource policy’s Deny on aws:PrincipalArn over an identity policy that allows', async () => {
    const resourcePolicy = policy({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'secretsmanager:GetSecretValue',
      Resource: '*',
      Condition: { ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/app/a/*` } },
    });
    const read = (roleArn: string): IamRequest => ({
      principal: { roleArn, policies: [{ name: 'p', policy: policy(allow('secretsmanager:*')) }] },
      action: 'secretsmanager:GetSecretValue',
      resource: SECRET,
      resourcePolicy,
    });
    expect(await decide(read(ROLE_A))).toBe('Allowed');
    expect(await decide(read(OUTSIDER))).toBe('ExplicitlyDenied');
  });

  it.each([
    ['a principal that is not a role', { roleArn: `arn:aws:iam::${ACCOUNT}:user/u` }, /not a role ARN/],
    ['a resource pattern', { resource: `${STATE.slice(0, -5)}*` }, /needs a concrete resource/],
    ['an action that does not exist', { action: 'ssm:GetParameterz' }, /refused ssm:GetParameterz/],
    ['a misspelt context key', { context: { 'kms:ViaSevice': 'x' } }, /context keys kms:ViaSevice do not apply/],
    ['an invalid policy', { policy: { Statement: [{ Effect: 'Perhaps' }] } }, /refused ssm:GetParameter/],
  ])('throws on %s', async (_, change, message) => {
    const {
      roleArn = ROLE_A,
      policy: identity = policy(allow('ssm:GetParameter')),
      ...rest
    } = change as Partial<IamRequest & { roleArn: string; policy: object }>;
    const request: IamRequest = {
      principal: { roleArn, policies: [{ name: 'p', policy: identity }] },
      action: 'ssm:GetParameter',
      resource: STATE,
      ...rest,
    };
    await expect(decide(request)).rejects.toThrow(message);
  });
});
