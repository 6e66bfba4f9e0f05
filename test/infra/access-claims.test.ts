/**
 * docs/security.md "Who can read what", proven by evaluating the synthesized templates with an IAM
 * policy simulator (test/helpers/iam-evaluator.ts): two stages of two providers each (one publishing
 * to Parameter Store, one to Secrets Manager), consumers granted with `grantRead` from another stack,
 * an administrator and a broad reader outside the refresher path. Each claim is checked as written
 * (test/infra/access-claims.ts), and each is shown to fail when the templates are changed to break it.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { TokenRefresherFleet } from '../../lib/token-refresher-fleet.js';
import type { CfnTemplate } from '../helpers/cfn-resolver.js';
import { type Cast, CLAIMS } from './access-claims.js';
import { AccessModel, type Templates, templatesOf } from './access-model.js';
import { PARAMETER_STORE_ENTRY, SECRETS_MANAGER_ENTRY, resolvedProvider, STUB_ENTRY, testApp } from './fixtures.js';

function synthesize(): Map<string, CfnTemplate> {
  const app = testApp();
  const providers = [
    resolvedProvider({ ...PARAMETER_STORE_ENTRY, id: 'alpha' }),
    resolvedProvider({ ...SECRETS_MANAGER_ENTRY, id: 'beta' }),
  ];
  const defaultStage = new TokenRefresherFleet(app, 'Default', { providers, functionEntry: STUB_ENTRY });
  const stageX = new TokenRefresherFleet(app, 'StageX', { providers, functionEntry: STUB_ENTRY, stage: 'x' });
  const others = new Stack(app, 'Others');
  const role = (id: string, props: Partial<iam.RoleProps> = {}) =>
    new iam.Role(others, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), ...props });
  defaultStage.refreshers.get('alpha')!.grantRead(role('AlphaConsumer'));
  stageX.refreshers.get('beta')!.grantRead(role('BetaXConsumer'));
  const inline = (actions: string[]) =>
    new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions, resources: ['*'] })] });
  role('Administrator', { path: '/ops/', inlinePolicies: { All: inline(['ssm:*', 'secretsmanager:*', 'kms:*']) } });
  role('Reader', {
    path: '/ops/',
    inlinePolicies: { Read: inline(['ssm:GetParameter', 'secretsmanager:GetSecretValue']) },
  });
  return templatesOf(app);
}

function castOf(model: AccessModel): Cast {
  const token = (stage: string, providerId: string) =>
    model.items.find((i) => i.kind === 'published token' && i.stage === stage && i.providerId === providerId)!;
  const alphaConsumer = model.principal('AlphaConsumer');
  const betaXConsumer = model.principal('BetaXConsumer');
  return {
    administrator: model.principal('Administrator'),
    reader: model.principal('Reader'),
    consumers: [
      { principal: alphaConsumer, token: token('default', 'alpha') },
      { principal: betaXConsumer, token: token('x', 'beta') },
    ],
    stageRoles: new Map([
      ['default', [alphaConsumer]],
      ['x', [betaXConsumer]],
    ]),
  };
}

let templates: Templates;
let model: AccessModel;
beforeAll(() => {
  templates = synthesize();
  model = new AccessModel(templates);
}, 60_000);

describe('docs/security.md "Who can read what", evaluated on the synthesized templates', () => {
  it('finds both stages, both providers and their four things each, so that no claim holds for want of them', () => {
    expect(
      model.refreshers.map((r) => `${r.stage}/${r.providerId} ${r.principal.roleArn.split(':')[5]}`).sort(),
    ).toEqual([
      expect.stringMatching(/^default\/alpha role\/token-refresher\/alpha\//),
      expect.stringMatching(/^default\/beta role\/token-refresher\/beta\//),
      expect.stringMatching(/^x\/alpha role\/token-refresher-x\/alpha\//),
      expect.stringMatching(/^x\/beta role\/token-refresher-x\/beta\//),
    ]);
    expect(model.items.map((i) => `${i.label} ${i.store}`).sort()).toEqual(
      ['default', 'x'].flatMap((stage) => [
        `${stage}/alpha credentials secret secret`,
        `${stage}/alpha published token SecureString`,
        `${stage}/alpha refresh token SecureString`,
        `${stage}/alpha state ledger String`,
        `${stage}/beta credentials secret secret`,
        `${stage}/beta published token secret`,
        `${stage}/beta refresh token SecureString`,
        `${stage}/beta state ledger String`,
      ]),
    );
    expect(new Set(model.items.flatMap((i) => (i.keyArn ? [i.keyArn] : [])))).toEqual(
      new Set(model.keyPolicies.keys()),
    );
    expect(model.keyPolicies.size).toBe(2);
  });

  // One test per claim, named by its full wording (it.each would shorten a long `$claim`).
  for (const { claim, check } of CLAIMS) {
    it(`${claim}`, async () => {
      expect(await check(model, castOf(model)), claim).toEqual([]);
    });
  }
});

// --- Each claim can fail: the templates changed the way a regression would change them. ---

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface Found {
  readonly stackName: string;
  readonly logicalId: string;
  readonly resource: Json;
}

/** A copy of the templates with `change` applied to it. */
function mutated(change: (resources: Found[], stacks: Map<string, Json>) => void): Templates {
  const copy = new Map([...templates].map(([name, t]) => [name, structuredClone(t) as Json]));
  const resources = [...copy].flatMap(([stackName, template]) =>
    Object.entries(template['Resources'] as Record<string, Json>).map(([logicalId, resource]) => ({
      stackName,
      logicalId,
      resource,
    })),
  );
  change(resources, copy);
  return copy;
}

