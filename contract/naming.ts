import { createHash } from 'node:crypto';
import { ALARM_KINDS, ALARM_SUFFIX, type AlarmKind, MANIFEST_OUTPUT_SUFFIX } from './refresher-manifest.js';

/**
 * Names of the AWS resources one provider uses. Operators, consumers and the function all address
 * the secrets and parameters by these names, so they are fixed here, in one place, and never derived
 * from construct paths or logical ids (which change when the code is reorganised).
 */

/**
 * The stack tag every stack of the app carries, with the stage's name as its value: the operator CLI
 * finds all stacks of a stage by it (cli/common/stage-stacks.ts), however the app groups providers.
 */
export const STAGE_TAG = 'token-refresher:stage';
/**
 * The tag every refresher's manifest parameter carries with its stack's name, so that `--stack` finds
 * the refreshers of a stack whose outputs do not list them (a `ProviderTokenRefresher` in your own stack).
 */
export const MANIFEST_STACK_TAG = 'token-refresher:stack';
/** The last segment of a manifest parameter's name, `/<prefix>/<id>/manifest`. */
export const MANIFEST_PARAMETER_LEAF = 'manifest';
/** The stage of a deployment that names none. */
export const DEFAULT_STAGE = 'default';

/** Default first segment of every name, e.g. `token-refresher/nagra-prod/credentials`. */
export const DEFAULT_NAME_PREFIX = 'token-refresher';

/**
 * A prefix must be valid inside Secrets Manager names and SSM parameter names alike, and SSM reserves
 * names that start with `aws` or `ssm` (case-insensitive).
 */
const NAME_PREFIX_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,38}[A-Za-z0-9])?$/;
const RESERVED_PREFIX_PATTERN = /^(?:aws|ssm)/i;

/** Returns why `prefix` cannot be used, or undefined when it can. */
export function namePrefixProblem(prefix: string): string | undefined {
  if (!NAME_PREFIX_PATTERN.test(prefix)) {
    return `"namePrefix" must be 1 to 40 of A-Z a-z 0-9 _ . -, starting and ending with a letter or digit; got ${JSON.stringify(prefix)}`;
  }
  if (RESERVED_PREFIX_PATTERN.test(prefix)) {
    return `"namePrefix" must not start with "aws" or "ssm" (SSM reserves those parameter names); got ${JSON.stringify(prefix)}`;
  }
  return undefined;
}

/**
 * How names are put together, so that every name is injective over (prefix, provider id), and so over
 * (stage, provider id), since `stageNames` gives every stage its own prefix:
 *
 * - Secrets, parameters and role paths are paths, `<prefix>/<id>/<what>`: neither a prefix nor a
 *   provider id contains `/`, so the segments are the pair.
 * - Flat names (alarms, schedules, the dashboard) cannot use `/` (schedules and dashboards refuse it),
 *   and both a stage and a provider id contain `-`: with `-` alone, provider `x-nagra` of the default
 *   stage and provider `nagra` of stage `x` were both `token-refresher-x-nagra`. The default prefix
 *   keeps the `-` its names always had; every other prefix is followed by `_`, which no provider id,
 *   stage, region or alarm suffix contains. A name with a `_` is therefore never a default-prefix name,
 *   and its last `_` ends its prefix.
 * - A name longer than its AWS limit keeps its first characters and ends in `.` and a hash of the
 *   exact pair (`fitted`).
 * - A signing key's alias is a path too, `alias/<prefix>/<id>/signing-key`, but an alias may not
 *   contain `.`, which a prefix may: such a prefix has its `.`s made `_`s, and the last segment
 *   becomes `signing-key-<hash of the exact pair>` (`signingKeyAlias`).
 *
 * Functions, roles, log groups, queues, topics and the keys have no name of ours: CloudFormation
 * generates theirs, unique by construction. A refresher's role is found by its path (`rolePath`).
 */
