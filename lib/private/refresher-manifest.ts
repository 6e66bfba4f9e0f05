import type { ProviderResourceNames } from '../../contract/naming.js';
import type { ProviderSettings } from '../../contract/provider-settings.js';
import type { RefresherManifest } from '../../contract/refresher-manifest.js';
import type { KmsSigningKey } from '../../contract/signing-key.js';
import type { ProviderAlarms } from './provider-alarms.js';
import type { TokenStore } from './token-store.js';

export interface RefresherManifestParts {
  readonly settings: ProviderSettings;
  readonly names: ProviderResourceNames;
  readonly tokenStore: TokenStore;
  readonly functionName: string;
  /** What operators pass as `--secret-id` (lib/private/credentials-secret.ts). */
  readonly credentialsSecretId: string;
  readonly deadLetterQueueName: string;
  readonly alarms: ProviderAlarms;
  /** Absent: the default stage. */
  readonly stage?: string;
  readonly metricsNamespace: string;
  /** The provider's KMS signing key; absent: none. */
  readonly signingKey?: KmsSigningKey;
}

/**
 * What tools (the operator CLI) need to know about one refresher, published as a stack output
 * (lib/private/stage-parts.ts): names and ARNs only, never a secret.
 */
export function refresherManifest(parts: RefresherManifestParts): RefresherManifest {
  const { settings, names } = parts;
  return {
    provider: settings.id,
    preset: settings.preset,
    store: parts.tokenStore.store,
    tokenSource: parts.tokenStore.source,
    functionName: parts.functionName,
    credentialsSecret: parts.credentialsSecretId,
    stateParameter: names.stateParameterName,
    ledgerParameter: names.ledgerParameterName,
    minValiditySeconds: settings.minValiditySeconds,
    checkIntervalMinutes: settings.checkIntervalMinutes,
    scheduleName: names.scheduleName,
    deadLetterQueueName: parts.deadLetterQueueName,
    alarms: Object.fromEntries(Object.entries(parts.alarms).map(([kind, alarm]) => [kind, alarm.alarmName])),
    ...(parts.stage === undefined ? {} : { stage: parts.stage }),
    metricsNamespace: parts.metricsNamespace,
    ...(parts.signingKey === undefined
      ? {}
      : {
          signingKey: {
            keyArn: parts.signingKey.keyArn,
            keySpec: parts.signingKey.keySpec,
            ...(parts.signingKey.alg === undefined ? {} : { alg: parts.signingKey.alg }),
          },
        }),
  };
}
