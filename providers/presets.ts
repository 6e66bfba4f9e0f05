import type { AssertionSettings, ClientAuthMethod, PresetName, PrimaryGrant } from '../contract/provider-settings.js';

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
  /** Where `token-refresher connect` sends the person, and asks for a device code (grant refresh_token). */
  readonly authorizationEndpoint?: string;
  readonly deviceAuthorizationEndpoint?: string;
  /** Query parameters the authorization request needs for a refresh token (Google's `access_type=offline`). */
  readonly authorizationParams?: Readonly<Record<string, string>>;
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
  /** How its assertions are made (private_key_jwt, jwt_bearer); the entry's `assertion` fields win. */
  readonly assertion?: Omit<AssertionSettings, 'signingKey'>;
  /** The assertion's `aud` when it is not the token endpoint (Salesforce: the login host). */
  readonly audienceFor?: (tokenEndpoint: string) => string;
  /** What an entry of this preset must say besides the preset's defaults, and why (checked when the file is read). */
  readonly entryProblems?: (entry: PresetEntryView) => readonly { field: string; value: unknown; message: string }[];
  /** One line for error messages and docs. */
  readonly describe: string;
}

/** The fields of a providers-file entry a preset's own rules look at. */
export interface PresetEntryView {
  readonly scope?: string | undefined;
  readonly issuer?: string | undefined;
  readonly tokenEndpoint?: string | undefined;
  readonly assertion?: { readonly subject?: string | undefined } | undefined;
}

/**
 * Salesforce's JWT bearer flow wants the login host as `aud`, not the token URL: test.salesforce.com
 * for sandboxes, login.salesforce.com otherwise, My Domain hosts included
 * (docs/reference/idp-behaviors.md section 7).
 */
export function salesforceAudience(tokenEndpoint: string): string {
  const host = new URL(tokenEndpoint).hostname;
  const sandbox = host === 'test.salesforce.com' || host.endsWith('.sandbox.my.salesforce.com');
  return sandbox ? 'https://test.salesforce.com' : 'https://login.salesforce.com';
}

/**
 * The Microsoft identity platform hands out a refresh token only for `offline_access`, and the
 * multi-tenant issuers' metadata names a templated issuer that never equals the one asked for
 * (docs/reference/idp-behaviors.md section 9).
 */