export interface ProviderResourceNames {
  /** Secrets Manager secret the operators fill with the provider credentials (when the stack creates it). */
  readonly credentialsSecretName: string;
  /** Secrets Manager secret the token is published to (store `secretsmanager`). */
  readonly tokenSecretName: string;
  /** SecureString parameter the token is published to (store `parameterstore`); starts with `/`. */
  readonly tokenParameterName: string;
  /** Private SecureString parameter holding the refresh token (contract/private-state.ts); starts with `/`. */
  readonly stateParameterName: string;
  /** Private String parameter holding the rest of the state, which is no secret: the ledger; starts with `/`. */
  readonly ledgerParameterName: string;
  /**
   * String parameter (standard tier) the construct writes with its manifest (contract/refresher-manifest.ts),
   * where the operator CLI finds the refresher in any stack; starts with `/`.
   */
  readonly manifestParameterName: string;
  /**
   * IAM path of the refresher function's role, `/<prefix>/<id>/`: the stage key admits `/<prefix>/*`,
   * and the provider's credentials secret only this path.
   */
  readonly rolePath: string;
  /** EventBridge Scheduler schedule (default group) that runs the refresher. */
  readonly scheduleName: string;
  /** The provider's paging alarms, by kind: `<prefix>-<id>-<Suffix>` in the default stage. */
  readonly alarmNames: Readonly<Record<AlarmKind, string>>;
  /** KMS alias of the signing key the stack creates for the provider (providers file `signingKey`). */
  readonly signingKeyAlias: string;
}

/** The longest name AWS allows, by kind of name. */
const NAME_LIMITS = { schedule: 64, alarm: 255, dashboard: 255, secret: 512, parameter: 1011 } as const;

/** Characters of the hash that ends a name cut to its limit: 48 bits. */
const HASH_CHARS = 12;

export function providerResourceNames(prefix: string, providerId: string): ProviderResourceNames {
  const flat = flatStart(prefix);
  const alarmNames = Object.fromEntries(
    ALARM_KINDS.map((kind) => [kind, `${flat}${providerId}-${ALARM_SUFFIX[kind]}`]),
  ) as Record<AlarmKind, string>;
  return {
    credentialsSecretName: `${prefix}/${providerId}/credentials`,
    tokenSecretName: `${prefix}/${providerId}/token`,
    tokenParameterName: `/${prefix}/${providerId}/token`,
    stateParameterName: `/${prefix}/${providerId}/state`,
    ledgerParameterName: `/${prefix}/${providerId}/ledger`,
    manifestParameterName: `/${prefix}/${providerId}/${MANIFEST_PARAMETER_LEAF}`,
    rolePath: `/${prefix}/${providerId}/`,
    scheduleName: fitted(`${flat}${providerId}`, NAME_LIMITS.schedule, prefix, providerId),
    alarmNames,
    signingKeyAlias: signingKeyAlias(prefix, providerId),
  };
}

/**
 * `alias/<prefix>/<id>/signing-key`. KMS aliases allow only `A-Z a-z 0-9 / _ -`, so a prefix with a
 * `.` has them replaced, which alone could join two prefixes (`a.b`, `a_b`); its last segment then
 * carries a hash of the exact pair, and no alias of a prefix without `.` has a last segment other than
 * `signing-key`. A prefix never starts with `aws` (`namePrefixProblem`), which KMS reserves.
 */
function signingKeyAlias(prefix: string, providerId: string): string {
  if (!prefix.includes('.')) return `alias/${prefix}/${providerId}/signing-key`;
  const hash = createHash('sha256').update(`${prefix}/${providerId}`).digest('hex').slice(0, HASH_CHARS);
  return `alias/${prefix.replaceAll('.', '_')}/${providerId}/signing-key-${hash}`;
}

/** A paging alarm's name: the construct creates it, `plan` lists it. */
export function alarmName(prefix: string, providerId: string, kind: AlarmKind): string {
  return providerResourceNames(prefix, providerId).alarmNames[kind];
}

/**
 * Patterns that match the names of every provider of a prefix, for the stage key's policy
 * (lib/private/refresher-key.ts), in ARN resource form (no leading `/`).
 */
export function prefixNamePatterns(prefix: string) {
  return {
    /** Roles under the refreshers' IAM path. */
    roles: `${prefix}/*`,
    /** Published token parameters. */
    tokenParameters: `${prefix}/*/token`,
    /** Private state SecureStrings, which hold the refresh tokens (`connect` writes them). */
    stateParameters: `${prefix}/*/state`,
    /** Published token secrets (Secrets Manager appends `-` and six characters). */
    tokenSecrets: `${prefix}/*/token-??????`,
    /** Credentials secrets. */
    credentialsSecrets: `${prefix}/*/credentials-??????`,
    /** Every secret and parameter of one provider. */
    provider: (providerId: string) => `${prefix}/${providerId}/*`,
  };
}

/**
 * The stage's dashboard: dashboard names are unique in the account, not the region, so the region is
 * part of it. Check the prefix with `dashboardNameProblem` first.
 */
export function dashboardName(prefix: string, region: string): string {
  return `${flatStart(prefix)}${region}`;
}

