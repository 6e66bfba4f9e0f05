import { describe, expect, it } from 'vitest';
import { classifyAnswer, parseRetryAfter } from '../../../core/classify.js';
import { parseErrorBody } from '../../../core/error-body.js';
import { answer } from './fakes.js';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

describe('parseErrorBody', () => {
  it.each([
    [
      'OAuth JSON',
      '{"error":"invalid_grant","error_description":"Invalid user credentials"}',
      { format: 'json', error: 'invalid_grant', description: 'Invalid user credentials' },
    ],
    [
      'Spring Boot error JSON',
      '{"timestamp":1,"status":401,"error":"Unauthorized","message":"Bad credentials","path":"/oauth/token"}',
      { format: 'json', error: 'Unauthorized', description: 'Bad credentials' },
    ],
    [
      'Spring XML',
      '<oauth><error_description>Bad client credentials</error_description><error>invalid_client</error></oauth>',
      { format: 'xml', error: 'invalid_client', description: 'Bad client credentials' },
    ],
    [
      'an HTML page',
      '<!DOCTYPE html><html><head><title>Forbidden &amp; denied</title></head><body>x</body></html>',
      { format: 'html', description: 'Forbidden & denied' },
    ],
    [
      'HTML without a title',
      '<html><body><h1>502 Bad Gateway</h1><script>x()</script></body></html>',
      { format: 'html', description: '502 Bad Gateway' },
    ],
    ['an empty body', '  ', { format: 'empty' }],
    ['broken JSON', '{"error":', { format: 'text', description: '{"error":' }],
    ['plain text', 'Service Unavailable', { format: 'text', description: 'Service Unavailable' }],
  ])('reads %s without throwing', (_name, body, expected) => {
    expect(parseErrorBody(body)).toEqual(expected);
  });

  it('shortens long bodies', () => {
    expect(parseErrorBody('x'.repeat(5000)).description).toHaveLength(200);
  });
});