const ofType = (resources: Found[], type: string) => resources.filter((r) => r.resource['Type'] === type);

/** The statements of every key policy whose Sid starts with `sid`, in stacks matching `stack`. */
function keyStatements(resources: Found[], sid: string, stack = /./): Json[] {
  return ofType(resources, 'AWS::KMS::Key')
    .filter((r) => stack.test(r.stackName))
    .flatMap((r) => r.resource['Properties']['KeyPolicy']['Statement'] as Json[])
    .filter((s) => String(s['Sid']).startsWith(sid));
}

/** Replaces `from` by `to` in every string of `value`, in place. */
function replaceIn(value: Json, from: RegExp, to: string): void {
  for (const [key, inner] of Object.entries(value)) {
    if (typeof inner === 'string') value[key] = inner.replace(from, to);
    else if (inner && typeof inner === 'object') replaceIn(inner as Json, from, to);
  }
}

/** The statements of the policies attached to the roles at the IAM path `path`. */
function roleStatements(resources: Found[], path: string): Json[] {
  const roles = ofType(resources, 'AWS::IAM::Role').filter((r) => r.resource['Properties']['Path'] === path);
  return ofType(resources, 'AWS::IAM::Policy')
    .filter((p) =>
      roles.some(
        (r) =>
          r.stackName === p.stackName &&
          JSON.stringify(p.resource['Properties']['Roles']) === JSON.stringify([{ Ref: r.logicalId }]),
      ),
    )
    .flatMap((p) => p.resource['Properties']['PolicyDocument']['Statement'] as Json[]);
}

const ACCOUNT_ROOT = {
  AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] },
};

