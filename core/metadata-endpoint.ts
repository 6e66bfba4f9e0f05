import { noAnswer, readBody } from './oauth-endpoint.js';
import type { HttpAnswer, MetadataSource } from './ports.js';

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * The most of a metadata document that is read. Published documents are a few kilobytes (Okta's,
 * Entra ID's, Keycloak's under 8 KB); a larger answer is no metadata, and reading it whole would let
 * a misbehaving server spend the run's memory and time.
 */
export const MAX_METADATA_BYTES = 32 * 1024;

/**
 * Reads an issuer's metadata over HTTP, bounded in size and in time. A redirect is not followed:
 * the documents live at their well-known URLs (RFC 8414 section 3), and a redirect answers as a
 * status the core reports.
 */
export class HttpMetadataSource implements MetadataSource {
  constructor(private readonly fetchImpl: Fetch = (url, init) => fetch(url, init)) {}

  async read(url: string, timeoutMs: number): Promise<HttpAnswer> {
    try {
      const response = await this.fetchImpl(url, {
        headers: { accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      const { body, oversized } = await readBody(response, MAX_METADATA_BYTES);
      return { status: response.status, headers: response.headers, body, ...(oversized ? { oversized } : {}) };
    } catch (error) {
      throw noAnswer(error, timeoutMs);
    }
  }
}
