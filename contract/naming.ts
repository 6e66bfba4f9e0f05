import { ALARM_SUFFIX, type AlarmKind, MANIFEST_OUTPUT_SUFFIX } from './refresher-manifest.js';

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
}

export function providerResourceNames(prefix: string, providerId: string): ProviderResourceNames {
  return {
    credentialsSecretName: `${prefix}/${providerId}/credentials`,
    tokenSecretName: `${prefix}/${providerId}/token`,
    tokenParameterName: `/${prefix}/${providerId}/token`,
    stateParameterName: `/${prefix}/${providerId}/state`,
    ledgerParameterName: `/${prefix}/${providerId}/ledger`,
  };
}

/** A paging alarm's name, `<prefix>-<providerId>-<Suffix>`: the construct creates it, `plan` lists it. */
export function alarmName(prefix: string, providerId: string, kind: AlarmKind): string {
  return `${prefix}-${providerId}-${ALARM_SUFFIX[kind]}`;
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
export const STAGE_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?$/;

/**
 * The names a stage gives everything: the default stage keeps the names a single deployment
 * always had (`TokenRefresher`, `token-refresher`), a named one adds itself to both.
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
