import type { ClientAuthMethod, PresetName, PrimaryGrant } from '../contract/provider-settings.js';

/**
 * Provider presets: what each vendor's documentation and the behaviour of its identity server say each upstream
 * token endpoint expects. A preset only fills defaults; every field stays overridable per provider.
 */

export interface Preset {
  /** Fixed token endpoint; absent when it is built from `baseUrl` (NAGRA) or must be given (generic). */
  readonly tokenEndpoint?: string;
  /** Builds the token endpoint from the provider's `baseUrl` (self-hosted IdPs). */
  readonly tokenEndpointFromBaseUrl?: (baseUrl: string) => string;
  readonly clientId?: string;
  readonly grant?: PrimaryGrant;
  readonly clientAuth?: ClientAuthMethod;
  readonly scope?: string;
  readonly extraParams: Readonly<Record<string, string>>;
  /** Renew with the refresh_token grant while the server hands out refresh tokens. */
  readonly useRefreshToken: boolean;
  /** Access-token lifetime the vendor documents, in seconds. */
  readonly lifetimeSeconds?: number;
  /** A default check interval where the lifetime-based one does not fit, in minutes. */
  readonly checkIntervalMinutes?: number;
  /** One line for error messages and docs. */
  readonly describe: string;
}

export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  mediamelon: {
    tokenEndpoint: 'https://identity.mediamelon.com/realms/mediamelon/protocol/openid-connect/token',
    clientId: 'smartsight-backend',
    grant: 'password',
    clientAuth: 'none',
    scope: 'openid',
    extraParams: {},
    useRefreshToken: true,
    lifetimeSeconds: 900,
    describe: 'MediaMelon SmartSight (Keycloak, password grant, public client)',
  },
  movingimage: {
    tokenEndpoint: 'https://login.movingimage.com/auth/realms/platform/protocol/openid-connect/token',
    clientId: 'anonymous',
    grant: 'password',
    clientAuth: 'none',
    scope: 'openid',
    extraParams: { response_type: 'token' },
    useRefreshToken: true,
    lifetimeSeconds: 300,
    describe: 'movingimage VideoManager Pro (Keycloak, password grant, public client)',
  },
  nagra: {
    tokenEndpointFromBaseUrl: (baseUrl) =>
      `${baseUrl.replace(/\/+$/, '')}/keycloak/auth/realms/nagra/protocol/openid-connect/token`,
    grant: 'password',
    clientAuth: 'none',
    extraParams: {},
    useRefreshToken: true,
    lifetimeSeconds: 300,
    describe: 'NAGRA OpenTV Video Platform (self-hosted Keycloak, password grant)',
  },
  clickview: {
    tokenEndpoint: 'https://auth.clickviewapp.com/connect/token',
    grant: 'client_credentials',
    clientAuth: 'client_secret_post',
    scope: 'smartembed.viewkey',
    extraParams: {},
    useRefreshToken: false,
    lifetimeSeconds: 86_400,
    describe: 'ClickView Smart Embed (IdentityServer, client_credentials, secret in the body)',
  },
  mediahound: {
    tokenEndpoint: 'https://api.mediahound.com/1.3/security/oauth/token',
    grant: 'client_credentials',
    clientAuth: 'client_secret_basic_raw_and_post',
    extraParams: {},
    useRefreshToken: false,
    lifetimeSeconds: 14 * 86_400,
    // The same token comes back until it expires (one expiry for the whole client id), so it cannot
    // be renewed early: the new one can only be fetched after expiry, at the next run.
    checkIntervalMinutes: 5,
    describe: 'MediaHound (legacy Spring OAuth2, client_credentials, Basic and body)',
  },
  generic: {
    extraParams: {},
    useRefreshToken: true,
    describe: 'any OAuth2 token endpoint; every field is given explicitly',
  },
};