/** Dashboards allow only `A-Z a-z 0-9 - _`: why `prefix` cannot name one, or undefined when it can. */
export function dashboardNameProblem(prefix: string): string | undefined {
  return prefix.includes('.')
    ? `"namePrefix" ${JSON.stringify(prefix)} cannot name the stage's dashboard: CloudWatch dashboard names allow only A-Z a-z 0-9 - _; use a prefix without "."`
    : undefined;
}

/** What every flat name of a prefix starts with (the dashboard's link to the stage's alarms searches for it). */
export function flatStart(prefix: string): string {
  return prefix === DEFAULT_NAME_PREFIX ? `${prefix}-` : `${prefix}_`;
}

/**
 * `name` when it fits `max`, else its first characters, `.` and a hash of the exact pair. No name that
 * fits ends like that: a `.` can only come from the prefix, and a `_` and the provider id follow it,
 * where the hash has only hex digits; a default-prefix name (at most 56 characters) is never cut.
 */
function fitted(name: string, max: number, prefix: string, providerId: string): string {
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(`${prefix}/${providerId}`).digest('hex').slice(0, HASH_CHARS);
  return `${name.slice(0, max - HASH_CHARS - 1)}.${hash}`;
}

/** Children of the stacks themselves, whose ids no provider may take. */
const STACK_CHILD_IDS = [
  'AlarmTopic',
  'AlarmTopicArn',
  'Dashboard',
  'TokenRefresherKey',
  'TokenRefresherSharedDeadLetterQueue',
  'TokenRefresherSharedLogGroup',
  'TokenRefresherSharedScheduleRole',
  'CDKMetadata',
  'BootstrapVersion',
  'CheckBootstrapVersion',
];

/** A stage name: short, because it goes into stack, secret, parameter, alarm and schedule names. */
const STAGE_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?$/;

/** Returns why `stage` cannot name a stage, or undefined when it can. */
export function stageProblem(stage: string): string | undefined {
  return STAGE_PATTERN.test(stage)
    ? undefined
    : `stage ${JSON.stringify(stage)} must be 1 to 20 lowercase letters, digits or hyphens, starting and ending with a letter or digit`;
}

/**
 * The names a stage gives everything: the default stage keeps the names a single deployment
 * always had (`TokenRefresher`, `token-refresher`), a named one adds itself to both. Distinct stages
 * get distinct prefixes, which `providerResourceNames` keeps apart.
 */
export function stageNames(stage: string | undefined): { readonly stackName: string; readonly namePrefix: string } {
  return stage === undefined
    ? { stackName: 'TokenRefresher', namePrefix: DEFAULT_NAME_PREFIX }
    : { stackName: `TokenRefresher-${stage}`, namePrefix: `${DEFAULT_NAME_PREFIX}-${stage}` };
}

/**
 * What the stack appends to a provider's construct id for the provider's outputs and the example
 * consumer (siblings of the provider's construct, so their ids share its namespace).
 */
export const PROVIDER_CHILD_SUFFIX = {
  tokenSource: 'TokenSource',
  credentialsSecret: 'CredentialsSecret',
  function: 'Function',
  manifest: MANIFEST_OUTPUT_SUFFIX,
  exampleConsumer: 'ExampleConsumer',
  exampleConsumerFunction: 'ExampleConsumerFunction',
} as const;

/**
 * Why these provider ids cannot live in one stack, one line per clash: two ids that map to one
 * construct id (`ab1`, `ab-1`), an id that takes a child id of the stack (`alarm-topic`), or one
 * whose construct id is another provider's output id (`a-token-source` beside `a`).
 */
export function constructIdProblems(providerIds: readonly string[]): string[] {
  const owner = new Map<string, string>(STACK_CHILD_IDS.map((id) => [id, `the stack's own ${id}`]));
  const problems: string[] = [];
  for (const providerId of providerIds) {
    const constructId = constructIdFor(providerId);
    const children = [constructId, ...Object.values(PROVIDER_CHILD_SUFFIX).map((suffix) => constructId + suffix)];
    for (const child of children) {
      const taken = owner.get(child);
      if (taken !== undefined) {
        problems.push(
          `provider "${providerId}": construct id "${child}" (logical ids and output names derive from it) is already ${taken}; rename the provider`,
        );
        break;
      }
    }
    for (const child of children) owner.set(child, `used by provider "${providerId}"`);
  }
  return problems;
}

/**
 * Construct id for a provider id: `nagra-prod` becomes `NagraProd`. Logical ids and output names are
 * derived from it, so it must stay stable for a given provider id.
 */
export function constructIdFor(providerId: string): string {
  return providerId
    .split('-')
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
