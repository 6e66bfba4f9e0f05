/**
 * The access claims of docs/security.md ("Who can read what"), each as a check over an `AccessModel`
 * that returns what contradicts it: an empty list when the claim holds. The claims' wording is the
 * test's name and its failure message.
 */
import type { AccessModel, Call, Item, ItemKind, Principal } from './access-model.js';

/** The principals the claims speak of, besides the refreshers the model finds. */
export interface Cast {
  /** A role outside the refresher path with `ssm:*`, `secretsmanager:*` and `kms:*` on `*`. */
  readonly administrator: Principal;
  /** A role with `ssm:GetParameter` and `secretsmanager:GetSecretValue` on `*` and no KMS permission. */
  readonly reader: Principal;
  /** Roles granted with `grantRead`, each with the token it was granted. */
  readonly consumers: readonly { readonly principal: Principal; readonly token: Item }[];
  /** Each stage's roles that are not refreshers (the refreshers carry their stage). */
  readonly stageRoles: ReadonlyMap<string, readonly Principal[]>;
}

export interface Claim {
  readonly id: string;
  readonly claim: string;
  readonly check: (model: AccessModel, cast: Cast) => Promise<string[]>;
}

const ALLOW_ALL = (actions: string[]) => ({
  name: 'probe',
  policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] },
});

const names = (principals: readonly Principal[]) => principals.map((p) => p.label).sort();

async function filter<T>(values: readonly T[], keep: (value: T) => Promise<boolean>): Promise<T[]> {
  const kept: T[] = [];
  for (const value of values) if (await keep(value)) kept.push(value);
  return kept;
}

/** For each item of `kind`: the principals of the model that read or write it, when they are not exactly `expected`. */
async function whoCan(
  model: AccessModel,
  kind: ItemKind,
  verb: 'reads' | 'writes',
  expected: (item: Item) => readonly Principal[],
): Promise<string[]> {
  const problems: string[] = [];
  for (const item of model.items.filter((i) => i.kind === kind)) {
    const actual = names(
      await filter(model.principals, (p) => (verb === 'reads' ? model.canRead(p, item) : model.canWrite(p, item))),
    );
    const wanted = names(expected(item));
    if (JSON.stringify(actual) !== JSON.stringify(wanted)) {
      problems.push(
        `${item.label} ${verb === 'reads' ? 'is read' : 'is written'} by [${actual.join(', ')}], expected [${wanted.join(', ')}]`,
      );
    }
  }
  return problems;
}

const refresherOf = (model: AccessModel, item: Item) =>
  model.refreshers.filter((r) => r.items.includes(item)).map((r) => r.principal);

/** Roles that stand for "anyone else" at a path the stack does not control. */
function outsiderArns(model: AccessModel, item: Item, otherPrefixes: readonly string[]): string[] {
  const { partition, account } = model.resolver.env;
  const role = (path: string) => `arn:${partition}:iam::${account}:role${path}Probe`;
  return ['/', '/ops/', ...otherPrefixes.map((p) => `/${p}/${item.providerId}/`)].map(role);
}

const prefixes = (model: AccessModel) => [...new Set(model.refreshers.map((r) => r.prefix))];

