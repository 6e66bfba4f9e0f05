import type { Construct } from 'constructs';
import {
  namePrefixProblem,
  type ProviderResourceNames,
  providerResourceNames,
  stageNames,
  stageProblem,
} from '../../contract/naming.js';
import type { ResolvedProvider } from '../../providers/providers-file.js';
import { metricsNamespace, PROVIDER_DIMENSION } from '../../contract/metrics.js';
import { claimNames } from './name-claims.js';

export interface RefresherNames {
  /** First segment of every name: the `namePrefix` given, or the stage's. */
  readonly prefix: string;
  /** Every physical name of the refresher, as contract/naming.ts builds them. */
  readonly names: ProviderResourceNames;
}

/**
 * The prefix and the names of one refresher, claimed before anything is created: two refreshers that
 * would deploy one name fail synth, not the deploy (lib/private/name-claims.ts).
 * @throws Error naming `scope`'s path when the stage or the prefix cannot be part of a name
 */
export function refresherNames(
  scope: Construct,
  provider: ResolvedProvider,
  naming: { readonly namePrefix?: string; readonly stage?: string },
): RefresherNames {
  if (naming.namePrefix === undefined && naming.stage !== undefined) {
    const problem = stageProblem(naming.stage);
    if (problem) throw new Error(`${scope.node.path}: ${problem}, or give a "namePrefix"`);
  }
  const prefix = naming.namePrefix ?? stageNames(naming.stage).namePrefix;
  const prefixProblem = namePrefixProblem(prefix);
  if (prefixProblem) throw new Error(`${scope.node.path}: ${prefixProblem}`);
  const names = providerResourceNames(prefix, provider.settings.id);
  claimNames(scope, {
    ...(provider.credentials === undefined ? { 'credentials secret': names.credentialsSecretName } : {}),
    ...(provider.store === 'secretsmanager'
      ? { 'token secret': names.tokenSecretName }
      : { 'token parameter': names.tokenParameterName }),
    'state parameter': names.stateParameterName,
    'ledger parameter': names.ledgerParameterName,
    'manifest parameter': names.manifestParameterName,
    'role path': names.rolePath,
    schedule: names.scheduleName,
    // A provider's metrics are its alarms' input: two refreshers emitting to one would watch each other.
    metrics: `${metricsNamespace(naming.stage, naming.namePrefix)} ${PROVIDER_DIMENSION}=${provider.settings.id}`,
    ...(provider.signingKey?.source === 'created' ? { 'signing key alias': names.signingKeyAlias } : {}),
    ...Object.fromEntries(Object.entries(names.alarmNames).map(([kind, name]) => [`${kind} alarm`, name])),
  });
  return { prefix, names };
}
