import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oauth from 'oauth4webapi';
import { CliError } from '../common/errors.js';
import { EXIT } from '../exit-codes.js';
import { endpointOf, type Fetch, requestOptions } from './authorization-server.js';
import type { FlowContext } from './flow.js';

/** How long the loopback listener waits for the browser to come back. */
export const CONSENT_TIMEOUT_MS = 5 * 60_000;
const CALLBACK_PATH = '/callback';
const DONE_PAGE =
  '<!doctype html><meta charset="utf-8"><title>token-refresher</title><p>Done: you can close this window and return to the terminal.</p>';

/** A loopback listener on an ephemeral port (RFC 8252 section 7.3): its redirect URI and the first callback. */
async function listen(timeoutMs: number): Promise<{ redirectUri: string; callback: Promise<URL>; close(): void }> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const redirectUri = `http://127.0.0.1:${port}${CALLBACK_PATH}`;
  let timer: NodeJS.Timeout | undefined;
  const callback = new Promise<URL>((resolve, reject) => {
    timer = setTimeout(
      () => reject(new CliError('no sign-in came back within 5 minutes', EXIT.failed, 'consent_timeout')),
      timeoutMs,
    );
    server.on('request', (req, res) => {
      const url = new URL(req.url ?? '/', redirectUri);
      if (url.pathname !== CALLBACK_PATH) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(DONE_PAGE);
      resolve(url);
    });
  });
  const close = () => {
    clearTimeout(timer);
    server.close();
    server.closeAllConnections();
  };
  return { redirectUri, callback, close };
}

/**
 * The authorization request: code flow with PKCE S256 (RFC 7636) and `state`, plus the settings'
 * `authorizationParams` (Google wants `access_type=offline` for a refresh token), which the schema
 * keeps from replacing any of the parameters set here.
 */
export function authorizationUrl(
  endpoint: string,
  ctx: Pick<FlowContext, 'client' | 'settings'>,
  redirectUri: string,
  state: string,
  challenge: string,
) {
  const url = new URL(endpoint);
  const params = {
    ...ctx.settings.authorizationParams,
    response_type: 'code',
    client_id: ctx.client.client_id,
    redirect_uri: redirectUri,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...(ctx.settings.scope ? { scope: ctx.settings.scope } : {}),
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.href;
}

/**
 * Checks the authorization response: `state`, and `iss` (RFC 9207: required when the metadata says
 * the server sends it, compared whenever it comes). Without a known issuer there is nothing to
 * compare `iss` with, so it is not read. An error the server sent (`access_denied`) is reported.
 */
function checkedResponse(ctx: FlowContext, callback: URL, state: string): URLSearchParams {
  const params = new URLSearchParams(callback.search);
  if (!ctx.as.known) params.delete('iss');
  try {
    return oauth.validateAuthResponse(ctx.as, ctx.client, params, state);
  } catch (e) {
    if (e instanceof oauth.AuthorizationResponseError) {
      throw new CliError(`the sign-in was not completed: ${e.error}`, EXIT.failed, 'consent_refused');
    }
    const why = e instanceof Error ? e.message : 'unreadable';
    throw new CliError(`the sign-in's answer is not to be trusted: ${why}`, EXIT.failed, 'consent_invalid');
  }
}

/**
 * The authorization-code flow for a person at this machine: the URL is printed (and opened in
 * their browser unless `--no-browser`), the browser comes back to the loopback listener, and the
 * code is exchanged with the PKCE verifier. Returns the token endpoint's answer.
 */
export async function browserFlow(
  ctx: FlowContext,
  openBrowser: ((url: string) => void) | undefined,
  fetchImpl: Fetch | undefined,
  timeoutMs = CONSENT_TIMEOUT_MS,
): Promise<oauth.TokenEndpointResponse> {
  const endpoint = endpointOf(ctx.as, 'authorization_endpoint', 'authorizationEndpoint');
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const listener = await listen(timeoutMs);
  let callback: URL;
  try {
    const url = authorizationUrl(
      endpoint,
      ctx,
      listener.redirectUri,
      state,
      await oauth.calculatePKCECodeChallenge(verifier),
    );
    ctx.io.stderr(`Sign in and consent in your browser; if it does not open, open this URL:\n${url}\n`);
    openBrowser?.(url);
    callback = await listener.callback;
  } finally {
    listener.close();
  }
  const params = checkedResponse(ctx, callback, state);
  ctx.redactor.add(params.get('code') ?? undefined, verifier);
  const options = requestOptions(ctx.as.token_endpoint!, fetchImpl);
  const response = await oauth.authorizationCodeGrantRequest(
    ctx.as,
    ctx.client,
    ctx.clientAuth,
    params,
    listener.redirectUri,
    verifier,
    options,
  );
  return oauth.processAuthorizationCodeResponse(ctx.as, ctx.client, response, { requireIdToken: false });
}
