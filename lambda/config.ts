import type { KMSClient } from '@aws-sdk/client-kms';
import {
  RUNTIME_CONFIG_ENV,
  type RuntimeConfig,
  runtimeConfigSchema,
  type RuntimeResources,
} from '../contract/provider-settings.js';
import type { AssertionSigner } from '../core/ports.js';
import { KmsAssertionSigner } from './adapters/kms-signer.js';

/**
 * Reads the settings the construct put in the environment, with the same schema the construct
 * used at synth time. A bad value is a deployment bug: fail the cold start loudly.
 */
export function loadRuntimeConfig(env: NodeJS.ProcessEnv): RuntimeConfig {
  const raw = env[RUNTIME_CONFIG_ENV];
  if (!raw)
    throw new Error(`${RUNTIME_CONFIG_ENV} is not set; deploy the function with the ProviderTokenRefresher construct`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(`${RUNTIME_CONFIG_ENV} is not JSON`);
  }
  const parsed = runtimeConfigSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`${RUNTIME_CONFIG_ENV} is invalid: ${problems}`);
  }
  return parsed.data;
}

/**
 * The signer of the provider's assertions when a KMS key holds its private key (`RefreshDeps.signingKey`);
 * undefined when the configuration names none: the provider sends no assertion, or signs with a
 * private key from its credentials secret.
 */
export function kmsSignerFor(resources: RuntimeResources, kms: KMSClient): AssertionSigner | undefined {
  return resources.signingKey === undefined ? undefined : new KmsAssertionSigner(kms, resources.signingKey);
}

/** Only `{"force": true}` forces a renewal; a scheduled event or anything else means "refresh if due". */
export function isForced(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as { force?: unknown }).force === true;
}

/** EventBridge Scheduler's nominal time for this run (`<aws.scheduler.scheduled-time>`), when sane. */
export function scheduledTimeOf(event: unknown, nowMs: number): number | undefined {
  const value =
    typeof event === 'object' && event !== null ? (event as { scheduledTime?: unknown }).scheduledTime : undefined;
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  // CloudWatch accepts timestamps up to two weeks old and two hours ahead; a queued event is at most 6 h old.
  if (Number.isNaN(ms) || ms < nowMs - 6 * 3600_000 || ms > nowMs + 300_000) return undefined;
  return ms;
}