describe('classifyAnswer', () => {
  it.each([
    // Keycloak (docs/reference/idp-behaviors.md 1.2)
    [
      'K3 wrong password, 401',
      'password',
      answer(401, { error: 'invalid_grant', error_description: 'Invalid user credentials' }),
      'credentials',
      'invalid_grant',
    ],
    [
      'K7 account disabled, 400',
      'password',
      answer(400, { error: 'invalid_grant', error_description: 'Account disabled' }),
      'credentials',
      'invalid_grant',
    ],
    [
      'K10 direct grants off',
      'password',
      answer(400, { error: 'unauthorized_client', error_description: 'Client not allowed for direct access grants' }),
      'credentials',
      'unauthorized_client',
    ],
    [
      'K12 unknown client',
      'password',
      answer(401, { error: 'invalid_client', error_description: 'Invalid client or Invalid client credentials' }),
      'credentials',
      'invalid_client',
    ],
    [
      'K16 unsupported grant',
      'password',
      answer(400, { error: 'unsupported_grant_type' }),
      'configuration',
      'unsupported_grant_type',
    ],
    ['K18 realm missing, 404', 'password', answer(404, { error: 'Realm does not exist' }), 'configuration', 'http_404'],
    [
      'K19 realm disabled, 403 JSON',
      'password',
      answer(403, { error: 'access_denied', error_description: 'Realm not enabled' }),
      'configuration',
      'access_denied',
    ],
    [
      'K33 session limiter, 403 HTML',
      'password',
      answer(403, '<html><title>Forbidden</title></html>'),
      'credentials',
      'http_403',
    ],
    ['K34 load shedding, empty 503', 'password', answer(503, ''), 'transient', 'http_503'],
    ['K35 WAF 502 HTML', 'refresh_token', answer(502, '<html>Bad gateway</html>'), 'transient', 'http_502'],
    // IdentityServer (2.2)
    [
      'I2 invalid_client, 400, no description',
      'client_credentials',
      answer(400, { error: 'invalid_client' }),
      'credentials',
      'invalid_client',
    ],
    [
      'I5 invalid_scope',
      'client_credentials',
      answer(400, { error: 'invalid_scope' }),
      'configuration',
      'invalid_scope',
    ],
    [
      'I7 invalid_request',
      'client_credentials',
      answer(400, { error: 'invalid_request' }),
      'configuration',
      'invalid_request',
    ],
    // legacy Spring (3.3)
    [
      'M4 Spring Boot 401 page',
      'client_credentials',
      answer(401, { status: 401, error: 'Unauthorized', message: 'Bad credentials' }),
      'credentials',
      'http_401',
    ],
    [
      'M4 unauthorized JSON',
      'client_credentials',
      answer(401, { error: 'unauthorized', error_description: 'Bad credentials' }),
      'credentials',
      'unauthorized',
    ],
    [
      'M8 XML invalid_client',
      'client_credentials',
      answer(401, '<oauth><error>invalid_client</error></oauth>'),
      'credentials',
      'invalid_client',
    ],
    [
      'M9 concurrent JDBC 500',
      'client_credentials',
      answer(500, { error: 'server_error', error_description: 'PreparedStatementCallback' }),
      'transient',
      'server_error',
    ],
    ['M10 rate limit 429', 'client_credentials', answer(429, ''), 'transient', 'http_429'],
    [
      '400 server_error is still transient',
      'client_credentials',
      answer(400, { error: 'temporarily_unavailable' }),
      'transient',
      'temporarily_unavailable',
    ],
    ['400 HTML page', 'client_credentials', answer(400, '<html>Request blocked</html>'), 'configuration', 'http_400'],
  ])('%s', (_name, grant, res, kind, code) => {
    const failure = classifyAnswer(res, grant as 'password', NOW);
    expect(failure).toMatchObject({ kind, code, refreshRejected: false });
  });

  it('marks invalid_grant on a refresh as a dead chain, whatever the description', () => {
    for (const d of ['Token is not active', 'Session not active', 'Stale token', 'anything']) {
      expect(
        classifyAnswer(answer(400, { error: 'invalid_grant', error_description: d }), 'refresh_token', NOW)
          .refreshRejected,
      ).toBe(true);
    }
  });

  it('keeps the server words in the description', () => {
    expect(
      classifyAnswer(
        answer(401, { error: 'invalid_grant', error_description: 'Invalid user credentials' }),
        'password',
        NOW,
      ).description,
    ).toBe('password grant: HTTP 401, invalid_grant: Invalid user credentials');
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(classifyAnswer(answer(503, '', { 'Retry-After': '7' }), 'password', NOW).retryAfterMs).toBe(7000);
    expect(parseRetryAfter(new Date(NOW + 30_000).toUTCString(), NOW)).toBe(30_000);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
  });
});

/** Statuses that mean "not now" only when the body names no OAuth error (docs/how-it-works.md, step 4). */
const NOT_NOW_STATUSES = [503, 429, 408, 500, 502, 504];
/** 500, 502 and 504 may come after the IdP did the work; 503, 429 and 408 come before. */
const unseenStatus = (status: number) => status === 500 || status === 502 || status === 504;

describe('classifyAnswer: an OAuth error in a 5xx, 429 or 408 decides the class', () => {
  const rejections: [string, 'password' | 'client_credentials', string, 'credentials' | 'configuration'][] = [
    ['Keycloak wrong password', 'password', 'invalid_grant', 'credentials'],
    ['IdentityServer wrong secret', 'client_credentials', 'invalid_client', 'credentials'],
    ['Keycloak wrong secret', 'password', 'unauthorized_client', 'credentials'],
    ['Spring unauthorized', 'client_credentials', 'unauthorized', 'credentials'],
    ['unknown scope', 'client_credentials', 'invalid_scope', 'configuration'],
    ['grant not allowed', 'password', 'unsupported_grant_type', 'configuration'],
    ['malformed request', 'password', 'invalid_request', 'configuration'],
    ['realm disabled', 'password', 'access_denied', 'configuration'],
  ];
  const cases = NOT_NOW_STATUSES.flatMap((status) =>
    rejections.map(([name, grant, error, kind]) => [status, name, grant, error, kind] as const),
  );

  it.each(cases)('%i {"error":"%s"} on a %s grant: never retried in the run', (status, _name, grant, error, kind) => {
    const res = answer(status, { error, error_description: 'Invalid user credentials' }, { 'Retry-After': '1' });

    const failure = classifyAnswer(res, grant, NOW);

    // The IdP read the request and answered it: nothing is left open about whether it counted.
    expect(failure).toMatchObject({ kind, code: error, refreshRejected: false, ambiguous: false, retryable: false });
  });

  it.each(NOT_NOW_STATUSES)('%i invalid_grant on a refresh: the chain is dead, one primary grant follows', (status) => {
    const failure = classifyAnswer(answer(status, { error: 'invalid_grant' }), 'refresh_token', NOW);

    expect(failure).toMatchObject({ kind: 'credentials', refreshRejected: true, ambiguous: false, retryable: false });
  });

  it.each(NOT_NOW_STATUSES)('%i in Spring XML <error>invalid_client</error> is a rejection too', (status) => {
    const failure = classifyAnswer(answer(status, '<oauth><error>invalid_client</error></oauth>'), 'password', NOW);

    expect(failure).toMatchObject({ kind: 'credentials', code: 'invalid_client', retryable: false });
  });

  it.each(NOT_NOW_STATUSES)('%i with an OAuth error in upper case is read like its lower-case code', (status) => {
    const failure = classifyAnswer(answer(status, { error: 'INVALID_GRANT' }), 'password', NOW);

    expect(failure).toMatchObject({ kind: 'credentials', retryable: false });
  });
});

