/**
 * Mutual TLS client authentication (RFC 8705) end to end: the real core, the real endpoint adapter
 * and discovery, against oidc-provider behind an https server on 127.0.0.1 that verifies client
 * certificates (test/helpers/mtls-oidc-server.ts). The certificates are made in the test.
 */
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpMetadataSource } from '../../core/metadata-endpoint.js';
import { type RefreshDeps, runRefresh } from '../../core/refresh.js';
import { type MtlsServer, startMtlsServer } from '../helpers/mtls-oidc-server.js';
import { issueCertificate, type TestCertificate } from '../helpers/test-certificates.js';
import { MemoryCredentials } from '../unit/lambda/fakes.js';
import { realWorld, settingsFor } from './harness.js';

const DAY = 86_400_000;
let ca: TestCertificate;
let caSigned: TestCertificate;
let selfSigned: TestCertificate;
let idp: MtlsServer;
let defaultCas: string[];

beforeAll(async () => {
  ca = issueCertificate({ commonName: 'token-refresher test CA', ca: true });
  const server = issueCertificate({ commonName: '127.0.0.1', issuer: ca, ipAddress: '127.0.0.1' });
  caSigned = issueCertificate({ commonName: 'ca-signed-client', issuer: ca });
  selfSigned = issueCertificate({ commonName: 'self-signed-client' });
  idp = await startMtlsServer({
    ca,
    server,
    clients: [
      { clientId: 'ca-client', auth: 'tls_client_auth', subjectDn: 'CN=ca-signed-client' },
      { clientId: 'self-client', auth: 'self_signed_tls_client_auth', certificate: selfSigned },
    ],
  });
  // The function trusts the IdP's server certificate through the default CA store, as it would a public CA's.
  defaultCas = getCACertificates('default');
  setDefaultCACertificates([...defaultCas, ca.certificate]);
  // Key generation and the provider's start share two cores with other suites.
}, 30_000);
afterAll(async () => {
  setDefaultCACertificates(defaultCas);
  await idp.close();
});

type Method = 'tls_client_auth' | 'self_signed_tls_client_auth';

function entry(clientId: string, clientAuth: Method, where: { issuer: string } | { tokenEndpoint: string }) {
  return {
    id: `mtls-${clientId}`,
    preset: 'generic' as const,
    ...where,
    clientId,
    grant: 'client_credentials' as const,
    clientAuth,
    expectedLifetimeSeconds: 600,
    useRefreshToken: false,
  };
}

const creds = (c: TestCertificate) => ({ tls_certificate: c.certificate, tls_private_key: c.privateKey });

function world(clientId: string, clientAuth: Method, cert: TestCertificate, where?: { tokenEndpoint: string }) {
  const w = realWorld(
    settingsFor(entry(clientId, clientAuth, where ?? { issuer: idp.issuer })),
    new MemoryCredentials(creds(cert)),
  );
  const deps: RefreshDeps = { ...w.deps, metadata: new HttpMetadataSource(), metadataMemory: {} };
  return { ...w, deps, run: (force = false) => runRefresh(deps, { force, deadlineMs: Date.now() + 30_000 }) };
}

/** The private key in no form: not a line of its PEM, nor its base64 core whole. */
function expectNoKey(visible: string, cert: TestCertificate): void {
  const lines = cert.privateKey.split('\n').filter((l) => l.length > 20);
  expect(lines.length).toBeGreaterThan(0);
  for (const line of [...lines, lines.join('')]) expect(visible).not.toContain(line);
}

/** Everything a run left where people or other processes can read it. */
function everythingVisible(w: ReturnType<typeof world>, results: unknown[]): string {
  return JSON.stringify([w.log.lines, results, w.stateStore.writes, w.tokenStore.token ?? null]);
}

