import type { ProviderSettings } from '../../contract/provider-settings.js';
import { requiredCredentialKeys } from '../../contract/provider-settings.js';
import { parseProvidersFile, type ResolvedProvider } from '../../providers/providers-file.js';
import { STORE_MAX_BYTES } from '../../contract/published-token.js';
import { dueThresholdSeconds } from '../../contract/schedule.js';
import { minimumSafetyMarginSeconds } from '../../providers/schedule-plan.js';
import type { Clock } from '../../core/ports.js';
import { join } from 'node:path';
import { pendingFilePath, stateFilePath, tokenFilePath } from '../layout.js';
import { readBoundedFile, writePrivateFile } from '../private-file.js';
import type { LocalProvider } from '../runner.js';
import { DEMO_USERNAME, DemoCredentials, demoClientSecret, demoPassword } from './demo-credentials.js';
import { type Family, type FaultTarget, faultInterceptor } from './faults.js';
import type { DemoReply, DemoRequest } from './http-form.js';
import { IdentityServerClient } from './identity-server.js';
import { type DemoIdpServer, type DemoRoute, startDemoIdp } from './idp-server.js';
import { KeycloakRealm } from './keycloak-realm.js';
import { type DemoSigningKey, loadDemoSigningKey } from './demo-signing-key.js';
import { SignedClient } from './signed-client.js';
import { SpringClient } from './spring-client.js';
import { ConsentClient } from './consent-client.js';
import { consentLikeABrowser } from './demo-consent.js';
import { writeConnection } from '../../core/connection-state.js';
import { FileStateStore } from '../stores/file-state-store.js';

/** The demo server's last port, reused so that the token endpoints (and the state) survive a restart. */
const DEMO_PORT_FILE = '.demo-port';

/** Every demo provider is checked every minute: the schedule's shortest interval. */
export const DEMO_CHECK_INTERVAL_MINUTES = 1;
/** Keycloak's SSO Session Max in the demo: a session renewal shows after ten minutes. */
const DEMO_SESSION_MAX_SECONDS = 600;
const DEMO_SESSION_IDLE_SECONDS = 1800;

export interface DemoOptions {
  /** The providers file's JSON, as read (the repository's providers.json by default). */
  readonly raw: unknown;
  readonly source: string;
  readonly dir: string;
  readonly clock: Clock;
  /** The demo directory's key of credentials versions (local/credentials/credentials-version.ts). */
  readonly versionKey: Buffer;
  readonly faults: boolean;
  readonly note: (provider: string | undefined, message: string) => void;
}

export interface Demo {
  readonly server: DemoIdpServer;
  readonly providers: readonly LocalProvider[];
  /** One line per provider: IdP family, endpoint, lifetime and renewal rhythm. */
  readonly summary: readonly string[];
}

/** The IdP family a provider's settings call for: what the demo server emulates for it. */
export function familyOf(s: Pick<ProviderSettings, 'grant' | 'clientAuth'>): Family {
  if (s.grant === 'refresh_token') return 'consent';
  if (s.clientAuth === 'client_secret_basic_raw_and_post') return 'spring';
  if (s.clientAuth === 'private_key_jwt' && s.grant === 'client_credentials') return 'okta';
  return s.grant === 'client_credentials' ? 'identityserver' : 'keycloak';
}

const FAMILY_NAME: Readonly<Record<Family, string>> = {
  keycloak: 'Keycloak, password grant, rotating refresh tokens',
  identityserver: 'IdentityServer, client_credentials',
  spring: 'legacy Spring, same token until expiry, raw Basic',
  okta: 'Okta service app, client_credentials with a private_key_jwt assertion (ES256 key made at the first start)',
  consent:
    'an API a person consents to: connected through its consent page at start (authorization code + PKCE), then ' +
    'lives on rotating refresh tokens',
};

/**
 * The demo's signed-assertion provider, added to whatever providers file the demo runs, and never to
 * what a deployment reads: its token endpoint is the demo server's, its key the demo directory's.
 */
export const DEMO_SIGNED_PROVIDER = {
  id: 'demo-okta',
  preset: 'okta',
  tokenEndpoint: 'https://example.okta.com/oauth2/default/v1/token',
  clientId: 'demo-service-app',
  scope: 'demo.read',
  signingKey: 'credentials',
} as const;

/**
 * The demo's connected provider (grant refresh_token), added like DEMO_SIGNED_PROVIDER: its first
 * refresh token comes from the demo server's consent page (demo-consent.ts), as `connect` gets one.
 */
export const DEMO_CONNECTED_PROVIDER = {
  id: 'demo-connected',
  preset: 'generic',
  grant: 'refresh_token',
  clientAuth: 'none',
  tokenEndpoint: 'https://api.example.com/oauth/token',
  authorizationEndpoint: 'https://api.example.com/oauth/authorize',
  clientId: 'demo-desktop-app',
  scope: 'offline_access demo.read',
  expectedLifetimeSeconds: 3600,
} as const;

