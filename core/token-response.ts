import { err, ok, type Result } from '../base/result.js';
import { LARGEST_TOKEN_STORE } from '../contract/published-token.js';
import { type Failure, failure } from '../contract/failure.js';
import type { HttpAnswer } from './ports.js';

/** A successful token answer, checked field by field; unknown fields are ignored (RFC 6749 section 5.1). */
export interface GrantedToken {
  readonly accessToken: string;
  readonly expiresIn?: number;
  readonly refreshToken?: string;
  /** Keycloak's proprietary refresh lifetime; 0 or absent means unknown, not expired. */
  readonly refreshExpiresIn?: number;
  readonly scope?: string;
}

/**
 * RFC 6750's b64token. Every preset's tokens fit it: Keycloak and IdentityServer JWTs (base64url and
 * dots), IdentityServer reference tokens (hex), legacy Spring's UUIDs. Anything else (CR, LF, NUL,
 * spaces, quotes) would corrupt the `Authorization` header consumers build from the published token.
 */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** No store holds a larger token (contract/published-token.ts). */
const MAX_ACCESS_TOKEN_LENGTH = LARGEST_TOKEN_STORE.maxBytes;

function seconds(value: unknown): number | undefined | 'bad' {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : 'bad';
  if (typeof value === 'string' && /^\d{1,10}$/.test(value.trim())) return Number(value.trim());
  return 'bad';
}

/** Parses a 2xx answer. Anything unusable is an `invalid-response` failure, so nothing gets stored. */
export function parseTokenAnswer(answer: HttpAnswer): Result<GrantedToken, Failure> {
  const bad = (code: string, what: string) =>
    err(failure('invalid-response', code, `HTTP ${answer.status} from the token endpoint, but ${what}`));
  let json: unknown;
  try {
    json = JSON.parse(answer.body);
  } catch {
    return bad('not_json', answer.body.trim() === '' ? 'the body is empty' : 'the body is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return bad('not_json', 'the body is not a JSON object');
  const body = json as Record<string, unknown>;
  if (typeof body.access_token !== 'string' || body.access_token.trim() === '') {
    return bad('no_access_token', 'it has no "access_token"');
  }
  if (body.access_token.length > MAX_ACCESS_TOKEN_LENGTH || !B64TOKEN.test(body.access_token)) {
    return bad(
      'bad_access_token',
      `its "access_token" is not a bearer token (RFC 6750: at most ${MAX_ACCESS_TOKEN_LENGTH} of A-Z a-z 0-9 - . _ ~ + / then =)`,
    );
  }
  // RFC 6749 makes token_type case-insensitive; we publish Bearer tokens only.
  if (
    body.token_type !== undefined &&
    (typeof body.token_type !== 'string' || body.token_type.toLowerCase() !== 'bearer')
  ) {
    return bad('unsupported_token_type', `"token_type" is ${JSON.stringify(body.token_type).slice(0, 40)}, not Bearer`);
  }
  const expiresIn = seconds(body.expires_in);
  if (expiresIn === 'bad') return bad('bad_expires_in', `"expires_in" is not a number of seconds`);
  const refreshExpiresIn = seconds(body.refresh_expires_in);
  const refreshToken =
    typeof body.refresh_token === 'string' && body.refresh_token !== '' ? body.refresh_token : undefined;
  const scope = typeof body.scope === 'string' ? body.scope : undefined;
  return ok({
    accessToken: body.access_token,
    ...(expiresIn === undefined ? {} : { expiresIn }),
    ...(refreshToken === undefined ? {} : { refreshToken }),
    ...(typeof refreshExpiresIn === 'number' && refreshExpiresIn > 0 ? { refreshExpiresIn } : {}),
    ...(scope === undefined ? {} : { scope }),
  });
}
