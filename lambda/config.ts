import { RUNTIME_CONFIG_ENV, type RuntimeConfig, runtimeConfigSchema } from '../lib/schema/provider-settings';

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

/** Only `{"force": true}` forces a renewal; a scheduled event or anything else means "refresh if due". */
export function isForced(event: unknown): boolean {
  return typeof event === 'object' && event !== null && (event as { force?: unknown }).force === true;
}
