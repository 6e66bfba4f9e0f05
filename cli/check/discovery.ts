import type { Failure } from '../../contract/failure.js';
import { isMutualTls, type ProviderSettings } from '../../contract/provider-settings.js';
import { clientCertificate } from '../../core/client-certificate.js';
import type { TokenTransport } from '../../core/ports.js';
import { discover } from '../../core/discovery/discover.js';
import { HttpMetadataSource } from '../../core/metadata-endpoint.js';

/** What `check` read from an issuer's metadata: public URLs and method names only. */
export interface CheckDiscovery {
  readonly issuer: string;
  /** The well-known URL that answered. */
  readonly metadataUrl?: string;
  readonly tokenEndpoint?: string;
  /** Which of the metadata's endpoints the refresher sends to. */
  readonly from?: string;
  readonly authMethods?: readonly string[];
}

/**
 * Reads the settings' issuer metadata from this machine, as the function does on a cold start, with
 * the request timeout as its budget; nothing when the settings name a token endpoint.
 */
export async function checkDiscovery(
  settings: ProviderSettings,
  nowMs: () => number,
  fetchImpl?: (url: string, init: RequestInit) => Promise<Response>,
): Promise<{ discovery?: CheckDiscovery; error?: Failure }> {
  const { issuer } = settings;
  if (issuer === undefined) return {};
  const source = new HttpMetadataSource(fetchImpl);
  const read = await discover(
    source,
    { now: nowMs },
    issuer,
    settings.clientAuth,
    settings.requestTimeoutSeconds * 1000,
  );
  if (!read.ok) {
    const { kind, code, description } = read.error;
    return { discovery: { issuer }, error: { kind, code, description } };
  }
  const { url, tokenEndpoint, from, authMethods } = read.value;
  return { discovery: { issuer, metadataUrl: url, tokenEndpoint, from, ...(authMethods ? { authMethods } : {}) } };
}

/** The lines `check` prints about discovery. */
export function discoveryLines(discovery: CheckDiscovery): [string, string][] {
  const lines: [string, string][] = [['issuer', discovery.issuer]];
  if (discovery.metadataUrl) lines.push(['metadata', discovery.metadataUrl]);
  if (discovery.tokenEndpoint)
    lines.push(['token endpoint', `${discovery.tokenEndpoint} (discovered: ${discovery.from})`]);
  if (discovery.authMethods) lines.push(['auth methods', discovery.authMethods.join(', ') || '(none listed)']);
  return lines;
}

/**
 * Where `check` sends its one request and what the connection presents: the discovered token
 * endpoint, the client certificate of mutual TLS (checked as the function checks it, before sending).
 */
export async function prepareRoute(
  settings: ProviderSettings,
  credentials: Record<string, string>,
  nowMs: () => number,
  fetchImpl?: (url: string, init: RequestInit) => Promise<Response>,
): Promise<{
  found: { tokenEndpoint?: string; discovery?: CheckDiscovery };
  error?: Failure;
  transport: TokenTransport;
}> {
  const { discovery, error } = await checkDiscovery(settings, nowMs, fetchImpl);
  const tokenEndpoint = discovery?.tokenEndpoint ?? settings.tokenEndpoint;
  const found = { ...(tokenEndpoint === undefined ? {} : { tokenEndpoint }), ...(discovery ? { discovery } : {}) };
  if (error) return { found, error, transport: {} };
  const certificate = isMutualTls(settings.clientAuth)
    ? clientCertificate(credentials, 'the credentials given to check', nowMs())
    : undefined;
  if (certificate && !certificate.ok) return { found, error: certificate.error, transport: {} };
  const transport: TokenTransport = {
    ...(discovery && tokenEndpoint ? { url: tokenEndpoint } : {}),
    ...(certificate?.ok ? { clientCertificate: certificate.value } : {}),
  };
  return { found, transport };
}
