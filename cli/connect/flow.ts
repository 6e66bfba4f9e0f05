import * as oauth from 'oauth4webapi';
import type { ProviderSettings } from '../../contract/provider-settings.js';
import type { Connection } from '../../core/connection-state.js';
import type { Redactor } from '../../core/redactor.js';
import { CliError } from '../common/errors.js';
import type { CliIo } from '../common/io.js';
import { EXIT } from '../exit-codes.js';

/** What each way of connecting needs: the settings, the server, the client and how it authenticates. */
export interface FlowContext {
  readonly settings: ProviderSettings;
  readonly as: oauth.AuthorizationServer & { readonly known: boolean };
  readonly client: oauth.Client;
  readonly clientAuth: oauth.ClientAuth;
  readonly io: CliIo;
  /** Learns every secret the flow sees, and scrubs every message the command prints. */
  readonly redactor: Redactor;
}

/** The client authentication methods `connect` sends itself; the others connect with --refresh-token-file. */
const SUPPORTED = ['none', 'client_secret_post', 'client_secret_basic'] as const;

export function clientAuthFor(settings: ProviderSettings, clientSecret: string | undefined): oauth.ClientAuth {
  switch (settings.clientAuth) {
    case 'none':
      return oauth.None();
    case 'client_secret_post':
      return oauth.ClientSecretPost(clientSecret ?? '');
    case 'client_secret_basic':
      return oauth.ClientSecretBasic(clientSecret ?? '');
    default:
      throw new CliError(
        `clientAuth "${settings.clientAuth}" is not one connect sends (${SUPPORTED.join(', ')}): obtain the refresh ` +
          'token another way and pass it with --refresh-token-file or --refresh-token-stdin',
        EXIT.usage,
        'unsupported_client_auth',
      );
  }
}

/**
 * The connection in a token endpoint's answer; its tokens are handed to the redactor first. An
 * answer without a refresh token is the usual sign that offline access was not asked for.
 */
export function connectionFrom(answer: oauth.TokenEndpointResponse, redactor: Redactor): Connection {
  redactor.add(answer.access_token, answer.refresh_token, answer.id_token);
  if (!answer.refresh_token) {
    throw new CliError(
      'the IdP granted no refresh token: ask for offline access (the "offline_access" scope, or the API\'s own ' +
        'parameter, see docs/providers-file.md) and allow the client the refresh_token grant',
      EXIT.failed,
      'no_refresh_token',
    );
  }
  const expiresIn = answer.refresh_expires_in;
  return {
    refreshToken: answer.refresh_token,
    ...(typeof expiresIn === 'number' && expiresIn > 0 ? { refreshExpiresIn: expiresIn } : {}),
  };
}

/** A failure of the flow's token request, in our words and the IdP's code; never a token. */
export function flowFailure(e: unknown, redactor: Redactor): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof oauth.ResponseBodyError) {
    return new CliError(`the token endpoint refused: ${redactor.redact(e.error)}`, EXIT.failed, 'token_refused');
  }
  const why = e instanceof Error ? e.message : String(e);
  return new CliError(`the connection failed: ${redactor.redact(why)}`, EXIT.failed, 'connect_failed');
}
