/**
 * An IdP whose refresh tokens come from a person's consent, on loopback: oidc-provider with the
 * authorization-code flow (PKCE S256 required), the device authorization grant, its development
 * sign-in and consent pages, `iss` in authorization responses (RFC 9207), and refresh-token
 * rotation with reuse detection. `consentAs` plays the person: plain HTTP requests that follow the
 * redirects and submit the forms, as a browser would.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadOidcProvider, signingKeys } from './oidc-server.js';

export const CONSENT_CLIENT = { id: 'drive', secret: 'cs-Secret-consent-1' } as const;
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface ConsentServer {
  readonly issuer: string;
  readonly tokenEndpoint: string;
  /** The form of each token request, in order. */
  readonly tokenForms: URLSearchParams[];
  close(): Promise<void>;
}

export async function startConsentServer(): Promise<ConsentServer> {
  const { default: Provider } = await loadOidcProvider();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const warn = console.warn;
  console.warn = () => undefined; // devInteractions announces itself: a test server, on purpose
  const provider = new Provider(issuer, {
    jwks: signingKeys(),
    clients: [
      {
        client_id: CONSENT_CLIENT.id,
        client_secret: CONSENT_CLIENT.secret,
        application_type: 'native',
        grant_types: ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/callback'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    features: { devInteractions: { enabled: true }, deviceFlow: { enabled: true } },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      DeviceCode: 600,
      Grant: 30 * 86_400,
      IdToken: 3600,
      Interaction: 600,
      RefreshToken: 14 * 86_400,
      Session: 86_400,
    },
    scopes: ['openid', 'offline_access', 'files.read'],
    cookies: { keys: ['test-only-cookie-key'] },
  });
  console.warn = warn;
  const tokenForms: URLSearchParams[] = [];
  const handle = provider.callback();
  server.on('request', (req, res) => {
    if (req.method === 'POST' && req.url === '/token') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => tokenForms.push(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    }
    void handle(req, res);
  });
  return {
    issuer,
    tokenEndpoint: `${issuer}/token`,
    tokenForms,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The first form of a page: where it posts, and its inputs with the person's sign-in filled in. */
function formOf(html: string, base: string): { action: string; fields: URLSearchParams } | undefined {
  const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) return undefined;
  const fields = new URLSearchParams();
  for (const input of form[2]!.matchAll(/<input[^>]*>/g)) {
    const name = /name="([^"]+)"/.exec(input[0])?.[1];
    if (!name) continue;
    const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
    fields.set(name, name === 'login' ? 'alice' : name === 'password' ? 'any' : value.replaceAll('&amp;', '&'));
  }
  return { action: new URL(form[1]!.replaceAll('&amp;', '&'), base).href, fields };
}

/**
 * A person in a browser: opens `url`, follows every redirect (cookies kept), signs in and consents
 * on each form, until a redirect leaves the IdP (to the loopback listener, which answers it) or a
 * page has no form left (the device flow's "done"). Returns the last URL reached.
 */
export async function consentAs(url: string, issuer: string): Promise<string> {
  const cookies = new Map<string, string>();
  let next: { url: string; init: RequestInit } = { url, init: { method: 'GET' } };
  for (let step = 0; step < 20; step++) {
    const headers = { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...next.init.headers };
    const response = await fetch(next.url, { ...next.init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = pair!.split('=') as [string, string];
      cookies.set(name.trim(), value);
    }
    const location = response.headers.get('location');
    if (location) {
      const target = new URL(location, next.url).href;
      if (!target.startsWith(issuer)) {
        await fetch(target); // the browser lands on the loopback listener
        return target;
      }
      next = { url: target, init: { method: 'GET' } };
      continue;
    }
    const form = formOf(await response.text(), next.url);
    if (!form) return next.url;
    const body = form.fields.toString();
    next = {
      url: form.action,
      init: { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    };
  }
  throw new Error('the consent did not finish in 20 steps');
}