export const CLAIMS: readonly Claim[] = [
  {
    id: 'refresh-token-read',
    claim: 'refresh token (`/<prefix>/<id>/state`): who can read it: "that provider\'s refresher function only"',
    check: (model) => whoCan(model, 'refresh token', 'reads', (item) => refresherOf(model, item)),
  },
  {
    id: 'refresh-token-write',
    claim:
      'refresh token (`/<prefix>/<id>/state`): who can write it: "that refresher, and operators with `ssm:PutParameter` on it and `kms:Encrypt` (`token-refresher connect`)"',
    check: (model, cast) =>
      whoCan(model, 'refresh token', 'writes', (item) => [...refresherOf(model, item), cast.administrator]),
  },
  {
    id: 'refresh-token-connect',
    claim:
      'refresh token (`/<prefix>/<id>/state`): "the key lets the account encrypt it through SSM, with that parameter\'s encryption context, never decrypt it": an operator with ssm:PutParameter and kms:* writes the state, but decrypts nothing of it and encrypts for no other name',
    check: async (model, { administrator }) => {
      const problems: string[] = [];
      const { partition, region, account } = model.resolver.env;
      for (const item of model.items.filter((i) => i.kind === 'refresh token')) {
        const { open, of } = await model.writeWaysOpen(administrator, item);
        if (open !== of) problems.push(`${item.label}: the operator writes it in ${open} of its ${of} ways`);
        if (await model.allows(administrator, model.keyCall('kms:Decrypt', item))) {
          problems.push(`${item.label}: the operator may decrypt it`);
        }
        const encrypt = model.keyCall('kms:Encrypt', item);
        // The same context asked for directly, not through SSM: anyone may name any parameter in it.
        const { ['kms:ViaService']: _via, ...direct } = encrypt.context ?? {};
        if (await model.allows(administrator, { ...encrypt, context: direct })) {
          problems.push(`${item.label}: the operator may encrypt with its context outside SSM`);
        }
        // The provider's other parameters, and names one step away from the state's.
        const base = `arn:${partition}:ssm:${region}:${account}:parameter/${item.prefix}/${item.providerId}`;
        const others = [
          ...model.items
            .filter((i) => i.stage === item.stage && i.providerId === item.providerId && i !== item)
            .filter((i) => i.store !== 'secret')
            .map((i) => i.arn),
          ...['manifest', 'statex', 'state/x', 'x'].map((leaf) => `${base}/${leaf}`),
        ];
        for (const arn of others) {
          for (const action of ['kms:Encrypt', 'kms:GenerateDataKey']) {
            if (await model.allows(administrator, model.keyCall(action, { ...item, arn }))) {
              problems.push(`${item.label}: the operator may ${action} for ${arn}`);
            }
          }
        }
      }
      return problems;
    },
  },
  {
    id: 'credentials-read',
    claim: 'credentials secret created by the stack: who can read it: "that refresher only"',
    check: (model) => whoCan(model, 'credentials secret', 'reads', (item) => refresherOf(model, item)),
  },
  {
    id: 'credentials-resource-policy',
    claim:
      'credentials secret created by the stack: "its resource policy denies GetSecretValue to every principal outside the IAM path /<prefix>/<id>/"',
    check: async (model) => {
      const problems: string[] = [];
      const { partition, account } = model.resolver.env;
      for (const item of model.items.filter((i) => i.kind === 'credentials secret')) {
        const own = `/${item.prefix}/${item.providerId}/`;
        // Every role of the app, and names one character away from the refresher's path.
        const arns = [
          ...model.principals.map((p) => p.roleArn),
          ...[
            own,
            `/${item.prefix}/`,
            `/${item.prefix}/${item.providerId}x/`,
            `/${item.prefix}x/${item.providerId}/`,
          ].map((path) => `arn:${partition}:iam::${account}:role${path}Probe`),
        ];
        for (const roleArn of arns) {
          const inside = roleArn.startsWith(`arn:${partition}:iam::${account}:role${own}`);
          const decision = await model.decision(
            { roleArn, policies: [ALLOW_ALL(['secretsmanager:GetSecretValue'])] },
            { action: 'secretsmanager:GetSecretValue', resource: item.arn, resourcePolicy: item.resourcePolicy },
          );
          if ((decision === 'ExplicitlyDenied') === inside) {
            problems.push(`${item.label}: GetSecretValue by ${roleArn} (allowed by its IAM policy) is ${decision}`);
          }
        }
      }
      return problems;
    },
  },
  {
    id: 'credentials-key',
    claim: 'credentials secret created by the stack: "the key lets nobody else decrypt it"',
    check: async (model) => {
      const problems: string[] = [];
      for (const item of model.items.filter((i) => i.kind === 'credentials secret')) {
        const others = prefixes(model).filter((p) => p !== item.prefix);
        const candidates = [
          ...model.principals.filter((p) => !refresherOf(model, item).includes(p)),
          ...outsiderArns(model, item, others).map((roleArn) => ({
            label: roleArn,
            roleArn,
            policies: [ALLOW_ALL(['kms:*'])],
          })),
        ];
        for (const principal of candidates) {
          if (await model.allows(principal, model.keyCall('kms:Decrypt', item))) {
            problems.push(`${item.label}: ${principal.label} may decrypt it`);
          }
        }
      }
      return problems;
    },
  },
  {
    id: 'credentials-write',
    claim:
      'credentials secret created by the stack: who can write it: "operators with secretsmanager:PutSecretValue on it (the key lets the account encrypt credentials, never decrypt them)"',
    check: async (model, cast) => {
      const problems = await whoCan(model, 'credentials secret', 'writes', () => [cast.administrator]);
      for (const item of model.items.filter((i) => i.kind === 'credentials secret')) {
        if (await model.allows(cast.administrator, model.keyCall('kms:Decrypt', item))) {
          problems.push(`${item.label}: the operator who may write it may also decrypt it`);
        }
      }
      return problems;
    },
  },
  {
    id: 'token-read',
    claim:
      'published token: who can read it: "principals granted with grantRead, wireLambdaConsumer or wireEcsContainer (read on that token, decrypt through the store for that token only), and the refresher; also any principal of the account whose own IAM policies allow reading that token and kms:Decrypt on the stage key, such as an administrator with kms:* on *"',
    check: (model, cast) =>
      whoCan(model, 'published token', 'reads', (item) => [
        ...refresherOf(model, item),
        ...cast.consumers.filter((c) => c.token === item).map((c) => c.principal),
        cast.administrator,
      ]),
  },
  {
    id: 'token-write',
    claim: 'published token: who can write it: "the refresher"',
    check: (model) => whoCan(model, 'published token', 'writes', (item) => refresherOf(model, item)),
  },
  {
    id: 'refresher-own',
    claim:
      'each refresher role (path /<prefix>/<id>/) "has its own policy limit it to <prefix>/<id>/… by encryption context": refresher A reads its own state, ledger, token and credentials and writes its own state, ledger and token, and reads or writes nothing of provider B',
    check: async (model) => {
      const problems: string[] = [];
      for (const refresher of model.refreshers) {
        const who = refresher.principal.label;
        for (const item of model.items) {
          const own = refresher.items.includes(item);
          if ((await model.canRead(refresher.principal, item)) !== own) {
            problems.push(`${who} ${own ? 'cannot read' : 'reads'} ${item.label}`);
          }
          // The key's own limit, by encryption context, whatever the store's permissions say.
          if (!own && item.keyArn) {
            for (const action of ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']) {
              if (await model.allows(refresher.principal, model.keyCall(action, item))) {
                problems.push(`${who} may ${action} for ${item.label}`);
              }
            }
          }
          const { open, of } = await model.writeWaysOpen(refresher.principal, item);
          const writable = own && item.kind !== 'credentials secret';
          if (writable ? open !== of : open !== 0) {
            problems.push(`${who} can write ${item.label} in ${open} of its ${of} ways, expected ${writable ? of : 0}`);
          }
        }
      }
      return problems;
    },
  },
  {
    id: 'administrator',
    claim:
      'a role outside the refresher path with ssm:*, secretsmanager:* and kms:* on * cannot read a refresh token (the key denies kms:Decrypt with the refresher\'s encryption context) or a created credentials secret (its resource policy denies GetSecretValue): "not a side effect of a broad read-only or admin role"',
    check: async (model, { administrator }) => {
      const problems: string[] = [];
      for (const item of model.items) {
        if (item.kind !== 'refresh token' && item.kind !== 'credentials secret') continue;
        const [store, key] = model.readCalls(item) as [Call, Call];
        const decisions = {
          store: await model.decision(administrator, store),
          key: await model.decision(administrator, key),
        };
        const expected = item.kind === 'refresh token' ? 'Allowed' : 'ExplicitlyDenied';
        if (decisions.store !== expected || decisions.key === 'Allowed') {
          problems.push(
            `${item.label}: ${store.action} ${decisions.store} (expected ${expected}), ${key.action} ${decisions.key}`,
          );
        }
      }
      return problems;
    },
  },
  {
    id: 'reader',
    claim:
      'a broad read-only role (ssm:GetParameter and secretsmanager:GetSecretValue on *, no KMS permission) reads no refresh token, credentials secret or published token: "not a side effect of a broad read-only or admin role"',
    check: async (model, { reader }) =>
      (
        await filter(model.items, (item) =>
          item.kind === 'state ledger' ? Promise.resolve(false) : model.canRead(reader, item),
        )
      ).map((item) => `${reader.label} reads ${item.label}`),
  },
  {
    id: 'consumer',
    claim:
      "a consumer granted with grantRead reads exactly one token: not another provider's token, nor any refresh token, ledger or credentials",
    check: async (model, { consumers }) => {
      const problems: string[] = [];
      for (const { principal, token } of consumers) {
        const read = (await filter(model.items, (item) => model.canRead(principal, item))).map((i) => i.label);
        if (JSON.stringify(read) !== JSON.stringify([token.label])) {
          problems.push(`${principal.label}, granted ${token.label}, reads [${read.join(', ')}]`);
        }
      }
      return problems;
    },
  },
  {
    id: 'stage-key',
    claim:
      'a role of stage x cannot use the default stage\'s key (and no role of one stage another stage\'s): "Each stage has one customer-managed KMS key"',
    check: async (model, { stageRoles }) => {
      const problems: string[] = [];
      const keys = new Map(model.refreshers.map((r) => [r.stage, r.keyArn]));
      for (const [stage, keyArn] of keys) {
        const strangers = [
          ...model.refreshers.filter((r) => r.stage !== stage).map((r) => r.principal),
          ...[...stageRoles].filter(([s]) => s !== stage).flatMap(([, roles]) => roles),
        ];
        for (const principal of strangers) {
          // Any of the stage's names, and the stranger's own names, under this stage's key.
          for (const item of model.items) {
            for (const action of ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey']) {
              if (await model.allows(principal, model.keyCall(action, item, keyArn))) {
                problems.push(`${principal.label} may ${action} with stage ${stage}'s key for ${item.label}`);
              }
            }
          }
        }
      }
      return problems;
    },
  },
];