describe('classifyAnswer: a 5xx, 429 or 408 without an OAuth rejection stays transient', () => {
  const notNow: [string, string | object][] = [
    ['an empty body', ''],
    ['an HTML page', '<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head></html>'],
    ['plain text', 'Service Unavailable'],
    ["Keycloak's prose error", { error: 'Realm does not exist' }],
    ["Spring Boot's error page", { status: 503, error: 'Service Unavailable', message: 'busy' }],
    ['server_error', { error: 'server_error', error_description: 'Invalid user credentials' }],
    ['temporarily_unavailable', { error: 'temporarily_unavailable' }],
    ['slow_down', { error: 'slow_down' }],
  ];
  const cases = NOT_NOW_STATUSES.flatMap((status) => notNow.map(([name, body]) => [status, name, body] as const));

  it.each(cases)('%i with %s: retried in the run, Retry-After honoured', (status, _name, body) => {
    const failure = classifyAnswer(answer(status, body, { 'Retry-After': '3' }), 'password', NOW);

    expect(failure).toMatchObject({
      kind: 'transient',
      refreshRejected: false,
      retryable: true,
      ambiguous: unseenStatus(status),
      retryAfterMs: 3000,
    });
  });

  it.each(NOT_NOW_STATUSES)(
    '%i with an OAuth code it does not know: not resent in the run, the attempt stays on record',
    (status) => {
      // Auth0 names a blocked account `too_many_attempts` (a 429): another password would only add to it.
      const failure = classifyAnswer(
        answer(status, { error: 'too_many_attempts', error_description: 'blocked' }, { 'Retry-After': '3' }),
        'password',
        NOW,
      );

      expect(failure).toMatchObject({
        kind: 'transient',
        code: 'too_many_attempts',
        retryable: false,
        ambiguous: true,
        retryAfterMs: 3000,
      });
    },
  );
});

describe('parseErrorBody on pathological bodies', () => {
  // Each took from seconds to minutes with tag-stripping regular expressions; a scan is linear.
  it.each([
    ['unclosed <', `<html>${'<'.repeat(300_000)}`],
    ['unclosed <a', `<!doctype html>${'<a '.repeat(100_000)}`],
    ['unclosed <script', `<html>${'<script>'.repeat(40_000)}`],
    ['unclosed <title', `<html>${'<title>'.repeat(45_000)}`],
    ['entities', `<html>${'&#'.repeat(150_000)}`],
  ])('reads 300 KB of %s in well under the run time', (_name, body) => {
    expect(body.length).toBeGreaterThanOrEqual(300_000);
    const started = performance.now();

    const parsed = parseErrorBody(body);

    expect(performance.now() - started).toBeLessThan(2000);
    expect(parsed.format).toBe('html');
    expect(parsed.description!.length).toBeLessThanOrEqual(200);
  });

  it('strips tags, scripts and styles from a page without a title', () => {
    expect(
      parseErrorBody('<html><style>p{}</style><p>Access <b>denied</b></p><SCRIPT>x()</SCRIPT>&amp; logged</html>'),
    ).toEqual({ format: 'html', description: 'Access denied & logged' });
  });
});
