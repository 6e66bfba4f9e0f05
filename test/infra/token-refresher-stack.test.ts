import { addExampleConsumer } from '../../examples/lambda-consumer/example-consumer.js';
import { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProviderTokenRefresher } from '../../lib/provider-token-refresher.js';
import { RUNTIME_CONFIG_ENV, runtimeConfigSchema } from '../../contract/provider-settings.js';
import { parseProvidersFile } from '../../providers/providers-file.js';
import { TokenRefresherStack } from '../../lib/token-refresher-stack.js';
import {
  flattenJoin,
  functionEnvironment,
  PARAMETER_STORE_ENTRY,
  onlyResource,
  resolvedProvider,
  rolePermissions,
  STUB_ENTRY,
  shippedProviders,
  testApp,
} from './fixtures.js';

const SHIPPED = {
  secretsmanager: ['clickview', 'mediahound'],
  parameterstore: ['mediamelon', 'movingimage', 'nagra'],
} as const;

/** Logical ids of every CloudFormation element inside one refresher. */
function logicalIdsIn(stack: TokenRefresherStack, refresher: ProviderTokenRefresher): Set<string> {
  return new Set(
    refresher.node
      .findAll()
      .filter((c): c is CfnElement => CfnElement.isCfnElement(c))
      .map((element) => stack.getLogicalId(element)),
  );
}