describe('mutual TLS against oidc-provider on loopback', () => {
  it('tls_client_auth: renews at the discovered mTLS alias, the CA-signed certificate in the handshake', async () => {
    const w = world('ca-client', 'tls_client_auth', caSigned);
    const before = idp.tokenRequests().length;

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'client_credentials' });
    const sent = idp.tokenRequests().slice(before);
    expect(sent).toEqual([{ method: 'POST', path: '/mtls/token', clientCertificateSubject: 'CN=ca-signed-client' }]);
    expect(w.stateStore.state!.metadata!.tokenEndpoint).toBe(idp.mtlsTokenEndpoint);
    expectNoKey(everythingVisible(w, [result]), caSigned);
  });

  it('self_signed_tls_client_auth: renews with the certificate registered at the IdP, at a configured endpoint', async () => {
    const w = world('self-client', 'self_signed_tls_client_auth', selfSigned, { tokenEndpoint: idp.tokenEndpoint });
    const before = idp.tokenRequests().length;

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'refreshed', grant: 'client_credentials' });
    expect(idp.tokenRequests().slice(before)).toEqual([
      { method: 'POST', path: '/token', clientCertificateSubject: 'CN=self-signed-client' },
    ]);
  });

  it('refuses an expired certificate before sending: a configuration failure that names it, nothing sent', async () => {
    const expired = issueCertificate({
      commonName: 'ca-signed-client',
      issuer: ca,
      notBefore: new Date(Date.now() - 30 * DAY),
      notAfter: new Date(Date.now() - DAY),
    });
    const w = world('ca-client', 'tls_client_auth', expired);
    const before = idp.tokenRequests().length;

    const { result } = await w.run();

    expect(result).toMatchObject({
      outcome: 'failed',
      error: { kind: 'configuration', code: 'client_certificate_expired' },
    });
    expect(result.error!.description).toContain('CN=ca-signed-client');
    expect(result.error!.description).toContain('expired at');
    expect(idp.tokenRequests().length).toBe(before);
    // Not an attempt: nothing on record that would hold back the corrected certificate.
    expect(w.stateStore.state?.pendingPrimary).toBeUndefined();
    expect(w.stateStore.state?.guard).toBeUndefined();
    expectNoKey(everythingVisible(w, [result]), expired);
  });

  it("refuses a key that is not the certificate's, or no certificate at all, before sending, without showing the key", async () => {
    const other = issueCertificate({ commonName: 'other', issuer: ca });
    const w = world('ca-client', 'tls_client_auth', caSigned);
    w.credentials.values = { tls_certificate: caSigned.certificate, tls_private_key: other.privateKey };
    const before = idp.tokenRequests().length;

    const mismatched = await w.run();
    w.credentials.values = { tls_certificate: 'not a certificate', tls_private_key: other.privateKey };
    const garbage = await w.run();

    expect(mismatched.result.error).toMatchObject({ kind: 'configuration', code: 'client_certificate_invalid' });
    expect(garbage.result.error).toMatchObject({ kind: 'configuration', code: 'client_certificate_invalid' });
    expect(idp.tokenRequests().length).toBe(before);
    expectNoKey(everythingVisible(w, [mismatched.result, garbage.result]), other);
  });

  it('a certificate the IdP rejects (invalid_client) engages the lockout guard: nothing is sent again until the secret changes', async () => {
    const stranger = issueCertificate({ commonName: 'stranger', issuer: ca });
    const w = world('ca-client', 'tls_client_auth', stranger);
    const before = idp.tokenRequests().length;

    const rejected = await w.run();
    const held = await w.run(true);

    expect(rejected.result).toMatchObject({
      outcome: 'failed',
      error: { kind: 'credentials', code: 'invalid_client' },
    });
    expect(w.stateStore.state!.guard).toMatchObject({ credentialsVersion: 'v1', code: 'invalid_client' });
    expect(held.result).toMatchObject({ outcome: 'failed', error: { code: 'lockout_guard' } });
    expect(held.guardEngaged).toBe(true);
    expect(idp.tokenRequests().length).toBe(before + 1);

    // Operators put the registered certificate: a new version, tried once the cooldown is over.
    w.credentials.rotate(creds(caSigned));
    w.stateStore.state = {
      ...w.stateStore.state!,
      guard: { ...w.stateStore.state!.guard!, at: Date.now() - 16 * 60_000 },
    };
    const renewed = await w.run(true);

    expect(renewed.result).toMatchObject({ outcome: 'refreshed' });
    expect(w.stateStore.state.guard).toBeUndefined();
    expectNoKey(everythingVisible(w, [rejected.result, held.result, renewed.result]), stranger);
    expectNoKey(everythingVisible(w, [renewed.result]), caSigned);
  });
});
