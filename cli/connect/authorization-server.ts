import * as oauth from 'oauth4webapi';
import type { ProviderSettings } from '../../contract/provider-settings.js';
import { isLoopbackUrl } from '../../contract/loopback.js';
import { CliError } from '../common/errors.js';
import { EXIT } from '../exit-codes.js';

export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** How oauth4webapi sends this command's requests: through `fetch`, plain http only on loopback (tests, local mode). */
export function requestOptions(url: string, fetchImpl: Fetch | undefined) {
  return {
    ...(fetchImpl ? { [oauth.customFetch]: fetchImpl } : {}),
    ...(isLoopbackUrl(new URL(url)) ? { [oauth.allowInsecureRequests]: true } : {}),
  };
}

/** The metadata document of `issuer`: OpenID Connect's location first, then RFC 8414's. */
async function discover(issuer: string, fetchImpl: Fetch | undefined): Promise<oauth.AuthorizationServer> {
  const url = new URL(issuer);
  let last: unknown;
  for (const algorithm of ['oidc', 'oauth2'] as const) {
    try {
      const response = await oauth.discoveryRequest(url, { algorithm, ...requestOptions(issuer, fetchImpl) });
      return await oauth.processDiscoveryResponse(url, response);
    } catch (e) {
      last = e;
    }
  }
  const why = last instanceof Error ? last.message : String(last);
  throw new CliError(`could not read the metadata of issuer ${issuer}: ${why}`, EXIT.failed, 'discovery_failed');
}

/**
 * The authorization server as `connect` sees it: the issuer's metadata when the settings name an
 * `issuer`, with the settings' own endpoints winning; else the endpoints the settings name. Without
 * an issuer there is nothing to compare an authorization response's `iss` with (RFC 9207).
 */
export async function authorizationServer(
  settings: ProviderSettings,
  fetchImpl: Fetch | undefined,
): Promise<oauth.AuthorizationServer & { readonly known: boolean }> {
  const discovered = settings.issuer === undefined ? undefined : await discover(settings.issuer, fetchImpl);
  const endpoints = {
    ...(settings.tokenEndpoint ? { token_endpoint: settings.tokenEndpoint } : {}),
    ...(settings.authorizationEndpoint ? { authorization_endpoint: settings.authorizationEndpoint } : {}),
    ...(settings.deviceAuthorizationEndpoint
      ? { device_authorization_endpoint: settings.deviceAuthorizationEndpoint }
      : {}),
  };
  if (discovered) return { ...discovered, ...endpoints, known: true };
  // oauth4webapi needs an issuer; this one is never compared with anything (`known: false`).
  return { issuer: new URL(settings.tokenEndpoint!).origin, ...endpoints, known: false };
}

/** The endpoint `field` names, or the error that says which setting gives it. */
export function endpointOf(
  as: oauth.AuthorizationServer,
  field: 'authorization_endpoint' | 'device_authorization_endpoint',
  setting: string,
): string {
  const url = as[field];
  if (url) return url;
  throw new CliError(
    `the IdP names no ${field.replaceAll('_', ' ')}: set "${setting}" in the provider's entry, or "issuer" if its metadata names one`,
    EXIT.usage,
    'no_endpoint',
  );
}