const MUTATIONS: readonly { name: string; change: Parameters<typeof mutated>[0]; breaks: string[] }[] = [
  {
    name: 'the key admits every role of the account to use it (`role/*` instead of `role/<prefix>/*`)',
    change: (r) => keyStatements(r, 'RefreshersUse').forEach((s) => replaceIn(s, /:role\/.+\/\*$/, ':role/*')),
    breaks: ['refresh-token-read', 'refresh-token-connect', 'credentials-key', 'administrator'],
  },
  {
    name: 'the key has CDK’s default policy, which lets the account use it',
    change: (r) =>
      ofType(r, 'AWS::KMS::Key').forEach((k) => {
        k.resource['Properties']['KeyPolicy']['Statement'] = [
          { Effect: 'Allow', Principal: ACCOUNT_ROOT, Action: 'kms:*', Resource: '*' },
        ];
      }),
    breaks: ['refresh-token-read', 'refresh-token-connect', 'credentials-key', 'token-write', 'administrator'],
  },
  {
    name: 'the key lets every principal of the account decrypt (Principal `*`, callers of the account)',
    change: (r) =>
      ofType(r, 'AWS::KMS::Key').forEach((k) =>
        (k.resource['Properties']['KeyPolicy']['Statement'] as Json[]).push({
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'kms:Decrypt',
          Resource: '*',
          Condition: { StringEquals: { 'kms:CallerAccount': { Ref: 'AWS::AccountId' } } },
        }),
      ),
    breaks: ['refresh-token-read', 'credentials-key', 'token-read', 'administrator', 'reader'],
  },
  {
    name: 'the consumers’ decrypt statement covers every parameter of the prefix (`parameter/<prefix>/*`)',
    change: (r) =>
      keyStatements(r, 'ConsumersDecryptTokenParameters').forEach((s) => replaceIn(s, /\/\*\/token$/, '/*')),
    breaks: ['refresh-token-read', 'administrator'],
  },
  {
    name: 'the operators’ encrypt statement loses its encryption-context condition',
    change: (r) => keyStatements(r, 'OperatorsWriteCredentials').forEach((s) => delete s['Condition']['StringLike']),
    breaks: ['token-write'],
  },
  {
    name: 'the key no longer lets operators encrypt credentials',
    change: (r) =>
      ofType(r, 'AWS::KMS::Key').forEach((k) => {
        const policy = k.resource['Properties']['KeyPolicy'];
        policy['Statement'] = (policy['Statement'] as Json[]).filter(
          (s) => !String(s['Sid']).startsWith('OperatorsWriteCredentials'),
        );
      }),
    breaks: ['credentials-write'],
  },
  {
    name: 'the operators’ state statement loses its kms:ViaService condition',
    change: (r) => keyStatements(r, 'OperatorsConnectState').forEach((s) => delete s['Condition']['StringEquals']),
    breaks: ['refresh-token-connect'],
  },
  {
    name: 'the operators’ state statement allows kms:Decrypt too',
    change: (r) =>
      keyStatements(r, 'OperatorsConnectState').forEach((s) => (s['Action'] = [...s['Action'], 'kms:Decrypt'])),
    breaks: ['refresh-token-read', 'refresh-token-connect', 'administrator'],
  },
  {
    name: 'the operators’ state statement covers every parameter of the prefix (`parameter/<prefix>/*`)',
    change: (r) => keyStatements(r, 'OperatorsConnectState').forEach((s) => replaceIn(s, /\/\*\/state$/, '/*')),
    breaks: ['refresh-token-connect', 'token-write'],
  },
  {
    name: 'the key no longer lets operators write the state',
    change: (r) =>
      ofType(r, 'AWS::KMS::Key').forEach((k) => {
        const policy = k.resource['Properties']['KeyPolicy'];
        policy['Statement'] = (policy['Statement'] as Json[]).filter(
          (s) => !String(s['Sid']).startsWith('OperatorsConnectState'),
        );
      }),
    breaks: ['refresh-token-write', 'refresh-token-connect'],
  },
  {
    name: 'the credentials secrets lose their resource policy',
    change: (r, stacks) =>
      ofType(r, 'AWS::SecretsManager::ResourcePolicy').forEach(({ stackName, logicalId }) => {
        delete stacks.get(stackName)!['Resources'][logicalId];
      }),
    breaks: ['credentials-resource-policy'],
  },
  {
    name: 'the credentials secrets lose their resource policy, and the key has CDK’s default policy',
    change: (r, stacks) => {
      ofType(r, 'AWS::SecretsManager::ResourcePolicy').forEach(({ stackName, logicalId }) => {
        delete stacks.get(stackName)!['Resources'][logicalId];
      });
      ofType(r, 'AWS::KMS::Key').forEach((k) => {
        k.resource['Properties']['KeyPolicy']['Statement'] = [
          { Effect: 'Allow', Principal: ACCOUNT_ROOT, Action: 'kms:*', Resource: '*' },
        ];
      });
    },
    breaks: ['credentials-read', 'credentials-resource-policy', 'credentials-key', 'administrator'],
  },
  {
    name: 'the resource policy’s Deny spares the whole prefix (`role/<prefix>/*` instead of `role/<prefix>/<id>/*`)',
    change: (r) =>
      ofType(r, 'AWS::SecretsManager::ResourcePolicy').forEach((p) =>
        replaceIn(p.resource, /(:role\/[^/]+)\/[^/]+\/\*$/, '$1/*'),
      ),
    breaks: ['credentials-resource-policy'],
  },
  {
    name: 'refresher alpha’s role: every statement on `*`, without conditions',
    change: (r) =>
      roleStatements(r, '/token-refresher/alpha/').forEach((s) => {
        s['Resource'] = '*';
        delete s['Condition'];
      }),
    breaks: ['refresh-token-read', 'refresh-token-write', 'credentials-key', 'token-read', 'refresher-own'],
  },
  {
    name: 'refresher alpha’s key statements name every provider of the prefix (`<prefix>/*` instead of `<prefix>/alpha/*`)',
    change: (r) =>
      roleStatements(r, '/token-refresher/alpha/')
        .filter((s) => s['Condition'])
        .forEach((s) => replaceIn(s['Condition'] as Json, /\/alpha\/\*$/, '/*')),
    breaks: ['refresher-own'],
  },
  {
    name: 'a consumer’s grant widened to every secret: secretsmanager:GetSecretValue and kms:Decrypt on `*`',
    change: (r) =>
      ofType(r, 'AWS::IAM::Policy')
        .filter((p) => p.logicalId.startsWith('AlphaConsumer'))
        .forEach((p) =>
          (p.resource['Properties']['PolicyDocument']['Statement'] as Json[]).push({
            Effect: 'Allow',
            Action: ['secretsmanager:GetSecretValue', 'kms:Decrypt'],
            Resource: '*',
          }),
        ),
    breaks: ['consumer', 'token-read'],
  },
  {
    name: 'the default key’s path pattern loses its slash (`role/token-refresher*`) and stage x’s roles name any key',
    change: (r) => {
      keyStatements(r, 'RefreshersUse', /^TokenRefresher$/).forEach((s) =>
        replaceIn(s, /:role\/token-refresher\/\*$/, ':role/token-refresher*'),
      );
      for (const path of ['/token-refresher-x/alpha/', '/token-refresher-x/beta/']) {
        roleStatements(r, path)
          .filter((s) => JSON.stringify(s['Action']).includes('kms:'))
          .forEach((s) => (s['Resource'] = '*'));
      }
    },
    breaks: ['stage-key'],
  },
];

describe('each claim fails when the templates break it', () => {
  it('covers every claim with at least one mutation', () => {
    expect(CLAIMS.map((c) => c.id).filter((id) => !MUTATIONS.some((m) => m.breaks.includes(id)))).toEqual([]);
  });

  for (const { name, change, breaks } of MUTATIONS) {
    it(`${name}`, async () => {
      const broken = new AccessModel(mutated(change));
      for (const id of breaks) {
        const { claim, check } = CLAIMS.find((c) => c.id === id)!;
        const before = await check(model, castOf(model));
        const after = await check(broken, castOf(broken));
        expect(
          after.filter((problem) => !before.includes(problem)),
          `no new contradiction of: ${claim}`,
        ).not.toEqual([]);
      }
    });
  }
});
