import { describe, expect, it } from 'vitest';
import { metadataUrls, readMetadata } from '../../../core/discovery/metadata.js';
import type { HttpAnswer } from '../../../core/ports.js';

const ISSUER = 'https://idp.example.com/tenant-1';
const URL_1 = `${ISSUER}/.well-known/openid-configuration`;

function answer(body: unknown, status = 200, extra: Partial<HttpAnswer> = {}): HttpAnswer {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { status, headers: new Headers(), body: text, ...extra };
}

const good = {
  issuer: ISSUER,
  token_endpoint: 'https://idp.example.com/tenant-1/oauth2/token',
  token_endpoint_auth_methods_supported: ['client_secret_basic', 'tls_client_auth'],
  mtls_endpoint_aliases: { token_endpoint: 'https://mtls.idp.example.com/tenant-1/oauth2/token' },
};

describe('metadataUrls: where an issuer publishes its metadata', () => {
  it('appends the OpenID path, then inserts the RFC 8414 one before the issuer path (trailing slash removed)', () => {
    expect(metadataUrls('https://idp.example.com/tenant-1/')).toEqual([
      'https://idp.example.com/tenant-1/.well-known/openid-configuration',
      'https://idp.example.com/.well-known/oauth-authorization-server/tenant-1',
    ]);
    expect(metadataUrls('https://idp.example.com')).toEqual([
      'https://idp.example.com/.well-known/openid-configuration',
      'https://idp.example.com/.well-known/oauth-authorization-server',
    ]);
  });
});

describe('readMetadata: what the run takes from a metadata document', () => {
  it('takes the token endpoint, and the mTLS alias for an mTLS method', () => {
    const plain = readMetadata(answer(good), URL_1, ISSUER, 'client_secret_basic');
    const mtls = readMetadata(answer(good), URL_1, ISSUER, 'tls_client_auth');

    expect(plain).toEqual({
      ok: true,
      value: expect.objectContaining({ tokenEndpoint: good.token_endpoint, from: 'token_endpoint' }),
    });
    expect(mtls).toEqual({
      ok: true,
      value: expect.objectContaining({
        tokenEndpoint: good.mtls_endpoint_aliases.token_endpoint,
        from: 'mtls_endpoint_aliases.token_endpoint',
      }),
    });
  });

  it('refuses metadata whose issuer is not exactly the configured one, as fatal, naming both and the fix', () => {
    const read = readMetadata(answer({ ...good, issuer: `${ISSUER}/` }), URL_1, ISSUER, 'client_secret_basic');

    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.error).toMatchObject({ kind: 'configuration', code: 'issuer_mismatch', fatal: true });
    expect(read.error.description).toContain(`"${ISSUER}/"`);
    expect(read.error.description).toContain('Set "issuer"');
  });

  it('refuses a method the metadata does not list, naming both; an absent list refuses nothing', () => {
    const read = readMetadata(answer(good), URL_1, ISSUER, 'self_signed_tls_client_auth');
    const { token_endpoint_auth_methods_supported: _, ...unlisted } = good;

    expect(read.ok).toBe(false);
    if (!read.ok) {
      expect(read.error).toMatchObject({ kind: 'configuration', code: 'client_auth_unsupported', fatal: true });
      expect(read.error.description).toContain('"self_signed_tls_client_auth"');
      expect(read.error.description).toContain('["client_secret_basic","tls_client_auth"]');
    }
    expect(readMetadata(answer(unlisted), URL_1, ISSUER, 'self_signed_tls_client_auth').ok).toBe(true);
    // MediaHound's raw Basic is Basic to the IdP.
    expect(readMetadata(answer(good), URL_1, ISSUER, 'client_secret_basic_raw_and_post').ok).toBe(true);
  });

  it('classifies an oversized, non-JSON, failing or endpoint-less document as an outage, never throwing', () => {
    const cases: [HttpAnswer, string, boolean][] = [
      [answer('', 200, { oversized: true }), 'metadata_too_large', false],
      [answer('<html>login</html>'), 'metadata_invalid', false],
      [answer('[1]'), 'metadata_invalid', false],
      [answer('not found', 404), 'metadata_unavailable', true],
      [answer({ issuer: ISSUER }), 'metadata_invalid', false],
      [answer({ ...good, token_endpoint: 'http://idp.example.com/token' }), 'metadata_invalid', false],
      [answer({ ...good, token_endpoint: 'https://127.0.0.1/token' }), 'metadata_invalid', false],
    ];
    for (const [a, code, tryNext] of cases) {
      const read = readMetadata(a, URL_1, ISSUER, 'client_secret_basic');
      expect(read.ok ? 'ok' : [read.error.code, read.error.fatal, read.error.tryNext]).toEqual([code, false, tryNext]);
    }
  });
});
