/**
 * Discovery (RFC 8414, OpenID Connect Discovery) end to end: the real core and adapters against
 * oidc-provider's own metadata endpoint on loopback (test/helpers/oidc-server.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpMetadataSource } from '../../core/metadata-endpoint.js';
import { type HttpAnswer, type MetadataSource, NoAnswerError } from '../../core/ports.js';
import { type RefreshDeps, runRefresh } from '../../core/refresh.js';
import { type KeycloakLikeServer, startKeycloakLikeServer } from '../helpers/oidc-server.js';
import { MemoryCredentials } from '../unit/lambda/fakes.js';
import { realWorld, settingsFor } from './harness.js';

const SECRET = 'svc-Secret-0123456789';
const HOUR = 3_600_000;
let idp: KeycloakLikeServer;

beforeAll(async () => {
  idp = await startKeycloakLikeServer({
    clients: [{ clientId: 'svc', secret: SECRET, grants: ['client_credentials'] }],
  });
});
afterAll(() => idp.close());

/** The real metadata adapter, or an outage of the kind asked for; every URL read is recorded. */
class MetadataSwitch implements MetadataSource {
  readonly reads: string[] = [];
  outage: 'none' | 'refused' | 'html' | 'huge' = 'none';
  /** Rewrites the real document (a moved token endpoint). */
  edit: ((metadata: Record<string, unknown>) => Record<string, unknown>) | undefined;
  async read(url: string, timeoutMs: number): Promise<HttpAnswer> {
    this.reads.push(url);
    const fake = (body: string) => new HttpMetadataSource(async () => new Response(body, { status: 200 }));
    switch (this.outage) {
      case 'refused':
        throw new NoAnswerError('network_error', 'no', 'network error (ECONNREFUSED)');
      case 'html':
        return fake('<html><body>Service Unavailable</body></html>').read(url, timeoutMs);
      case 'huge':
        return fake(`{"issuer": "${'x'.repeat(100_000)}"}`).read(url, timeoutMs);
      case 'none': {
        const answer = await new HttpMetadataSource().read(url, timeoutMs);
        if (!this.edit || answer.status !== 200) return answer;
        return { ...answer, body: JSON.stringify(this.edit(JSON.parse(answer.body) as Record<string, unknown>)) };
      }
    }
  }
}

function world(issuer = idp.issuer) {
  const settings = settingsFor({
    id: 'disc',
    preset: 'generic',
    issuer,
    clientId: 'svc',
    grant: 'client_credentials',
    clientAuth: 'client_secret_basic',
    expectedLifetimeSeconds: 300,
    useRefreshToken: false,
  });
  const w = realWorld(settings, new MemoryCredentials({ client_secret: SECRET }));
  const metadata = new MetadataSwitch();
  let offsetMs = 0;
  const clock = { now: () => Date.now() + offsetMs };
  /** A run in a container: `fresh` is a cold start with no memory of the metadata. */
  let memory = {};
  const run = (force = false) => {
    const deps: RefreshDeps = { ...w.deps, clock, metadata, metadataMemory: memory };
    return runRefresh(deps, { force, deadlineMs: clock.now() + 30_000 });
  };
  return {
    ...w,
    metadata,
    run,
    later: (ms: number) => (offsetMs += ms),
    coldStart: () => (memory = {}),
  };
}

const tokenRequests = () => idp.requests.length;

