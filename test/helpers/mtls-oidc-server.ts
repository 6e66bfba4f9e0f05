/**
 * oidc-provider behind a Node https server on 127.0.0.1 that asks every client for a certificate,
 * with its mutual-TLS client authentication on (RFC 8705): `tls_client_auth` clients are matched by
 * the subject DN of a certificate the test CA signed, `self_signed_tls_client_auth` clients by the
 * certificate registered in their JWKS. The provider reads the client certificate through its
 * `features.mTLS.getCertificate` helper from the TLS socket. Its discovery document names an
 * `mtls_endpoint_aliases.token_endpoint`, served by the same provider under another path.
 */
import { createServer } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { ClientMetadata, KoaContextWithOIDC } from 'oidc-provider';
import { loadOidcProvider, signingKeys } from './oidc-server.js';
import type { TestCertificate } from './test-certificates.js';

export type MtlsClient =
  | { readonly clientId: string; readonly auth: 'tls_client_auth'; readonly subjectDn: string }
  | { readonly clientId: string; readonly auth: 'self_signed_tls_client_auth'; readonly certificate: TestCertificate };

export interface MtlsServerOptions {
  readonly ca: TestCertificate;
  /** The server's certificate for 127.0.0.1, signed by `ca`. */
  readonly server: TestCertificate;
  readonly clients: readonly MtlsClient[];
}

/** One request as it arrived: its path and the subject of the client certificate it presented, if any. */
export interface MtlsRequest {
  readonly method: string;
  readonly path: string;
  readonly clientCertificateSubject?: string;
}

export interface MtlsServer {
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly mtlsTokenEndpoint: string;
  readonly requests: MtlsRequest[];
  /** Token requests (to either token path), in order. */
  tokenRequests(): MtlsRequest[];
  close(): Promise<void>;
}

const TOKEN_PATH = '/token';
const MTLS_TOKEN_PATH = '/mtls/token';

function peerCertificate(socket: unknown): X509Certificate | undefined {
  const peer = (socket as TLSSocket).getPeerX509Certificate?.();
  return peer ?? undefined;
}

function registration(client: MtlsClient): ClientMetadata {
  const common = {
    client_id: client.clientId,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: client.auth,
  };
  if (client.auth === 'tls_client_auth') return { ...common, tls_client_auth_subject_dn: client.subjectDn };
  const cert = new X509Certificate(client.certificate.certificate);
  const jwk = cert.publicKey.export({ format: 'jwk' });
  return { ...common, jwks: { keys: [{ ...jwk, x5c: [cert.raw.toString('base64')] }] } };
}

export async function startMtlsServer(options: MtlsServerOptions): Promise<MtlsServer> {
  const { default: Provider } = await loadOidcProvider();
  const requests: MtlsRequest[] = [];
  const server = createServer({
    key: options.server.privateKey,
    cert: options.server.certificate,
    ca: [options.ca.certificate],
    requestCert: true,
    // The provider decides (certificateAuthorized): a self-signed client certificate must get through.
    rejectUnauthorized: false,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `https://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    jwks: signingKeys(),
    clients: options.clients.map(registration),
    clientAuthMethods: ['tls_client_auth', 'self_signed_tls_client_auth', 'client_secret_basic'],
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      mTLS: {
        enabled: true,
        tlsClientAuth: true,
        selfSignedTlsClientAuth: true,
        getCertificate: (ctx: KoaContextWithOIDC) => peerCertificate(ctx.socket),
        certificateAuthorized: (ctx: KoaContextWithOIDC) => (ctx.socket as TLSSocket).authorized,
        certificateSubjectMatches: (ctx: KoaContextWithOIDC, property: string, expected: string) =>
          property === 'tls_client_auth_subject_dn' && peerCertificate(ctx.socket)?.subject === expected,
      },
    },
    discovery: { mtls_endpoint_aliases: { token_endpoint: `${issuer}${MTLS_TOKEN_PATH}` } },
    routes: { token: TOKEN_PATH },
    cookies: { keys: ['test-only-cookie-key'] },
    clientBasedCORS: () => false,
  });
  const handle = provider.callback();
  server.on('request', (req: IncomingMessage, res) => {
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    const subject = peerCertificate(req.socket)?.subject;
    requests.push({ method: req.method ?? 'GET', path, ...(subject ? { clientCertificateSubject: subject } : {}) });
    if (path === MTLS_TOKEN_PATH) req.url = TOKEN_PATH;
    void handle(req, res);
  });
  return {
    issuer,
    tokenEndpoint: `${issuer}${TOKEN_PATH}`,
    mtlsTokenEndpoint: `${issuer}${MTLS_TOKEN_PATH}`,
    requests,
    tokenRequests: () => requests.filter((r) => r.path === TOKEN_PATH || r.path === MTLS_TOKEN_PATH),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