function microsoftDelegatedProblems(entry: PresetEntryView) {
  const problems: { field: string; value: unknown; message: string }[] = [];
  if (!entry.scope?.split(' ').includes('offline_access')) {
    problems.push({
      field: 'scope',
      value: entry.scope,
      message:
        'preset "microsoft-graph-delegated" needs "scope" with "offline_access" (no refresh token without it), e.g. "offline_access https://graph.microsoft.com/Mail.Read"',
    });
  }
  const tenant = entry.issuer ? new URL(entry.issuer).pathname.split('/')[1]?.toLowerCase() : undefined;
  if (tenant && ['common', 'organizations', 'consumers'].includes(tenant)) {
    problems.push({
      field: 'issuer',
      value: entry.issuer,
      message: `preset "microsoft-graph-delegated" needs one tenant in "issuer", not "${tenant}": https://login.microsoftonline.com/<tenant id or domain>/v2.0`,
    });
  }
  return problems;
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
  okta: {
    // The issuer is the organisation's authorization server, e.g. https://example.okta.com/oauth2/default;
    // its metadata names the token endpoint, which is also the assertion's `aud`.
    grant: 'client_credentials',
    clientAuth: 'private_key_jwt',
    extraParams: {},
    useRefreshToken: false,
    lifetimeSeconds: 3600,
    entryProblems: (entry) =>
      entry.scope
        ? []
        : [
            {
              field: 'scope',
              value: undefined,
              message: 'preset "okta" needs "scope": a service app asks for named scopes',
            },
          ],
    describe: 'Okta service app (client_credentials, private_key_jwt; "issuer" is the authorization server)',
  },
  'entra-id': {
    grant: 'client_credentials',
    clientAuth: 'private_key_jwt',
    extraParams: {},
    useRefreshToken: false,
    // Entra ID answers expires_in (60 to 90 minutes); this only plans the schedule.
    lifetimeSeconds: 3600,
    assertion: { includeCertificateThumbprint: true },
    entryProblems: (entry) =>
      entry.scope?.endsWith('/.default')
        ? []
        : [
            {
              field: 'scope',
              value: entry.scope,
              message:
                'preset "entra-id" needs "scope": "<resource>/.default" (e.g. "https://graph.microsoft.com/.default"): the client credentials grant takes only the app\'s own permissions',
            },
          ],
    describe: 'Microsoft Entra ID app with a certificate (client_credentials, private_key_jwt with x5t#S256)',
  },
  'google-service-account': {
    tokenEndpoint: 'https://oauth2.googleapis.com/token',
    grant: 'jwt_bearer',
    clientAuth: 'none',
    extraParams: {},
    useRefreshToken: false,
    lifetimeSeconds: 3600,
    assertion: { scopeClaim: true },
    entryProblems: (entry) =>
      entry.scope
        ? []
        : [
            {
              field: 'scope',
              value: undefined,
              message:
                'preset "google-service-account" needs "scope", e.g. "https://www.googleapis.com/auth/cloud-platform"',
            },
          ],
    describe: 'Google service account (JWT bearer grant; the key file in the credentials secret, or a KMS key)',
  },
  'salesforce-jwt': {
    tokenEndpoint: 'https://login.salesforce.com/services/oauth2/token',
    grant: 'jwt_bearer',
    clientAuth: 'none',
    extraParams: {},
    useRefreshToken: false,
    // No expires_in: the session timeout decides, 15 minutes at the least; set expectedLifetimeSeconds
    // to your org's or connected app's timeout to renew less often.
    lifetimeSeconds: 900,
    audienceFor: salesforceAudience,
    entryProblems: (entry) =>
      entry.assertion?.subject
        ? []
        : [
            {
              field: 'assertion.subject',
              value: undefined,
              message: 'preset "salesforce-jwt" needs "assertion": {"subject": "<the integration user\'s username>"}',
            },
          ],
    describe: 'Salesforce connected app (JWT bearer grant; aud is the login host)',
  },
  'google-oauth': {
    // A person consents once (token-refresher connect); docs/reference/idp-behaviors.md section 9.
    tokenEndpoint: 'https://oauth2.googleapis.com/token',
    authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
    deviceAuthorizationEndpoint: 'https://oauth2.googleapis.com/device/code',
    // Without access_type=offline Google hands out no refresh token; without prompt=consent none on a
    // second sign-in of the same account.
    authorizationParams: { access_type: 'offline', prompt: 'consent' },
    grant: 'refresh_token',
    clientAuth: 'client_secret_post',
    extraParams: {},
    useRefreshToken: true,
    lifetimeSeconds: 3600,
    entryProblems: (entry) =>
      entry.scope
        ? []
        : [
            {
              field: 'scope',
              value: undefined,
              message:
                'preset "google-oauth" needs "scope": the Google API scopes the person consents to, e.g. "https://www.googleapis.com/auth/drive.readonly"',
            },
          ],
    describe: "Google APIs with a person's offline consent (refresh_token; token-refresher connect)",
  },
  'microsoft-graph-delegated': {
    // The tenant's endpoints come from "issuer" (https://login.microsoftonline.com/<tenant>/v2.0);
    // a public client by default, as a desktop or device-code app registration is.
    grant: 'refresh_token',
    clientAuth: 'none',
    extraParams: {},
    useRefreshToken: true,
    // Entra ID answers expires_in (60 to 90 minutes); this only plans the schedule.
    lifetimeSeconds: 3600,
    entryProblems: microsoftDelegatedProblems,
    describe:
      'Microsoft Graph with delegated permissions (refresh_token; token-refresher connect; "issuer" names the tenant)',
  },
  generic: {
    extraParams: {},
    useRefreshToken: true,
    describe: 'any OAuth2 token endpoint; every field is given explicitly',
  },
};
