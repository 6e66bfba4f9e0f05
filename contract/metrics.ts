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
  /** 1 while a configuration error blocks scheduled runs (until the settings change or a forced run). */
  configurationBlocked: 'ConfigurationBlocked',
  /** Milliseconds per token request, one value per attempt. */
  tokenRequestLatency: 'TokenRequestLatency',
  tokenWrites: 'TokenWrites',
} as const;

/** How a failed run is classified (the failure-kind table in README.md); each kind has its own metric. */
export const FAILURE_KINDS = ['transient', 'credentials', 'configuration', 'invalid-response', 'store'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** The count each failure kind is reported under. */
export const FAILED_METRIC: Readonly<Record<FailureKind, string>> = {
  transient: METRIC.failedTransient,
  credentials: METRIC.failedCredentials,
  configuration: METRIC.failedConfiguration,
  'invalid-response': METRIC.failedInvalidResponse,
  store: METRIC.failedStore,
};

/** The count each grant is reported under when it produced the token. */
export const GRANT_METRIC: Readonly<Record<'refresh_token' | 'password' | 'client_credentials', string>> = {
  refresh_token: METRIC.grantRefreshToken,
  password: METRIC.grantPassword,
  client_credentials: METRIC.grantClientCredentials,
};