/** The providers file with the demo's own providers, each unless the file already has one of its id. */
function withDemoProvider(raw: unknown): unknown {
  const file = raw as { providers?: unknown };
  if (!Array.isArray(file?.providers)) return raw;
  const providers = file.providers as { id?: unknown }[];
  const added = [DEMO_SIGNED_PROVIDER, DEMO_CONNECTED_PROVIDER].filter((d) => !providers.some((p) => p?.id === d.id));
  return { ...file, providers: [...providers, ...added] };
}

/** The path of a connected provider's consent page on the demo server. */
const authorizePath = (id: string) => `/${id}/authorize`;

/**
 * A lifetime the due rule renews every `everyMinutes` runs: `threshold + 25 s` is due at the first
 * run after the grant, each further 60 s one run later. 25 s keeps clear of a run that starts late.
 */
const lifetimeFor = (threshold: number, everyMinutes: number) => threshold + 25 + (everyMinutes - 1) * 60;

function demoValues(s: ProviderSettings, signingKey: DemoSigningKey, generation = 1): Record<string, string> {
  const values: Record<string, string> = {};
  for (const key of requiredCredentialKeys(s)) {
    if (key === 'username') values.username = DEMO_USERNAME;
    if (key === 'password') values.password = demoPassword(s.id, generation);
    if (key === 'client_secret') values.client_secret = demoClientSecret(s.id);
  }
  if (familyOf(s) === 'okta') {
    Object.assign(values, { private_key: signingKey.privateKeyPem, private_key_id: signingKey.keyId });
  }
  return values;
}

/** The providers file's entries with the demo's endpoint and schedule; everything else as written. */
function adaptEntries(raw: unknown, endpoints: ReadonlyMap<string, string>, serverUrl: string): unknown {
  const providers = (raw as { providers: Record<string, unknown>[] }).providers.map((entry) => {
    // A schedule margin, a store or a secret chosen for the real provider does not apply to the demo's.
    // An issuer's metadata is the real IdP's: the demo's server is the token endpoint itself.
    const { baseUrl: _b, issuer: _i, safetyMarginSeconds: _m, store: _s, credentials: _c, ...kept } = entry;
    const consents = entry.grant === 'refresh_token';
    // The demo has no KMS key and no registered certificate: its assertions are signed with the demo
    // directory's key, kept in the built-in credentials.
    const signs = entry.signingKey !== undefined;
    return {
      ...kept,
      ...(signs
        ? {
            signingKey: 'credentials',
            assertion: { ...(entry.assertion as object | undefined), includeCertificateThumbprint: false },
          }
        : {}),
      tokenEndpoint: endpoints.get(entry.id as string),
      ...(consents ? { authorizationEndpoint: `${serverUrl}${authorizePath(entry.id as string)}` } : {}),
      checkIntervalMinutes: DEMO_CHECK_INTERVAL_MINUTES,
    };
  });
  return { ...(raw as object), providers };
}

/** The fake IdP that answers one provider's token requests, as its family's server would. */
function demoIdp(
  family: ReturnType<typeof familyOf>,
  s: ProviderSettings,
  values: ReturnType<typeof demoValues>,
  accessSeconds: number,
  clock: DemoOptions['clock'],
  signed: { readonly key: DemoSigningKey; readonly audience: () => string },
): { handler: { handle(req: DemoRequest): DemoReply }; realm?: KeycloakRealm; consent?: ConsentClient } {
  if (family === 'consent') {
    const consent = new ConsentClient({ clientId: s.clientId, accessSeconds }, clock);
    return { handler: consent, consent };
  }
  if (family === 'keycloak') {
    const realm = new KeycloakRealm(
      {
        clientId: s.clientId,
        ...(values.client_secret ? { clientSecret: values.client_secret } : {}),
        username: DEMO_USERNAME,
        password: values.password ?? '',
        accessSeconds,
        idleSeconds: DEMO_SESSION_IDLE_SECONDS,
        sessionMaxSeconds: DEMO_SESSION_MAX_SECONDS,
      },
      clock,
    );
    return { handler: realm, realm };
  }
  if (family === 'okta') {
    const { key, audience } = signed;
    const options = { clientId: s.clientId, publicJwk: key.publicJwk, keyId: key.keyId, audience };
    return { handler: new SignedClient({ ...options, allowedScope: s.scope ?? '', accessSeconds }, clock) };
  }
  if (family === 'identityserver') {
    const handler = new IdentityServerClient({
      clientId: s.clientId,
      clientSecret: values.client_secret ?? '',
      allowedScope: s.scope ?? '',
      accessSeconds,
    });
    return { handler };
  }
  return {
    handler: new SpringClient({ clientId: s.clientId, clientSecret: values.client_secret ?? '', accessSeconds }, clock),
  };
}

/**
 * Connects each provider that lives on a refresh token through its consent page on the demo server,
 * and stores the refresh token through local mode's state store, as `connect --local` does. The demo
 * server keeps its chains in memory, so a refresh token from a previous start would be refused.
 */
