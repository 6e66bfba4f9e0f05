/**
 * The provider's KMS signing key (providers file `signingKey`): created or named, retained, and
 * usable for `kms:Sign` by the provider's refresher only, the way the function signs. The IAM claims
 * are evaluated on the synthesized templates by the offline policy simulator (test/helpers/iam-evaluator.ts).
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { ProviderTokenRefresher } from '../../lib/provider-token-refresher.js';
import { TokenRefresherFleet } from '../../lib/token-refresher-fleet.js';
import { runtimeConfigSchema } from '../../contract/provider-settings.js';
import { CfnResolver, type CfnTemplate, TEST_ENV } from '../helpers/cfn-resolver.js';
import { decide, type NamedPolicy } from '../helpers/iam-evaluator.js';
import { templatesOf } from './access-model.js';
import {
  functionEnvironment,
  onlyResource,
  PARAMETER_STORE_ENTRY,
  permissions,
  resolvedProvider,
  rolePermissions,
  STUB_ENTRY,
  testApp,
  testStack,
} from './fixtures.js';

const NAMED_KEY_ARN = 'arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER_NAMED_KEY_ARN = 'arn:aws:kms:eu-central-1:111122223333:key/5678abcd-12ab-34cd-56ef-1234567890ab';

/** A provider whose key signs its client assertions. */
const SIGNING_ENTRY = { ...PARAMETER_STORE_ENTRY, clientAuth: 'private_key_jwt' as const };

function build(signingKey: unknown, id = 'signer') {
  const stack = testStack();
  // A signing key serves an assertion: the provider authenticates with private_key_jwt.
  const provider = resolvedProvider({
    ...PARAMETER_STORE_ENTRY,
    id,
    ...(signingKey === undefined ? {} : { clientAuth: 'private_key_jwt', signingKey }),
  });
  const refresher = new ProviderTokenRefresher(stack, 'Refresher', { provider, functionEntry: STUB_ENTRY });
  const template = Template.fromStack(stack);
  const [roleId] = onlyResource(template, 'AWS::IAM::Role', 'RefresherFunctionRole');
  const [, fn] = onlyResource(template, 'AWS::Lambda::Function', 'RefresherFunction');
  return { stack, refresher, template, roleId, config: functionEnvironment(fn).config };
}

const signPermissions = (permissionsOfRole: ReturnType<typeof rolePermissions>) =>
  permissionsOfRole.filter((p) => p.action === 'kms:Sign');

