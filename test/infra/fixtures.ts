/**
 * Shared setup for the infrastructure tests: apps built with the project's real feature flags, the
 * shipped and hand-written providers, and readers that turn synthesised IAM policies and the function's
 * configuration into plain values that can be compared exactly.
 */
import { DETAIL_TYPE } from '../../contract/events.js';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, type AppProps, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { RUNTIME_CONFIG_ENV } from '../../contract/provider-settings.js';
import { parseProvidersFile, type ResolvedProvider } from '../../providers/providers-file.js';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Stand-in function entry, so that these tests do not depend on `lambda/` being buildable. */
export const STUB_ENTRY = path.join(import.meta.dirname, 'stub-function.ts');

/** The feature flags `cdk synth` runs with; tests must see the same template a deployment gets. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/**
 * An app with the project's flags that skips esbuild (`aws:cdk:bundling-stacks` empty): the tests
 * check what the stack declares, and bundling would cost seconds per synth.
 */
export function testApp(props: AppProps = {}): App {
  return new App({
    ...props,
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...props.context },
  });
}

/** An environment-agnostic stack, like the one `cdk synth` builds without AWS credentials. */
export function testStack(app: App = testApp(), id = 'Test'): Stack {
  return new Stack(app, id);
}

export function shippedProviders(): ResolvedProvider[] {
  const file = path.join(REPO_ROOT, 'providers.json');
  return parseProvidersFile(JSON.parse(readFileSync(file, 'utf8')), file);
}

/** Resolves one hand-written providers-file entry, e.g. `{ id: 'x', preset: 'mediamelon' }`. */
export function resolvedProvider(entry: Record<string, unknown>): ResolvedProvider {
  const [provider] = parseProvidersFile({ providers: [entry] }, 'test entry');
  if (!provider) throw new Error('parseProvidersFile returned no provider');
  return provider;
}

/**
 * A password-grant provider that Secrets Manager can hold (long-lived token). Its endpoint is https:
 * a deployment refuses the loopback http that local mode accepts.
 */
export const SECRETS_MANAGER_ENTRY = {
  id: 'loop-sm',
  preset: 'generic',
  tokenEndpoint: 'https://idp.example.com/token',
  clientId: 'cli',
  grant: 'password',
  clientAuth: 'none',
  expectedLifetimeSeconds: 86_400,
} as const;

/** The same provider with a 5-minute token, which goes to Parameter Store. */
export const PARAMETER_STORE_ENTRY = {
  ...SECRETS_MANAGER_ENTRY,
  id: 'loop-ps',
  expectedLifetimeSeconds: 300,
} as const;

type Json = unknown;

/** One permission: one action on one resource, the unit in which two policies can be compared exactly. */
export interface Permission {
  readonly action: string;
  readonly resource: Json;
  /** Only on statements that have one (the KMS statements, narrowed by service and encryption context). */
  readonly condition?: Json;
}

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

function sortPermissions(permissions: Permission[]): Permission[] {
  const key = (p: Permission) => `${p.action} ${JSON.stringify(p.resource)} ${JSON.stringify(p.condition ?? null)}`;
  return [...permissions].sort((a, b) => key(a).localeCompare(key(b)));
}

/** Expands statements into sorted single permissions; fails on anything but `Allow` statements. */
export function permissionsOf(statements: readonly Record<string, Json>[]): Permission[] {
  const permissions: Permission[] = [];
  for (const statement of statements) {
    const extra = Object.keys(statement).filter((k) => !['Action', 'Effect', 'Resource', 'Condition'].includes(k));
    if (statement['Effect'] !== 'Allow' || extra.length > 0) {
      throw new Error(`expected a plain Allow statement, got ${JSON.stringify(statement)}`);
    }
    for (const action of asArray(statement['Action'] as string | string[])) {
      for (const resource of asArray(statement['Resource'])) {
        const condition = statement['Condition'];
        permissions.push(condition === undefined ? { action, resource } : { action, resource, condition });
      }
    }
  }
  return sortPermissions(permissions);
}

/** Every permission attached to the role with this logical id, through any `AWS::IAM::Policy`. */
export function rolePermissions(template: Template, roleLogicalId: string): Permission[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
    asArray(policy['Properties']['Roles']).some(
      (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId }),
    ),
  );
  return permissionsOf(policies.flatMap((policy) => policy['Properties']['PolicyDocument']['Statement']));
}

/** `expected` as sorted single permissions, for `toEqual` against `rolePermissions`. */
export function permissions(...expected: [actions: string[], resources: Json[], condition?: Json][]): Permission[] {
  return sortPermissions(
    expected.flatMap(([actions, resources, condition]) =>
      actions.flatMap((action) =>
        resources.map((resource) => (condition === undefined ? { action, resource } : { action, resource, condition })),
      ),
    ),
  );
}

