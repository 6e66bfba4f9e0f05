import { err, ok, type Result } from '../../base/result.js';
import { type Failure, failure, RUNBOOK_ANCHOR } from '../../contract/failure.js';
import { isLoopbackUrl, tokenEndpointProblem } from '../../contract/loopback.js';
import { type ClientAuthMethod, isMutualTls } from '../../contract/provider-settings.js';
import type { HttpAnswer } from '../ports.js';

/**
 * Where an issuer's metadata is, in the order it is tried: OpenID Connect Discovery 1.0 section 4
 * appends `/.well-known/openid-configuration` to the issuer; RFC 8414 section 3.1 inserts
 * `/.well-known/oauth-authorization-server` between the host and the issuer's path, its trailing
 * `/` removed.
 */
export function metadataUrls(issuer: string): [string, string] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, '');
  return [
    `${url.origin}${path}/.well-known/openid-configuration`,
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
  ];
}

/** What the run takes from an issuer's metadata. */
export interface Discovered {
  /** The token endpoint this client sends to: the mTLS alias for an mTLS method when there is one. */
  readonly tokenEndpoint: string;
  /** `token_endpoint_auth_methods_supported`, when the metadata lists it. */
  readonly authMethods?: readonly string[];
  /** Which of the metadata's endpoints `tokenEndpoint` is. */
  readonly from: 'token_endpoint' | 'mtls_endpoint_aliases.token_endpoint';
}

/**
 * A metadata answer that cannot be used. `fatal` ones stop the run whatever metadata was kept (the
 * issuer is not the one configured, the client's method is not supported); the others are an outage,
 * through which the last good metadata carries the run. `tryNext`: the other well-known URL may have it.
 */
export interface MetadataProblem extends Failure {
  readonly fatal: boolean;
  readonly tryNext: boolean;
}

const MAX_SHOWN_CHARS = 120;

/** A value from the metadata for a message: JSON-quoted (no control character survives), cut short. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}...` : text;
}

/** The method's name as RFC 8414 lists it: MediaHound's raw Basic variant is Basic to the IdP. */
function registeredName(method: ClientAuthMethod): string {
  return method === 'client_secret_basic_raw_and_post' ? 'client_secret_basic' : method;
}

/**
 * An endpoint the metadata names, or why it is not one the function may send to: the token
 * endpoint rules of the settings, and nothing weaker than the issuer (no plain http or loopback host
 * behind an https issuer that is not on loopback itself).
 */
function endpointProblem(value: unknown, issuer: URL): string | undefined {
  if (typeof value !== 'string') return 'is not a string';
  const problem = tokenEndpointProblem(value, isLoopbackUrl(issuer) ? 'local' : 'aws');
  if (problem) return problem;
  if (issuer.protocol === 'https:' && new URL(value).protocol !== 'https:') return 'must be https:// as the issuer is';
  return undefined;
}

const problem = (p: MetadataProblem): Result<never, MetadataProblem> => err(p);

/**
 * The metadata answer at `url` read for the configured `issuer` and client `method`: its issuer
 * must equal the configured one character for character (RFC 8414 section 3.3; OpenID Connect
 * Discovery section 4.3), its token endpoint must be one the function may call, and the client's
 * method must be among those it lists, when it lists any.
 */
export function readMetadata(
  answer: HttpAnswer,
  url: string,
  issuer: string,
  method: ClientAuthMethod,
): Result<Discovered, MetadataProblem> {
  const at = `the metadata at ${url}`;
  const outage = (code: string, description: string, tryNext = false) =>
    problem({ ...failure('invalid-response', code, description), fatal: false, tryNext });
  if (answer.oversized) return outage('metadata_too_large', `${at} is larger than a metadata document; not read`);
  if (answer.status < 200 || answer.status > 299) {
    const kind = answer.status >= 500 || answer.status === 429 ? 'transient' : 'invalid-response';
    const description = `${at} answered HTTP ${answer.status}`;
    return problem({ ...failure(kind, 'metadata_unavailable', description), fatal: false, tryNext: true });
  }
  let json: unknown;
  try {
    json = JSON.parse(answer.body);
  } catch {
    return outage('metadata_invalid', `${at} is not JSON (HTTP ${answer.status})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return outage('metadata_invalid', `${at} is not a JSON object`);
  }
  const metadata = json as Record<string, unknown>;
  if (metadata.issuer !== issuer) {
    return problem({
      ...failure(
        'configuration',
        'issuer_mismatch',
        `${at} names issuer ${shown(metadata.issuer)}, not the configured "issuer" ${JSON.stringify(issuer)}; ` +
          'RFC 8414 section 3.3 forbids using it. Set "issuer" to exactly the value the IdP publishes ' +
          `(a trailing "/" counts), or fix the IdP; no token request was sent; see docs/runbook.md#${RUNBOOK_ANCHOR.issuer_mismatch}`,
      ),
      fatal: true,
      tryNext: false,
    });
  }
  const methods = metadata.token_endpoint_auth_methods_supported;
  const listed = Array.isArray(methods) ? methods.filter((m): m is string => typeof m === 'string') : undefined;
  if (listed && !listed.includes(registeredName(method))) {
    return problem({
      ...failure(
        'configuration',
        'client_auth_unsupported',
        `"clientAuth" is "${method}", but ${at} lists only ${shown(listed)} in token_endpoint_auth_methods_supported; ` +
          'set "clientAuth" to one of those (and register the client for it at the IdP); no token request was sent',
      ),
      fatal: true,
      tryNext: false,
    });
  }
  const issuerUrl = new URL(issuer);
  const aliases = metadata.mtls_endpoint_aliases;
  const alias =
    typeof aliases === 'object' && aliases !== null ? (aliases as Record<string, unknown>).token_endpoint : undefined;
  if (isMutualTls(method) && alias !== undefined) {
    const wrong = endpointProblem(alias, issuerUrl);
    if (wrong)
      return outage('metadata_invalid', `${at}: mtls_endpoint_aliases.token_endpoint ${shown(alias)} ${wrong}`);
    return ok({
      tokenEndpoint: alias as string,
      from: 'mtls_endpoint_aliases.token_endpoint',
      ...(listed ? { authMethods: listed } : {}),
    });
  }
  const wrong = endpointProblem(metadata.token_endpoint, issuerUrl);
  if (wrong) return outage('metadata_invalid', `${at}: token_endpoint ${shown(metadata.token_endpoint)} ${wrong}`);
  return ok({
    tokenEndpoint: metadata.token_endpoint as string,
    from: 'token_endpoint',
    ...(listed ? { authMethods: listed } : {}),
  });
}
