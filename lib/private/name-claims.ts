import { Stack, Token } from 'aws-cdk-lib';
import type { Construct, IConstruct } from 'constructs';

/**
 * The physical names the constructs of one app take, so that synth refuses two constructs that would
 * deploy a resource of the same name: the second deployment would fail, or (alarms, the dashboard)
 * silently replace the first one's. contract/naming.ts makes names injective over
 * (prefix, provider id); what is left is the same pair twice, for instance one `ProviderTokenRefresher`
 * per stack with the same provider and stage.
 *
 * Names are regional except the dashboard's (unique in the account): two claims collide when their
 * accounts and, for regional names, their regions may be the same. An environment-agnostic stack may
 * be deployed anywhere, so it may share an environment with any other stack.
 */
interface Claim {
  readonly path: string;
  readonly account: string;
  readonly region: string;
}

/** By app (the root of the construct tree), by kind and name. */
const claimsOf = new WeakMap<IConstruct, Map<string, Claim[]>>();

/** Kinds of name that are unique in the account rather than in a region. */
const ACCOUNT_WIDE = new Set(['dashboard']);

/**
 * Records `names` (by kind, e.g. `{ schedule: 'token-refresher-nagra' }`) for `scope`.
 * @throws Error naming both construct paths, every shared name and the fix when another construct of
 *   the app already took one of them
 */
export function claimNames(scope: Construct, names: Readonly<Record<string, string>>): void {
  const root = scope.node.root;
  const claims = claimsOf.get(root) ?? new Map<string, Claim[]>();
  claimsOf.set(root, claims);
  const stack = Stack.of(scope);
  const mine: Claim = { path: scope.node.path, account: stack.account, region: stack.region };
  const shared = new Map<string, string[]>();
  for (const [kind, name] of Object.entries(names)) {
    const other = (claims.get(`${kind}\0${name}`) ?? []).find((claim) => mayShare(claim, mine, ACCOUNT_WIDE.has(kind)));
    if (other) shared.set(other.path, [...(shared.get(other.path) ?? []), `${kind} "${name}"`]);
  }
  const [otherPath, sharedNames] = [...shared][0] ?? [];
  if (otherPath !== undefined && sharedNames !== undefined) {
    throw new Error(
      `${mine.path} would deploy the same names as ${otherPath} in the same account and region (${sharedNames.join(', ')}): ` +
        `the second deployment would fail, or silently replace the first one's. Keep one of them, or give one its own "stage" (or "namePrefix")`,
    );
  }
  for (const [kind, name] of Object.entries(names)) {
    const key = `${kind}\0${name}`;
    claims.set(key, [...(claims.get(key) ?? []), mine]);
  }
}

function mayShare(a: Claim, b: Claim, accountWide: boolean): boolean {
  const same = (x: string, y: string) => x === y || Token.isUnresolved(x) || Token.isUnresolved(y);
  return same(a.account, b.account) && (accountWide || same(a.region, b.region));
}
