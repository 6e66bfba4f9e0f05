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
  if (s.clientAuth === 'client_secret_basic_raw_and_post') return 'spring';
  if (s.clientAuth === 'private_key_jwt' && s.grant === 'client_credentials') return 'okta';
  return s.grant === 'client_credentials' ? 'identityserver' : 'keycloak';
}

const FAMILY_NAME: Readonly<Record<Family, string>> = {
  keycloak: 'Keycloak, password grant, rotating refresh tokens',
  identityserver: 'IdentityServer, client_credentials',
  spring: 'legacy Spring, same token until expiry, raw Basic',
  okta: 'Okta service app, client_credentials with a private_key_jwt assertion (ES256 key made at the first start)',
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

/** The providers file with the demo's signed-assertion provider, unless the file already has one of that id. */
function withDemoProvider(raw: unknown): unknown {
  const file = raw as { providers?: unknown };
  if (!Array.isArray(file?.providers)) return raw;
  const providers = file.providers as { id?: unknown }[];
  if (providers.some((p) => p?.id === DEMO_SIGNED_PROVIDER.id)) return raw;
  return { ...file, providers: [...providers, DEMO_SIGNED_PROVIDER] };
}

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
function adaptEntries(raw: unknown, endpoints: ReadonlyMap<string, string>): unknown {
  const providers = (raw as { providers: Record<string, unknown>[] }).providers.map((entry) => {
    // A schedule margin, a store or a secret chosen for the real provider does not apply to the demo's.
    // An issuer's metadata is the real IdP's: the demo's server is the token endpoint itself.
    const { baseUrl: _b, issuer: _i, safetyMarginSeconds: _m, store: _s, credentials: _c, ...kept } = entry;
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
): { handler: { handle(req: DemoRequest): DemoReply }; realm?: KeycloakRealm } {
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
    const { handler, realm } = demoIdp(family, s, values, accessSeconds, clock, { key: signingKey, audience });
    const path = `/${s.id}${new URL(s.tokenEndpoint ?? s.issuer!).pathname}`;
    routes.push({ provider: s.id, path, handle: (req) => handler.handle(req) });
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
  const server = await startDemoIdp(routes, intercept, lastPort > 1023 && lastPort < 65536 ? lastPort : 0);
  await writePrivateFile(portFile, `${new URL(server.url).port}\n`).catch(() => undefined);
  let demo: ResolvedProvider[];
  try {
    for (const r of routes) endpoints.set(r.provider, `${server.url}${r.path}`);
    demo = parseProvidersFile(adaptEntries(raw, endpoints), `${options.source} (adapted for the demo)`, {
      target: 'local',
    });
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
