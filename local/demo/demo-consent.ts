import { createHash, randomBytes } from 'node:crypto';
import type { Connection } from '../../core/connection-state.js';

/** Where the demo's browser says the redirect goes; it is read from the `Location` header, never listened on. */
const DEMO_REDIRECT_URI = 'http://127.0.0.1:1/callback';
/** The demo server answers in milliseconds; a hung one must not hold up the start. */
const STEP_TIMEOUT_MS = 5_000;

const hiddenFields = (html: string) =>
  new URLSearchParams(
    [...html.slice(0, 16 * 1024).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(
      ([, name, value]): [string, string] => [name!, value!.replaceAll('&amp;', '&').replaceAll('&quot;', '"')],
    ),
  );

/**
 * The demo's person at the consent screen, as plain HTTP (the way test/local/connect-local.test.ts
 * drives `connect --local`): the authorization request with PKCE S256 and `state`, the page's one
 * button, the code from the redirect, and its exchange. The demo server keeps its chain in memory,
 * so the demo connects at every start, before the first run, and `npm start` shows it renewing.
 */
export async function consentLikeABrowser(provider: {
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly clientId: string;
  readonly scope?: string | undefined;
}): Promise<Connection> {
  const signal = () => AbortSignal.timeout(STEP_TIMEOUT_MS);
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const request = new URL(provider.authorizationEndpoint);
  const params = {
    response_type: 'code',
    client_id: provider.clientId,
    redirect_uri: DEMO_REDIRECT_URI,
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(provider.scope ? { scope: provider.scope } : {}),
  };
  for (const [name, value] of Object.entries(params)) request.searchParams.set(name, value);
  const page = await fetch(request, { signal: signal() });
  if (page.status !== 200) throw new Error(`the demo consent page answered ${page.status}`);
  const form = hiddenFields(await page.text());
  form.set('consent', 'allow');
  const approved = await fetch(provider.authorizationEndpoint, {
    method: 'POST',
    body: form,
    redirect: 'manual',
    signal: signal(),
  });
  const back = new URL(approved.headers.get('location') ?? DEMO_REDIRECT_URI);
  const code = back.searchParams.get('code');
  if (approved.status !== 302 || back.searchParams.get('state') !== state || !code) {
    throw new Error(`the demo consent did not come back with a code (${approved.status})`);
  }
  const exchange = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: DEMO_REDIRECT_URI,
    code_verifier: verifier,
    client_id: provider.clientId,
  });
  const answer = await fetch(provider.tokenEndpoint, { method: 'POST', body: exchange, signal: signal() });
  const body = (await answer.json().catch(() => ({}))) as { refresh_token?: unknown };
  if (answer.status !== 200 || typeof body.refresh_token !== 'string') {
    throw new Error(`the demo token endpoint did not exchange the code (${answer.status})`);
  }
  return { refreshToken: body.refresh_token };
}