async function connectAtStart(demo: readonly ResolvedProvider[], options: DemoOptions): Promise<void> {
  for (const { settings } of demo.filter((p) => p.settings.grant === 'refresh_token')) {
    const { authorizationEndpoint, tokenEndpoint } = settings;
    const connection = await consentLikeABrowser({
      ...settings,
      authorizationEndpoint: authorizationEndpoint!,
      tokenEndpoint: tokenEndpoint!,
    });
    const store = new FileStateStore(stateFilePath(options.dir, settings.id), {
      info: () => undefined,
      warn: (message) => options.note(settings.id, message),
    });
    await writeConnection(store, settings, connection, options.clock.now());
    options.note(settings.id, 'connected through the demo consent page (authorization code with PKCE)');
  }
}

/**
 * Starts the embedded demo: a loopback OAuth server emulating each provider's IdP family, and the
 * providers of the providers file pointed at it, with built-in credentials and a one-minute schedule.
 */
export async function startDemo(options: DemoOptions): Promise<Demo> {
  const { clock } = options;
  const raw = withDemoProvider(options.raw);
  const original = parseProvidersFile(raw, options.source, { target: 'local' });
  const signingKey = await loadDemoSigningKey(options.dir);
  // Each provider's token endpoint on the demo server, known once it listens: a signed assertion's `aud`.
  const endpoints = new Map<string, string>();
  const routes: DemoRoute[] = [];
  const targets: FaultTarget[] = [];
  const credentials = new Map<string, DemoCredentials>();
  const summary: string[] = [];

  original.forEach(({ settings: s }, index) => {
    const family = familyOf(s);
    const threshold = dueThresholdSeconds({
      minValiditySeconds: s.minValiditySeconds,
      checkIntervalMinutes: DEMO_CHECK_INTERVAL_MINUTES,
      safetyMarginSeconds: minimumSafetyMarginSeconds(DEMO_CHECK_INTERVAL_MINUTES),
    });
    const everyMinutes = family === 'spring' ? 1 : (index % 2) + 1;
    const accessSeconds = lifetimeFor(threshold, everyMinutes);
    const values = demoValues(s, signingKey);
    const creds = new DemoCredentials(s.id, values, clock, options.versionKey);
    credentials.set(s.id, creds);
    const audience = () => endpoints.get(s.id) ?? '';
    const idp = demoIdp(family, s, values, accessSeconds, clock, { key: signingKey, audience });
    const { handler, realm, consent } = idp;
    const path = `/${s.id}${new URL(s.tokenEndpoint ?? s.issuer!).pathname}`;
    routes.push({ provider: s.id, path, handle: (req) => handler.handle(req) });
    if (consent) {
      const page = { page: (query: URLSearchParams) => consent.consentPage(query) };
      routes.push({ provider: s.id, path: authorizePath(s.id), handle: (req) => consent.approve(req), ...page });
    }
    targets.push({
      provider: s.id,
      family,
      credentials: creds,
      ...(realm ? { realm } : {}),
      ...(family === 'keycloak' ? { rotated: demoValues(s, signingKey, 2) } : {}),
    });
    const rhythm =
      family === 'spring'
        ? `the same ${accessSeconds} s token until it expires`
        : `${accessSeconds} s tokens, renewed every ${everyMinutes === 1 ? 'minute' : `${everyMinutes} minutes`}`;
    summary.push(`${s.id}: ${FAMILY_NAME[family]}; ${rhythm}`);
  });

  const intercept = options.faults
    ? faultInterceptor(targets, clock, (provider, message) => options.note(provider, message))
    : undefined;
  const portFile = join(options.dir, DEMO_PORT_FILE);
  const lastPort = Number.parseInt((await readBoundedFile(portFile).catch(() => undefined)) ?? '', 10);
  const tokenRoutes = routes.filter((r) => r.page === undefined);
  const server = await startDemoIdp(routes, intercept, lastPort > 1023 && lastPort < 65536 ? lastPort : 0);
  await writePrivateFile(portFile, `${new URL(server.url).port}\n`).catch(() => undefined);
  let demo: ResolvedProvider[];
  try {
    for (const r of tokenRoutes) endpoints.set(r.provider, `${server.url}${r.path}`);
    demo = parseProvidersFile(adaptEntries(raw, endpoints, server.url), `${options.source} (adapted for the demo)`, {
      target: 'local',
    });
    await connectAtStart(demo, options);
  } catch (error) {
    await server.close();
    throw error;
  }
  const providers = demo.map((p): LocalProvider => ({
    settings: p.settings,
    tokenFile: tokenFilePath(options.dir, p.settings.id),
    stateFile: stateFilePath(options.dir, p.settings.id),
    pendingFile: pendingFilePath(options.dir, p.settings.id),
    maxBytes: STORE_MAX_BYTES[p.store],
    credentials: credentials.get(p.settings.id)!,
  }));
  return { server, providers, summary };
}
