import { OAuthTokenEndpoint } from '../../core/oauth-endpoint.js';
import { type RefreshDeps, runRefresh } from '../../core/refresh.js';
import type { ProviderSettings } from '../../contract/provider-settings.js';
import type { ProviderEntry } from '../../providers/provider-entry.js';
import { parseProvidersFile } from '../../providers/providers-file.js';
import { type MemoryCredentials, MemoryStateStore, MemoryTokenStore, RecordingLog } from '../unit/lambda/fakes.js';

/** Settings exactly as a providers-file entry resolves them in local mode, pointed at a loopback token endpoint. */
export function settingsFor(entry: ProviderEntry): ProviderSettings {
  const [resolved] = parseProvidersFile({ providers: [entry] }, 'providers file', { target: 'local' });
  return resolved!.settings;
}

/**
 * The real core and the real oauth4webapi endpoint, on the real clock, with in-memory stores:
 * everything a token request goes through, talking HTTP to a server on 127.0.0.1.
 */
export function realWorld(settings: ProviderSettings, credentials: MemoryCredentials) {
  const tokenStore = new MemoryTokenStore(
    settings.expectedLifetimeSeconds > 3600 ? 'secretsmanager' : 'parameterstore',
  );
  const stateStore = new MemoryStateStore();
  const log = new RecordingLog();
  const deps: RefreshDeps = {
    settings,
    tokenStore,
    stateStore,
    credentials,
    endpoint: new OAuthTokenEndpoint(settings),
    clock: { now: () => Date.now() },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    log,
  };
  return {
    tokenStore,
    stateStore,
    credentials,
    log,
    deps,
    run: (force = false) => runRefresh(deps, { force, deadlineMs: Date.now() + 30_000 }),
    /**
     * As if the published token had been written `seconds` earlier: a forced renewal of a token that
     * is not due waits for the store's write budget (core/forced-runs.ts), and this clock is real.
     */
    writtenAgo: (seconds: number) => {
      const token = tokenStore.token!;
      tokenStore.token = { ...token, issued_at: token.issued_at - seconds };
    },
  };
}
