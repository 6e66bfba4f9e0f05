import type { ProviderSettings } from '../../contract/provider-settings.js';

/**
 * Store calls of one run, as core/run/orchestrator.ts makes them. Every SecureString put and every secret
 * get or put is one KMS request to the stage key; a SecureString get decrypts only when the
 * container does not hold that version already (lambda/adapters/secure-string.ts). A state write
 * puts the String ledger, which costs nothing, and the SecureString only when it carries a new
 * refresh token (contract/private-state.ts splitPrivateState). These, the run calls below and the
 * log bytes in cost-model.ts are the cost model's assumptions about a run: exported so that
 * test/unit/lambda/run-calls.test.ts and log-bytes.test.ts measure the real function against them.
 */
export interface RunCalls {
  readonly tokenReads: number;
  readonly stateReads: number;
  readonly credentialsReads: number;
  readonly stateWrites: number;
  /** The state writes that carry a new refresh token, and so put the SecureString. */
  readonly refreshTokenWrites: number;
  readonly tokenWrites: number;
  /**
   * Requests to the token endpoint. A provider with a signing key sends a fresh assertion with each,
   * as client authentication or as the JWT bearer grant: one `kms:Sign` each (cli/plan/cost-model.ts).
   */
  readonly tokenRequests: number;
}

/**
 * A container checks a Secrets Manager token secret before its first write into it
 * (lambda/adapters/secrets-manager-token-store.ts): DescribeSecret and GetResourcePolicy, no KMS
 * request, once per container that renews at all. Every later run of the container makes no extra
 * call; Parameter Store tokens are not checked.
 */
export const TOKEN_SECRET_CHECK_CALLS = 2;

/** Every run reads the published token and the private state before deciding whether it is due. */
export const FRESH_RUN_CALLS: RunCalls = {
  tokenReads: 1,
  stateReads: 1,
  credentialsReads: 0,
  stateWrites: 0,
  refreshTokenWrites: 0,
  tokenWrites: 0,
  tokenRequests: 0,
};

/**
 * How a renewal is obtained in the steady state: with the refresh token while the IdP hands one out
 * (`useRefreshToken` with the password grant; client_credentials servers issue none, RFC 6749
 * 4.4.3; a provider that lives on its refresh token has nothing else), else with a primary grant. A Keycloak session's end forces a primary grant now and then
 * (hours apart); it is not counted.
 */
export function renewsWithRefreshToken(s: Pick<ProviderSettings, 'useRefreshToken' | 'grant'>): boolean {
  return s.useRefreshToken && (s.grant === 'password' || s.grant === 'refresh_token');
}

/**
 * A renewing run's calls (core/run/orchestrator.ts): the fresh run's reads, then by refresh token (for a
 * confidential client the credentials and its client secret's attempt put on record before it is
 * sent; one state write with the new refresh token, the token), or by primary grant (the
 * credentials, the attempt put on record before it is sent, the new state, the token).
 */
export function renewingRunCalls(s: Pick<ProviderSettings, 'useRefreshToken' | 'grant' | 'clientAuth'>): RunCalls {
  if (renewsWithRefreshToken(s)) {
    const confidential = s.clientAuth === 'none' ? 0 : 1;
    return {
      ...FRESH_RUN_CALLS,
      credentialsReads: confidential,
      stateWrites: 1 + confidential,
      refreshTokenWrites: 1,
      tokenWrites: 1,
      tokenRequests: 1,
    };
  }
  return { ...FRESH_RUN_CALLS, credentialsReads: 1, stateWrites: 2, tokenWrites: 1, tokenRequests: 1 };
}