describe('discovery from the issuer metadata of oidc-provider', () => {
  it('reads the token endpoint from the metadata, renews with it, and keeps it for a day', async () => {
    const w = world();
    const before = tokenRequests();

    const first = await w.run();
    w.coldStart();
    w.later(23 * HOUR);
    const second = await w.run();

    expect(first.result).toMatchObject({ outcome: 'refreshed', grant: 'client_credentials' });
    expect(second.result).toMatchObject({ outcome: 'refreshed', grant: 'client_credentials' });
    expect(w.metadata.reads).toEqual([`${idp.issuer}/.well-known/openid-configuration`]);
    expect(idp.requests.slice(before).map((r) => r.path)).toEqual([
      new URL(idp.tokenEndpoint).pathname,
      new URL(idp.tokenEndpoint).pathname,
    ]);
    expect(w.stateStore.state!.metadata).toEqual({ tokenEndpoint: idp.tokenEndpoint, at: expect.any(Number) });
    expect(w.log.lines).toContainEqual(expect.objectContaining({ message: 'token endpoint discovered' }));
  });

  it('reads the metadata again after a day', async () => {
    const w = world();
    await w.run();
    w.later(25 * HOUR);

    const { result } = await w.run();

    expect(result.outcome).toBe('refreshed');
    expect(w.metadata.reads).toHaveLength(2);
  });

  it('stops, classified, when the metadata names another issuer: nothing is sent, nothing thrown', async () => {
    // The provider publishes its issuer without the trailing slash: not identical (RFC 8414 section 3.3).
    const w = world(`${idp.issuer}/`);
    const before = tokenRequests();

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'failed', error: { kind: 'configuration', code: 'issuer_mismatch' } });
    expect(result.error!.description).toContain(`"${idp.issuer}"`);
    expect(tokenRequests()).toBe(before);
    expect(w.stateStore.state?.metadata).toBeUndefined();
  });

  it('stops on an issuer mismatch even with good metadata kept: a changed issuer is no outage', async () => {
    const w = world();
    await w.run();
    w.later(25 * HOUR);
    w.metadata.edit = (m) => ({ ...m, issuer: 'https://attacker.example.com' });
    const before = tokenRequests();

    const { result } = await w.run();

    expect(result).toMatchObject({ outcome: 'failed', error: { code: 'issuer_mismatch' } });
    expect(tokenRequests()).toBe(before);
  });

  for (const outage of ['refused', 'html', 'huge'] as const) {
    it(`renews with the last good metadata through an outage (${outage}), after a cold start too`, async () => {
      const w = world();
      await w.run();
      w.coldStart();
      w.later(25 * HOUR);
      w.metadata.outage = outage;
      const before = tokenRequests();

      const { result } = await w.run();

      expect(result).toMatchObject({ outcome: 'refreshed', grant: 'client_credentials' });
      expect(tokenRequests()).toBe(before + 1);
      expect(w.log.lines).toContainEqual(
        expect.objectContaining({
          level: 'warn',
          message: "the issuer's metadata could not be read; the last good metadata is used",
        }),
      );
    });
  }

  it('without metadata kept, an outage is a classified failure and nothing is sent', async () => {
    const cases = [
      ['refused', 'transient', 'metadata_network_error'],
      ['html', 'invalid-response', 'metadata_invalid'],
      ['huge', 'invalid-response', 'metadata_too_large'],
    ] as const;
    const before = tokenRequests();
    for (const [outage, kind, code] of cases) {
      const w = world();
      w.metadata.outage = outage;

      const { result } = await w.run();

      expect(result).toMatchObject({ outcome: 'failed', error: { kind, code } });
    }
    expect(tokenRequests()).toBe(before);
  });

  it('reads the metadata again on the next run after the discovered endpoint answered 404', async () => {
    const w = world();
    const moved = `${new URL(idp.tokenEndpoint).origin}/moved/token`;
    w.metadata.edit = (m) => ({ ...m, token_endpoint: moved });

    const failed = await w.run();
    w.metadata.edit = undefined;
    const renewed = await w.run();

    expect(failed.result.outcome, JSON.stringify([failed.result, renewed.result])).toBe('failed');
    expect(w.stateStore.writes.some((s) => s.metadata?.tokenEndpoint === moved && s.metadata.recheck)).toBe(true);
    expect(renewed.result, JSON.stringify([failed.result, renewed.result])).toMatchObject({ outcome: 'refreshed' });
    expect(w.metadata.reads).toHaveLength(2);
    expect(w.stateStore.state!.metadata).toEqual({ tokenEndpoint: idp.tokenEndpoint, at: expect.any(Number) });
  });
});