const region = (service: string) => ({ 'Fn::Join': ['', [`${service}.`, { Ref: 'AWS::Region' }, '.amazonaws.com']] });

/**
 * The KMS permissions a refresher role has on its stack's key: use through SSM for its own
 * parameters and through Secrets Manager for its own secrets, `<prefix>/<provider id>/...`.
 */
export function refresherKeyPermissions(keyArn: Json, prefix: string, providerId: string): [string[], Json[], Json][] {
  const use = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'];
  const arn = (service: string, separator: string, resource: string) => ({
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        `:${service}:`,
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        `:${resource}${separator}${prefix}/${providerId}/*`,
      ],
    ],
  });
  return [
    [
      use,
      [keyArn],
      {
        StringEquals: { 'kms:ViaService': region('ssm') },
        StringLike: { 'kms:EncryptionContext:PARAMETER_ARN': arn('ssm', '/', 'parameter') },
      },
    ],
    [
      use,
      [keyArn],
      {
        StringEquals: { 'kms:ViaService': region('secretsmanager') },
        StringLike: { 'kms:EncryptionContext:SecretARN': arn('secretsmanager', ':', 'secret') },
      },
    ],
  ];
}

/** The `Fn::GetAtt` of the stack key's ARN, as policies reference it. */
export function stackKeyArn(stack: Stack): Json {
  const key = stack.node.findChild('TokenRefresherKey');
  return { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as never), 'Arn'] };
}

const INTRINSIC = 'intrinsic:';

/**
 * Joins an `Fn::Join` with an empty separator into one string, writing each intrinsic (`Ref`,
 * `Fn::GetAtt`, ...) as `intrinsic:<base64 of its JSON>`. Literal strings pass through unchanged.
 */
export function flattenJoin(value: Json): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, Json[]] })['Fn::Join'];
  if (join && join[0] === '') return join[1].map(flattenJoin).join('');
  return `${INTRINSIC}${Buffer.from(JSON.stringify(value)).toString('base64url')}`;
}

/** The intrinsic a `flattenJoin` placeholder stands for, or the string itself when it is literal. */
export function intrinsicOf(text: string): Json {
  return text.startsWith(INTRINSIC)
    ? JSON.parse(Buffer.from(text.slice(INTRINSIC.length), 'base64url').toString())
    : text;
}

/** Renders the `Ref`s of a joined ARN readably, as cdk-nag does: `arn:<AWS::Partition>:ssm:...`. */
export function readableArn(value: Json): string {
  return flattenJoin(value).replace(/intrinsic:([A-Za-z0-9_-]+)/g, (_, encoded: string) => {
    const intrinsic = JSON.parse(Buffer.from(encoded, 'base64url').toString()) as { Ref?: string };
    return intrinsic.Ref ? `<${intrinsic.Ref}>` : JSON.stringify(intrinsic);
  });
}

/** The function's environment, with `TOKEN_REFRESHER_CONFIG` parsed (intrinsics as `flattenJoin` placeholders). */
export function functionEnvironment(functionResource: Record<string, Json>): {
  variables: Record<string, Json>;
  config: unknown;
} {
  const variables = (functionResource['Properties'] as { Environment: { Variables: Record<string, Json> } }).Environment
    .Variables;
  return { variables, config: JSON.parse(flattenJoin(variables[RUNTIME_CONFIG_ENV])) };
}

/** The only resource of `type` whose logical id starts with `prefix`. */
export function onlyResource(template: Template, type: string, prefix = ''): [string, Record<string, Json>] {
  const found = Object.entries(template.findResources(type)).filter(([logicalId]) => logicalId.startsWith(prefix));
  if (found.length !== 1) {
    throw new Error(
      `expected one ${type} starting with "${prefix}", found ${found.map(([id]) => id).join(', ') || 'none'}`,
    );
  }
  return found[0] as [string, Record<string, Json>];
}

/** `arn:${Partition}:secretsmanager:${Region}:${AccountId}:secret:<name>-??????`: a secret by name. */
export function secretArnPattern(name: string): Json {
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':secretsmanager:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        `:secret:${name}-??????`,
      ],
    ],
  };
}

/**
 * The refresher's permission to put its lifecycle events (lib/private/refresher-events.ts): on the
 * default bus of its account and region, with this project's source and detail-types only.
 */
export function defaultBusEventsPermission(): [string[], Json[], Json] {
  const bus = {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':events:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        ':event-bus/default',
      ],
    ],
  };
  return [
    ['events:PutEvents'],
    [bus],
    {
      'ForAllValues:StringEquals': {
        'events:source': ['token-refresher'],
        'events:detail-type': Object.values(DETAIL_TYPE),
      },
      Null: { 'events:source': 'false', 'events:detail-type': 'false' },
    },
  ];
}
