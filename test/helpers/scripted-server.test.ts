import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  emptyBody,
  identityServerInvalidClient,
  keycloakRealmNotFound,
  keycloakSessionLimiterHtml,
  malformedOk,
  okToken,
  type ScriptedServer,
  springBadCredentials,
  springSameToken,
  springXmlInvalidClient,
  startScriptedServer,
  tooManyRequests,
  unavailable,
  wafHtml,
} from './scripted-server.js';

describe('startScriptedServer', () => {
  let server: ScriptedServer;
  beforeEach(async () => {
    server = await startScriptedServer();
  });
  afterEach(() => server.close());

  const post = (form: Record<string, string> = { grant_type: 'client_credentials' }, init: RequestInit = {}) =>
    fetch(server.tokenEndpoint, { method: 'POST', body: new URLSearchParams(form), ...init });

  it('answers queued responses in order, then the built-in 500 when the queue is empty', async () => {
    server.reply(okToken({ access_token: 'one' }), okToken({ access_token: 'two' }));
    expect(await (await post()).json()).toMatchObject({ access_token: 'one' });
    expect(await (await post()).json()).toMatchObject({ access_token: 'two' });
    const empty = await post();
    expect(empty.status).toBe(500);
    expect(await empty.json()).toEqual({ error: 'server_error', error_description: 'no scripted response' });
  });

  it('setDefault answers whenever the queue is empty', async () => {
    server.setDefault(springSameToken('same', 42));
    server.reply(emptyBody(503));
    expect((await post()).status).toBe(503);
    for (let i = 0; i < 2; i++) {
      expect(await (await post()).json()).toEqual({
        access_token: 'same',
        token_type: 'bearer',
        expires_in: 42,
        scope: 'read',
      });
    }
  });

  it('function responses see the recorded request, may be async and may return another function', async () => {
    server.reply(
      (req) => okToken({ access_token: `for-${req.form.client_id}` }),
      async () => () => ({ status: 202, body: 'nested' }),
    );
    expect(await (await post({ client_id: 'abc' })).json()).toMatchObject({ access_token: 'for-abc' });
    const nested = await post();
    expect(nested.status).toBe(202);
    expect(await nested.text()).toBe('nested');
  });

  it('delayMs holds the answer long enough to trip a client timeout', async () => {
    server.reply({ ...okToken(), delayMs: 400 }, okToken({ access_token: 'after' }));
    const started = Date.now();
    await expect(post(undefined, { signal: AbortSignal.timeout(100) })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(Date.now() - started).toBeLessThan(350);
    // The server survives the abandoned request and keeps serving the queue.
    expect(await (await post()).json()).toMatchObject({ access_token: 'after' });
  });

  it('records method, path, lower-case headers, form, raw body and Authorization', async () => {
    server.reply(okToken());
    const basic = `Basic ${Buffer.from('my-client:s3cret').toString('base64')}`;
    await post(
      { grant_type: 'client_credentials', scope: 'a b' },
      { headers: { Authorization: basic, Accept: 'application/json', 'X-Custom': 'yes' } },
    );
    expect(server.requests).toHaveLength(1);
    const [req] = server.requests;
    expect(req).toMatchObject({
      method: 'POST',
      path: '/token',
      form: { grant_type: 'client_credentials', scope: 'a b' },
      rawBody: 'grant_type=client_credentials&scope=a+b',
      authorization: basic,
    });
    expect(req?.headers).toMatchObject({ accept: 'application/json', 'x-custom': 'yes', authorization: basic });
    expect(req?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
  });

  it('a JSON-typed request body is recorded raw, with an empty form', async () => {
    server.reply(okToken());
    await fetch(server.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"grant_type":"client_credentials"}',
    });
    expect(server.requests[0]).toMatchObject({ form: {}, rawBody: '{"grant_type":"client_credentials"}' });
  });
});

describe('ready-made responses', () => {
  let server: ScriptedServer;
  beforeEach(async () => {
    server = await startScriptedServer();
  });
  afterEach(() => server.close());

  async function fetchOne() {
    const res = await fetch(server.tokenEndpoint, { method: 'POST', body: 'grant_type=client_credentials' });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  it('carry the status, headers and bodies the real servers send', async () => {
    server.reply(
      identityServerInvalidClient(),
      springBadCredentials(),
      springXmlInvalidClient(),
      keycloakSessionLimiterHtml(),
      wafHtml(502),
      unavailable('120'),
      unavailable(),
      tooManyRequests('Wed, 21 Oct 2026 07:28:00 GMT'),
      keycloakRealmNotFound(),
    );

    const invalidClient = await fetchOne();
    expect(invalidClient.status).toBe(400);
    expect(JSON.parse(invalidClient.text)).toEqual({ error: 'invalid_client' });

    const bad = await fetchOne();
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe('Basic realm="oauth2/client"');
    expect(JSON.parse(bad.text)).toMatchObject({ status: 401, error: 'Unauthorized', message: 'Bad credentials' });

    const xml = await fetchOne();
    expect(xml.status).toBe(401);
    expect(xml.headers.get('content-type')).toBe('application/xml');
    expect(xml.text).toContain('<error>invalid_client</error>');

    const limiter = await fetchOne();
    expect(limiter.status).toBe(403);
    expect(limiter.headers.get('content-type')).toMatch(/^text\/html/);

    const waf = await fetchOne();
    expect(waf.status).toBe(502);
    expect(waf.text).toContain('<html>');

    const retryable = await fetchOne();
    expect(retryable.status).toBe(503);
    expect(retryable.headers.get('retry-after')).toBe('120');
    expect((await fetchOne()).headers.get('retry-after')).toBeNull();

    const limited = await fetchOne();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('Wed, 21 Oct 2026 07:28:00 GMT');

    const realm = await fetchOne();
    expect(realm.status).toBe(404);
    expect(JSON.parse(realm.text)).toEqual({ error: 'Realm does not exist' });
  });

  it('okToken merges overrides and drops fields set to undefined', () => {
    expect(okToken({ expires_in: undefined, refresh_token: 'rt' }).body).toEqual({
      access_token: 'scripted-access-token',
      token_type: 'Bearer',
      refresh_token: 'rt',
    });
  });

  it('malformedOk variants are 200s with unusable bodies', async () => {
    server.reply(
      malformedOk('no-access-token'),
      malformedOk('bad-expires-in'),
      malformedOk('not-json'),
      malformedOk('empty'),
    );
    const noToken = await fetchOne();
    expect(noToken.status).toBe(200);
    expect(JSON.parse(noToken.text)).not.toHaveProperty('access_token');
    expect(JSON.parse((await fetchOne()).text)).toMatchObject({ expires_in: 'soon' });
    const notJson = await fetchOne();
    expect(() => JSON.parse(notJson.text)).toThrow();
    const empty = await fetchOne();
    expect(empty.status).toBe(200);
    expect(empty.headers.get('content-type')).toBe('application/json');
    expect(empty.text).toBe('');
  });
});
