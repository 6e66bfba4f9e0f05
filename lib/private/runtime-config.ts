import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { tokenEndpointProblem } from '../../contract/loopback.js';
import type { EventsRuntime } from '../../contract/events.js';
import type { ProviderResourceNames } from '../../contract/naming.js';
import type { KmsSigningKey } from '../../contract/signing-key.js';
import { type ProviderSettings, type RuntimeConfig, runtimeConfigSchema } from '../../contract/provider-settings.js';
import type { TokenLocation } from './token-store.js';

export interface RuntimeConfigParts {
  readonly settings: ProviderSettings;
  /** What the function passes as the credentials' `SecretId` (lib/private/credentials-secret.ts). */
  readonly credentialsSecretId: string;
  readonly token: TokenLocation;
  readonly names: ProviderResourceNames;
  /** The customer-managed key the function encrypts with; absent: the AWS-managed keys. */
  readonly key?: kms.IKey;
  /** Id of the stack that holds the credentials secrets (see `legacyStackId` below). */
  readonly legacyStackId: string;
  /** Only for a named stage: the function's default is the default stage's namespace. */
  readonly metricsNamespace?: string;
  /** Where lifecycle events go (lib/private/refresher-events.ts). */
  readonly events?: EventsRuntime;
  /** The KMS key that signs the provider's assertions (lib/private/signing-key.ts). */
  readonly signingKey?: KmsSigningKey;
}

/**
 * The configuration the function reads from `TOKEN_REFRESHER_CONFIG`, checked with the schema the
 * function applies at cold start, so that a bad provider fails synth rather than the first run, and
 * the token endpoint against what a deployed function may call: the settings may come from a file
 * read for local mode, or be built by hand. Unresolved ARNs are encoded as non-empty strings, which
 * the schema accepts where it expects ids.
 * @throws Error naming `scope`'s path and every problem
 */
export function refresherRuntimeConfig(scope: Construct, parts: RuntimeConfigParts): RuntimeConfig {
  const { names, key } = parts;
  const config: RuntimeConfig = {
    provider: parts.settings,
    resources: {
      credentialsSecretId: parts.credentialsSecretId,
      tokenStore: { kind: parts.token.store, id: parts.token.name },
      stateParameterName: names.stateParameterName,
      ledgerParameterName: names.ledgerParameterName,
      ...(key ? { parameterKeyId: key.keyArn } : {}),
      // Before the function created the token secret, the stack did (0.1.0), in the stack that holds
      // the credentials secrets: the stage's shared stack, or the construct's own. Given to every
      // refresher, whatever its store: an export only some stacks import could not be removed
      // when the last of them changes its store.
      legacyStackId: parts.legacyStackId,
      ...(parts.metricsNamespace === undefined ? {} : { metricsNamespace: parts.metricsNamespace }),
      ...(parts.events === undefined ? {} : { events: parts.events }),
      ...(parts.signingKey === undefined ? {} : { signingKey: parts.signingKey }),
    },
  };
  const checked = runtimeConfigSchema.safeParse(config);
  if (!checked.success) {
    const problems = checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`${scope.node.path}: invalid runtime configuration: ${problems.join('; ')}`);
  }
  const { id } = config.provider;
  // Synth reads no metadata: an `issuer` is checked as a URL here and read by the function at run time.
  for (const field of ['tokenEndpoint', 'issuer'] as const) {
    const value = config.provider[field];
    const problem = value === undefined ? undefined : tokenEndpointProblem(value, 'aws');
    if (problem) {
      throw new Error(
        `${scope.node.path}: provider "${id}", field "${field}": got ${JSON.stringify(value)}: ${problem}`,
      );
    }
  }
  return config;
}
