/**
 * CloudWatch metrics the function emits (EMF) and the construct's alarms read: one namespace, one
 * dimension. Every run emits every count (0 or 1), so "no data" means "the refresher did not run".
 */
export const METRICS_NAMESPACE = 'TokenRefresher';
export const PROVIDER_DIMENSION = 'Provider';

export const METRIC = {
  /** Seconds the published token has left after the run; 0 when none is published. */
  tokenSecondsRemaining: 'TokenSecondsRemaining',
  fresh: 'Fresh',
  refreshed: 'Refreshed',
  failed: 'Failed',
  failedTransient: 'FailedTransient',
  failedCredentials: 'FailedCredentials',
  failedConfiguration: 'FailedConfiguration',
  failedInvalidResponse: 'FailedInvalidResponse',
  failedStore: 'FailedStore',
  grantRefreshToken: 'GrantRefreshToken',
  grantPassword: 'GrantPassword',
  grantClientCredentials: 'GrantClientCredentials',
  /** A password or client secret was rejected in this run. */
  credentialsRejected: 'CredentialsRejected',
  /** 1 while the lockout guard holds the current credentials version (until operators change the secret). */
  lockoutGuardEngaged: 'LockoutGuardEngaged',
  /** Milliseconds per token request, one value per attempt. */
  tokenRequestLatency: 'TokenRequestLatency',
  tokenWrites: 'TokenWrites',
} as const;