describe('a signing key the stack creates ("signingKey": "kms")', () => {
  it('is an RSA_2048 SIGN_VERIFY key, kept when the stack is deleted or the key replaced, with its alias', () => {
    const { template } = build('kms');
    const [keyId, key] = onlyResource(template, 'AWS::KMS::Key', 'RefresherSigningKey');
    expect(key).toMatchObject({
      Properties: { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(key['Properties']).not.toHaveProperty('EnableKeyRotation');
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/token-refresher/signer/signing-key',
      TargetKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
  });

  it('takes another key spec: {"kms": "create", "keySpec": "ECC_NIST_P256"}', () => {
    const { template, config } = build({ kms: 'create', keySpec: 'ECC_NIST_P256' });
    template.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    expect(config).toMatchObject({ resources: { signingKey: { keySpec: 'ECC_NIST_P256' } } });
  });

  it("lets the account administer it but sign only as the refresher's role, the function's way", () => {
    const { template } = build('kms');
    const [, key] = onlyResource(template, 'AWS::KMS::Key', 'RefresherSigningKey');
    const statements = (key['Properties'] as { KeyPolicy: { Statement: Record<string, unknown>[] } }).KeyPolicy
      .Statement;
    expect(statements.map((s) => s['Sid'])).toEqual(['AccountAdministersButDoesNotSign', 'OnlyTheRefresherSigns']);
    const [administer, sign] = statements as [Record<string, unknown>, Record<string, unknown>];
    expect(administer['Action']).not.toContain('kms:Sign');
    expect(administer['Action']).not.toContain('kms:*');
    expect(sign).toMatchObject({
      Action: 'kms:Sign',
      Condition: {
        ArnLike: { 'aws:PrincipalArn': expect.anything() },
        StringEquals: { 'kms:SigningAlgorithm': 'RSASSA_PKCS1_V1_5_SHA_256', 'kms:MessageType': 'DIGEST' },
      },
    });
  });

  it("gives the refresher's role kms:Sign on that key only, and tells the function its ARN and spec", () => {
    const { template, roleId, config } = build('kms');
    const [keyId] = onlyResource(template, 'AWS::KMS::Key', 'RefresherSigningKey');
    const keyArn = { 'Fn::GetAtt': [keyId, 'Arn'] };
    expect(signPermissions(rolePermissions(template, roleId))).toEqual(
      permissions([
        ['kms:Sign'],
        [keyArn],
        { StringEquals: { 'kms:SigningAlgorithm': 'RSASSA_PKCS1_V1_5_SHA_256', 'kms:MessageType': 'DIGEST' } },
      ]),
    );
    expect(runtimeConfigSchema.parse(config).resources.signingKey).toEqual({
      keyArn: expect.stringMatching(/^intrinsic:/),
      keySpec: 'RSA_2048',
    });
  });

  it('publishes the key in the manifest, for token-refresher public-key', () => {
    const { refresher } = build({ kms: 'create', keySpec: 'ECC_NIST_P384' });
    expect(refresher.manifest.signingKey).toEqual({ keyArn: expect.any(String), keySpec: 'ECC_NIST_P384' });
    expect(refresher.signingKey).toBeDefined();
  });
});

describe('a signing key the providers file names ({"kmsKeyArn": ...})', () => {
  it('creates no key, and gives the role kms:Sign on that ARN only, with the algorithm of its keySpec', () => {
    const { template, roleId, config } = build({ kmsKeyArn: NAMED_KEY_ARN, keySpec: 'ECC_NIST_P521' });
    template.resourceCountIs('AWS::KMS::Key', 1); // the stack key only
    template.resourceCountIs('AWS::KMS::Alias', 0);
    expect(signPermissions(rolePermissions(template, roleId))).toEqual(
      permissions([
        ['kms:Sign'],
        [NAMED_KEY_ARN],
        { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_512', 'kms:MessageType': 'DIGEST' } },
      ]),
    );
    expect(runtimeConfigSchema.parse(config).resources.signingKey).toEqual({
      keyArn: NAMED_KEY_ARN,
      keySpec: 'ECC_NIST_P521',
    });
  });
});

describe('no KMS signing key', () => {
  it.each([
    ['"credentials"', 'credentials'],
    ['no "signingKey"', undefined],
  ])('with %s: no key, no kms:Sign, nothing in the configuration', (_, signingKey) => {
    const { template, roleId, config, refresher } = build(signingKey);
    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(signPermissions(rolePermissions(template, roleId))).toEqual([]);
    expect(runtimeConfigSchema.parse(config).resources.signingKey).toBeUndefined();
    expect(refresher.manifest.signingKey).toBeUndefined();
  });
});

describe('the CredentialsRejected alarm', () => {
  const description = (template: Template) =>
    Object.values(template.findResources('AWS::CloudWatch::Alarm'))
      .map((r) => r.Properties as { AlarmName: string; AlarmDescription: string })
      .find((p) => p.AlarmName.endsWith('-CredentialsRejected'))!.AlarmDescription;

  it('links "An assertion was rejected" for a provider that signs, and its own section otherwise', () => {
    expect(description(build('kms').template)).toMatch(
      /: the provider rejected a signed assertion; .*Runbook: \S+\/docs\/runbook\.md#an-assertion-was-rejected$/,
    );
    expect(description(build(undefined).template)).toMatch(
      /: the provider rejected the credentials; .*Runbook: \S+\/docs\/runbook\.md#credentialsrejected$/,
    );
  });
});

describe('the providers file', () => {
  it.each([
    [{ kms: 'create', kmsKeyArn: NAMED_KEY_ARN }, /give either "kms": "create" .* or "kmsKeyArn"/],
    [{ keySpec: 'RSA_2048' }, /give either "kms": "create"/],
    [{ kmsKeyArn: 'arn:aws:kms:eu-central-1:111122223333:alias/mine' }, /must be a KMS key ARN, .*not an alias/],
    [{ kms: 'create', keySpec: 'ECC_NIST_P256', alg: 'RS256' }, /a ECC_NIST_P256 key signs only "ES256"/],
    [{ kms: 'create', keySpec: 'HMAC_256' }, /field "signingKey".*"keySpec" is one of RSA_2048, .*ECC_NIST_P521/],
    ['kms-please', /must be "kms" \(the stack creates a KMS key\)/],
  ])('refuses %j, saying what it takes', (signingKey, message) => {
    expect(() => resolvedProvider({ ...PARAMETER_STORE_ENTRY, signingKey })).toThrow(message);
  });

  it('never shows a value that may be a private key pasted into "signingKey"', () => {
    const pem =
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----';
    for (const signingKey of [pem, { kmsKeyArn: pem }]) {
      let message = '';
      try {
        resolvedProvider({ ...PARAMETER_STORE_ENTRY, signingKey });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/field "signingKey/);
      expect(message).not.toContain('MIIE');
      expect(message).not.toContain('BEGIN');
    }
  });

  it('refuses two providers whose created keys would take one alias (same provider and prefix in one app)', () => {
    const app = testApp();
    const provider = resolvedProvider({ ...PARAMETER_STORE_ENTRY, clientAuth: 'private_key_jwt', signingKey: 'kms' });
    new ProviderTokenRefresher(new Stack(app, 'A'), 'R', { provider, functionEntry: STUB_ENTRY });
    expect(() => new ProviderTokenRefresher(new Stack(app, 'B'), 'R', { provider, functionEntry: STUB_ENTRY })).toThrow(
      /signing key alias "alias\/token-refresher\/loop-ps\/signing-key"/,
    );
  });
});

// --- Who may sign, evaluated on the templates of a fleet: two created keys, two named keys. ---

describe('who may kms:Sign, as AWS would decide it', () => {
  let resolver: CfnResolver;
  let roles: Map<string, { roleArn: string; policies: NamedPolicy[] }>;
  let keys: Map<string, { arn: string; policy: unknown }>;

  beforeAll(() => {
    const app = testApp();
    const providers = [
      resolvedProvider({ ...SIGNING_ENTRY, id: 'alpha', signingKey: 'kms' }),
      resolvedProvider({
        ...SIGNING_ENTRY,
        id: 'beta',
        signingKey: { kms: 'create', keySpec: 'ECC_NIST_P256' },
      }),
      resolvedProvider({ ...SIGNING_ENTRY, id: 'gamma', signingKey: { kmsKeyArn: NAMED_KEY_ARN } }),
      resolvedProvider({ ...SIGNING_ENTRY, id: 'delta', signingKey: { kmsKeyArn: OTHER_NAMED_KEY_ARN } }),
    ];
    new TokenRefresherFleet(app, 'Fleet', { providers, functionEntry: STUB_ENTRY });
    const others = new Stack(app, 'Others');
    // An operator with every KMS action on every key: a created key's policy still keeps Sign from it.
    new iam.Role(others, 'Administrator', {
      assumedBy: new iam.AccountRootPrincipal(),
      inlinePolicies: {
        All: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] })],
        }),
      },
    });
    const templates: Map<string, CfnTemplate> = templatesOf(app);
    resolver = new CfnResolver(templates, TEST_ENV);
    const resources = [...templates].flatMap(([stackName, t]) =>
      Object.entries(t.Resources ?? {}).map(([logicalId, resource]) => ({ stackName, logicalId, resource })),
    );
    const policies = resources
      .filter((r) => r.resource.Type === 'AWS::IAM::Policy')
      .map((r) => ({
        name: `${r.stackName}/${r.logicalId}`,
        roles: (resolver.resolve(r.stackName, r.resource.Properties?.['Roles']) as string[]).map(String),
        policy: resolver.resolve(r.stackName, r.resource.Properties?.['PolicyDocument']),
      }));
    roles = new Map();
    for (const r of resources.filter((x) => x.resource.Type === 'AWS::IAM::Role')) {
      const name = resolver.ref(r.stackName, r.logicalId);
      const inline = (
        (r.resource.Properties?.['Policies'] ?? []) as { PolicyName: string; PolicyDocument: unknown }[]
      ).map((p) => ({ name: p.PolicyName, policy: resolver.resolve(r.stackName, p.PolicyDocument) }));
      const attached = policies
        .filter((p) => p.roles.includes(name))
        .map(({ name: n, policy }) => ({ name: n, policy }));
      roles.set(`${r.stackName}/${r.logicalId}`, {
        roleArn: resolver.getAtt(r.stackName, r.logicalId, 'Arn'),
        policies: [...inline, ...attached],
      });
    }
    keys = new Map();
    for (const r of resources.filter((x) => x.resource.Type === 'AWS::KMS::Key' && /SigningKey/.test(x.logicalId))) {
      const provider = /^(Alpha|Beta)/.exec(r.logicalId)![1]!.toLowerCase();
      keys.set(provider, {
        arn: resolver.getAtt(r.stackName, r.logicalId, 'Arn'),
        policy: resolver.resolve(r.stackName, r.resource.Properties?.['KeyPolicy']),
      });
    }
    // A named key's policy as a key created in the console has it: the account delegates to IAM.
    const delegating = (arn: string) => ({
      arn,
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${TEST_ENV.account}:root` },
            Action: 'kms:*',
            Resource: '*',
          },
        ],
      },
    });
    keys.set('gamma', delegating(NAMED_KEY_ARN));
    keys.set('delta', delegating(OTHER_NAMED_KEY_ARN));
  }, 60_000);

  const refresherRole = (provider: string) => {
    const found = [...roles].filter(([label]) =>
      new RegExp(`/${provider[0]!.toUpperCase()}${provider.slice(1)}FunctionRole`).test(label),
    );
    if (found.length !== 1) throw new Error(`${found.length} roles of ${provider}: ${[...roles.keys()].join(', ')}`);
    return found[0]![1];
  };

  const SIGNING_ALGORITHM: Record<string, string> = {
    alpha: 'RSASSA_PKCS1_V1_5_SHA_256',
    beta: 'ECDSA_SHA_256',
    gamma: 'RSASSA_PKCS1_V1_5_SHA_256',
    delta: 'RSASSA_PKCS1_V1_5_SHA_256',
  };

  const sign = (
    principal: { roleArn: string; policies: readonly NamedPolicy[] },
    keyOf: string,
    messageType = 'DIGEST',
  ) => {
    const key = keys.get(keyOf)!;
    return decide({
      principal,
      action: 'kms:Sign',
      resource: key.arn,
      context: {
        'kms:SigningAlgorithm': SIGNING_ALGORITHM[keyOf]!,
        'kms:MessageType': messageType,
        'kms:CallerAccount': TEST_ENV.account,
      },
      resourcePolicy: key.policy,
    });
  };

  const PROVIDERS = ['alpha', 'beta', 'gamma', 'delta'];

  it("lets each refresher sign with its own key, and with no other provider's", async () => {
    const allowed: string[] = [];
    for (const signer of PROVIDERS) {
      for (const keyOf of PROVIDERS) {
        if ((await sign(refresherRole(signer), keyOf)) === 'Allowed')
          allowed.push(`${signer} signs with ${keyOf}'s key`);
      }
    }
    expect(allowed).toEqual(PROVIDERS.map((p) => `${p} signs with ${p}'s key`));
  });

  it('lets no refresher sign a RAW message, the way only someone else would use its key', async () => {
    for (const provider of PROVIDERS) expect(await sign(refresherRole(provider), provider, 'RAW')).not.toBe('Allowed');
  });

  it("keeps a created key's Sign from an administrator with kms:* on every key", async () => {
    const administrator = [...roles].find(([label]) => label.startsWith('Others/Administrator'))![1];
    expect(await sign(administrator, 'alpha')).not.toBe('Allowed');
    expect(await sign(administrator, 'beta')).not.toBe('Allowed');
    // The evaluator is live: the same administrator may sign with a key whose policy delegates to IAM.
    expect(await sign(administrator, 'gamma')).toBe('Allowed');
  });
});