/** Logical ids that a template fragment refers to (`Ref` / `Fn::GetAtt`), pseudo parameters excluded. */
function referencedLogicalIds(fragment: unknown): string[] {
  if (Array.isArray(fragment)) return fragment.flatMap(referencedLogicalIds);
  if (fragment === null || typeof fragment !== 'object') return [];
  const object = fragment as Record<string, unknown>;
  if (typeof object['Ref'] === 'string') return object['Ref'].startsWith('AWS::') ? [] : [object['Ref']];
  const getAtt = object['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return [String(getAtt[0])];
  return Object.values(object).flatMap(referencedLogicalIds);
}

describe('TokenRefresherStack with the shipped providers file', () => {
  let stack: TokenRefresherStack;
  let template: Template;

  beforeAll(() => {
    // GIVEN the providers.json this repository ships
    // WHEN
    stack = new TokenRefresherStack(testApp(), 'TokenRefresher', {
      providers: shippedProviders(),
      functionEntry: STUB_ENTRY,
    });
    template = Template.fromStack(stack);
  });

  it('has one refresher per provider, keyed by provider id, with PascalCase construct ids', () => {
    // THEN
    expect([...stack.refreshers.keys()]).toEqual(['mediamelon', 'movingimage', 'nagra', 'clickview', 'mediahound']);
    expect([...stack.refreshers.values()].map((r) => r.node.id)).toEqual([
      'Mediamelon',
      'Movingimage',
      'Nagra',
      'Clickview',
      'Mediahound',
    ]);
    template.resourceCountIs('AWS::Lambda::Function', 5);
    template.resourceCountIs('AWS::Scheduler::Schedule', 5);
  });

  it.each(SHIPPED.secretsmanager)('publishes the %s token to the Secrets Manager secret the function creates', (id) => {
    // THEN no token secret in the template, and the function is told the secret's name
    const config = configOf(id);
    expect(config.resources.tokenStore).toEqual({ kind: 'secretsmanager', id: `token-refresher/${id}/token` });
  });

  it.each(SHIPPED.parameterstore)('publishes the %s token to the SecureString parameter the function creates', (id) => {
    // THEN no token secret, and the function is told the parameter name
    const names = Object.values(template.findResources('AWS::SecretsManager::Secret')).map(
      (s) => s['Properties']['Name'],
    );
    expect(names).not.toContain(`token-refresher/${id}/token`);
    expect(configOf(id).resources.tokenStore).toEqual({ kind: 'parameterstore', id: `/token-refresher/${id}/token` });
  });

  it.each([
    // At a minute of their own within the interval (providers/schedule-offset.ts); one minute cannot be spread.
    ['mediamelon', 'cron(1/3 * * * ? *)'],
    ['movingimage', 'rate(1 minute)'],
    ['nagra', 'rate(1 minute)'],
    ['clickview', 'cron(43 * * * ? *)'],
    ['mediahound', 'cron(2/5 * * * ? *)'],
  ])('checks the %s token on %s', (id, expression) => {
    // THEN
    const [, schedule] = onlyResource(template, 'AWS::Scheduler::Schedule', constructIdOf(id));
    expect(schedule['Properties']).toMatchObject({ ScheduleExpression: expression });
  });

  it('creates every secret without a value and no SSM parameter but the String manifest of each provider', () => {
    // THEN
    const parameters = Object.values(template.findResources('AWS::SSM::Parameter')).map((p) => p['Properties']);
    expect(parameters.map((p) => [p['Name'], p['Type'], p['Tier']]).sort()).toEqual(
      [...stack.refreshers.keys()].map((id) => [`/token-refresher/${id}/manifest`, 'String', 'Standard']).sort(),
    );
    for (const secret of Object.values(template.findResources('AWS::SecretsManager::Secret'))) {
      expect(Object.keys(secret['Properties']).sort()).toEqual(['Description', 'KmsKeyId', 'Name']);
    }
    expect(JSON.stringify(template.toJSON())).not.toMatch(/SecretString|GenerateSecretString|SecureString"/);
  });

  it('gives every function only names, ARNs and settings, which its runtime schema accepts', () => {
    // THEN
    for (const [, fn] of Object.entries(template.findResources('AWS::Lambda::Function'))) {
      const { variables, config } = functionEnvironment(fn);
      expect(Object.keys(variables).sort()).toEqual([RUNTIME_CONFIG_ENV, 'NODE_OPTIONS'].sort());
      expect(Object.keys(runtimeConfigSchema.parse(config).resources).sort()).toEqual([
        'credentialsSecretId',
        'events',
        'ledgerParameterName',
        'legacyStackId',
        'parameterKeyId',
        'stateParameterName',
        'tokenStore',
      ]);
    }
  });

  it('lets no provider’s roles touch another provider’s resources', () => {
    // THEN every resource each role may use belongs to its own refresher, is its own parameter, or is
    // the shared key, which each role may use only for its own names (asserted per refresher in
    // test/infra/provider-token-refresher.test.ts)
    const shared = ['TokenRefresherKey', 'TokenRefresherSharedLogGroup', 'TokenRefresherSharedDeadLetterQueue'].map(
      (id) => stack.getLogicalId(stack.node.findChild(id).node.defaultChild as CfnElement),
    );
    for (const [providerId, refresher] of stack.refreshers) {
      const own = [...logicalIdsIn(stack, refresher), ...shared];
      for (const roleName of ['FunctionRole']) {
        const role = refresher.node.findChild(roleName).node.defaultChild as CfnElement;
        const granted = rolePermissions(template, stack.getLogicalId(role));
        expect(granted.length).toBeGreaterThan(0);
        for (const { resource } of granted) {
          for (const referenced of referencedLogicalIds(resource)) expect(own).toContain(referenced);
          const arn = flattenJoin(resource);
          if (arn.includes(':parameter/'))
            expect(arn).toMatch(new RegExp(`:parameter/token-refresher/${providerId}/(token|state|ledger)$`));
        }
      }
    }
  });

  it.each([
    ['mediamelon', 'ssm:/token-refresher/mediamelon/token'],
    ['nagra', 'ssm:/token-refresher/nagra/token'],
  ])('outputs where to read the %s token, the credentials secret and the function', (id, tokenSource) => {
    // THEN
    const outputs = template.toJSON()['Outputs'] as Record<string, { Value: unknown; Description: string }>;
    const prefix = constructIdOf(id);
    expect(outputs[`${prefix}TokenSource`]?.Value).toBe(tokenSource);
    expect(outputs[`${prefix}CredentialsSecret`]?.Value).toBe(`token-refresher/${id}/credentials`);
    expect(outputs[`${prefix}Function`]?.Value).toEqual({
      Ref: stack.getLogicalId(stack.refreshers.get(id)?.node.findChild('Function').node.defaultChild as CfnElement),
    });
    for (const suffix of ['TokenSource', 'CredentialsSecret', 'Function']) {
      expect(outputs[`${prefix}${suffix}`]?.Description).toContain(`provider "${id}"`);
    }
  });

  it('outputs the token secret name as the token source of a Secrets Manager provider', () => {
    // THEN
    const outputs = template.toJSON()['Outputs'] as Record<string, { Value: unknown }>;
    expect(outputs['ClickviewTokenSource']?.Value).toBe('secretsmanager:token-refresher/clickview/token');
  });

  function configOf(providerId: string) {
    const [, fn] = onlyResource(template, 'AWS::Lambda::Function', `${constructIdOf(providerId)}Function`);
    return runtimeConfigSchema.parse(functionEnvironment(fn).config);
  }

  function constructIdOf(providerId: string): string {
    const refresher = stack.refreshers.get(providerId);
    if (!refresher) throw new Error(`no refresher for ${providerId}`);
    return refresher.node.id;
  }
});

describe('TokenRefresherStack', () => {
  it('names constructs and outputs after the provider id in PascalCase', () => {
    // GIVEN
    const provider = resolvedProvider({ ...PARAMETER_STORE_ENTRY, id: 'nagra-prod-2' });
    // WHEN
    const stack = new TokenRefresherStack(testApp(), 'TokenRefresher', {
      providers: [provider],
      functionEntry: STUB_ENTRY,
    });
    // THEN
    expect(stack.refreshers.get('nagra-prod-2')?.node.id).toBe('NagraProd2');
    expect(Object.keys(Template.fromStack(stack).toJSON()['Outputs']).sort()).toEqual([
      'AlarmTopicArn',
      'NagraProd2CredentialsSecret',
      'NagraProd2Function',
      'NagraProd2Refresher',
      'NagraProd2TokenSource',
    ]);
  });

  it('keeps two deployments with different name prefixes apart', () => {
    // GIVEN one app, the same providers, two prefixes
    const app = testApp();
    const providers = shippedProviders();
    // WHEN
    const blue = new TokenRefresherStack(app, 'Blue', { providers, namePrefix: 'blue', functionEntry: STUB_ENTRY });
    const green = new TokenRefresherStack(app, 'Green', { providers, namePrefix: 'green', functionEntry: STUB_ENTRY });
    // THEN no secret or parameter name is shared
    const namesOf = (stack: TokenRefresherStack) => {
      const secrets = Object.values(Template.fromStack(stack).findResources('AWS::SecretsManager::Secret')).map(
        (s) => s['Properties']['Name'] as string,
      );
      const parameters = [...stack.refreshers.values()].flatMap((r) =>
        [
          r.manifest.stateParameter,
          r.manifest.ledgerParameter ?? [],
          r.token.store === 'parameterstore' ? r.token.name : [],
        ].flat(),
      );
      return [...secrets, ...parameters];
    };
    const blueNames = namesOf(blue);
    expect(blueNames.every((name) => name.replace(/^\//, '').startsWith('blue/'))).toBe(true);
    expect(namesOf(green).filter((name) => blueNames.includes(name))).toEqual([]);
  });

  it('fails when two stacks of one app take the same name prefix, naming both', () => {
    // GIVEN
    const app = testApp();
    new TokenRefresherStack(app, 'Blue', { providers: [], namePrefix: 'tokens', functionEntry: STUB_ENTRY });
    // WHEN / THEN
    expect(
      () => new TokenRefresherStack(app, 'Green', { providers: [], namePrefix: 'tokens', functionEntry: STUB_ENTRY }),
    ).toThrow(
      `Green would deploy the same names as Blue in the same account and region (dashboard "tokens_<region>"): the second deployment would fail, or silently replace the first one's. Keep one of them, or give one its own "stage" (or "namePrefix")`,
    );
  });

  it('fails at synth, not at deploy, when the name prefix cannot name a dashboard', () => {
    expect(
      () =>
        new TokenRefresherStack(testApp(), 'Dotted', {
          providers: [],
          namePrefix: 'acme.tokens',
          functionEntry: STUB_ENTRY,
        }),
    ).toThrow(
      'Dotted: "namePrefix" "acme.tokens" cannot name the stage\'s dashboard: CloudWatch dashboard names allow only A-Z a-z 0-9 - _; use a prefix without "."',
    );
  });

  it('fails when two provider ids map to the same construct id', () => {
    // GIVEN ids that differ only in a doubled hyphen
    const providers = [
      resolvedProvider({ ...PARAMETER_STORE_ENTRY, id: 'a-b' }),
      resolvedProvider({ ...PARAMETER_STORE_ENTRY, id: 'a--b' }),
    ];
    // WHEN / THEN
    expect(
      () => new TokenRefresherStack(testApp(), 'TokenRefresher', { providers, functionEntry: STUB_ENTRY }),
    ).toThrow(
      'TokenRefresher: provider "a--b": construct id "AB" (logical ids and output names derive from it) is already used by provider "a-b"; rename the provider',
    );
  });

  it('fails before any resource exists when a providers file forces Secrets Manager on a 5-minute token', () => {
    // GIVEN movingimage (300 s tokens, checked every minute) with store "secretsmanager"
    const file = { providers: [{ id: 'movingimage', preset: 'movingimage', store: 'secretsmanager' }] };
    // WHEN / THEN the error names the provider, the field and the quota that rules it out
    expect(() => parseProvidersFile(file, 'providers.json')).toThrow(
      /provider "movingimage" \(providers\[0\]\), field "store": got "secretsmanager": .*quota of 100 versions per secret/,
    );
  });
});

describe('example consumer', () => {
  it('is not deployed unless asked for', () => {
    // GIVEN / WHEN
    const stack = new TokenRefresherStack(testApp(), 'TokenRefresher', {
      providers: shippedProviders(),
      functionEntry: STUB_ENTRY,
    });
    // THEN: one function per provider, the refreshers
    Template.fromStack(stack).resourceCountIs('AWS::Lambda::Function', 5);
  });

  it('adds one consumer function per provider, with an output to invoke it', () => {
    // GIVEN / WHEN
    const stack = new TokenRefresherStack(testApp(), 'TokenRefresher', {
      providers: shippedProviders(),
      functionEntry: STUB_ENTRY,
    });
    for (const refresher of stack.refreshers.values()) addExampleConsumer(stack, refresher);
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 10);
    expect(Object.keys(template.toJSON()['Outputs'])).toContain('NagraExampleConsumerFunction');
  });
});
