import { type Failure, failure } from '../../contract/failure.js';
import type { PrivateState } from '../../contract/private-state.js';
import { discover } from '../discovery/discover.js';
import { settingsFingerprint } from '../fingerprint.js';
import { type ClientCertificate, NoAnswerError, type TokenEndpoint, type TokenTransport } from '../ports.js';
import type { RunContext } from './context.js';

type KeptMetadata = NonNullable<PrivateState['metadata']>;

/** How long metadata read once is used before it is read again: a day. */
export const METADATA_MAX_AGE_MS = 86_400_000;
/** The most of the run's time a metadata read takes: the token request needs the rest. */
const METADATA_BUDGET_MS = 5_000;

/** The newer of the state's and the container's copies of the last good metadata. */
function keptMetadata(run: RunContext, fingerprint: string): KeptMetadata | undefined {
  const stored = run.ledger.state.metadata;
  const memory = run.deps.metadataMemory?.current;
  const inMemory = memory?.fingerprint === fingerprint ? memory.metadata : undefined;
  if (stored === undefined || inMemory === undefined) return stored ?? inMemory;
  return inMemory.at > stored.at ? inMemory : stored;
}

/** Metadata read less than a day ago (a time ahead of the clock is not), whose endpoint has not failed since. */
function current(kept: KeptMetadata, now: number): boolean {
  const age = now - kept.at;
  return kept.recheck === undefined && age >= 0 && age < METADATA_MAX_AGE_MS;
}

function keep(run: RunContext, fingerprint: string, metadata: KeptMetadata): void {
  if (run.deps.metadataMemory) run.deps.metadataMemory.current = { fingerprint, metadata };
  run.ledger.update({ metadata });
}

/**
 * Before the first token request of a provider configured by `issuer`: the token endpoint from the
 * issuer's metadata, read at most once a day (or after the endpoint failed), the last good one kept
 * in the private state and the container. A metadata outage renews with the last good metadata; an
 * issuer other than the configured one or an unsupported method stops the run, classified. The
 * failure to report, or undefined with `run.route` set.
 */
export async function discoveryStep(run: RunContext): Promise<Failure | undefined> {
  const { settings, deps, input, log } = run;
  const { issuer } = settings;
  if (issuer === undefined) return undefined;
  const fingerprint = settingsFingerprint(settings);
  const now = deps.clock.now();
  const kept = keptMetadata(run, fingerprint);
  if (kept && current(kept, now)) {
    run.route.tokenEndpoint = kept.tokenEndpoint;
    return undefined;
  }
  if (!deps.metadata) {
    return failure('configuration', 'discovery_unavailable', `"issuer" is set, but this runner cannot read metadata`);
  }
  const budgetMs = Math.min(METADATA_BUDGET_MS, (input.deadlineMs - now) / 2);
  const read = await discover(deps.metadata, deps.clock, issuer, settings.clientAuth, budgetMs);
  if (read.ok) {
    const { tokenEndpoint, from, url } = read.value;
    keep(run, fingerprint, { tokenEndpoint, at: now });
    run.route.tokenEndpoint = tokenEndpoint;
    if (tokenEndpoint !== kept?.tokenEndpoint)
      log.info('token endpoint discovered', { issuer, tokenEndpoint, from, url });
    return undefined;
  }
  const { kind, code, description, fatal } = read.error;
  if (fatal || kept === undefined) return failure(kind, code, description);
  log.warn("the issuer's metadata could not be read; the last good metadata is used", {
    code,
    description,
    keptSince: new Date(kept.at).toISOString(),
  });
  run.route.tokenEndpoint = kept.tokenEndpoint;
  return undefined;
}

/**
 * A discovered token endpoint that is not there (a network error, a 404) may have moved: the next
 * run reads the metadata again, whatever its age.
 */
function tokenEndpointFailed(run: RunContext): void {
  run.route.failed = true;
  const kept = run.ledger.state.metadata;
  if (kept && kept.recheck === undefined) run.ledger.update({ metadata: { ...kept, recheck: true } });
  const memory = run.deps.metadataMemory;
  if (memory?.current) memory.current = { ...memory.current, metadata: { ...memory.current.metadata, recheck: true } };
}

/** The run's token endpoint port with its route applied: the discovered endpoint, the client certificate. */
export function routedEndpoint(run: RunContext, clientCertificate?: ClientCertificate): TokenEndpoint {
  const { endpoint } = run.deps;
  const url = run.route.tokenEndpoint;
  if (url === undefined && clientCertificate === undefined) return endpoint;
  const transport: TokenTransport = {
    ...(url === undefined ? {} : { url }),
    ...(clientCertificate ? { clientCertificate } : {}),
  };
  if (url === undefined) {
    return { send: (request, auth, timeoutMs) => endpoint.send(request, auth, timeoutMs, transport) };
  }
  return {
    send: async (request, auth, timeoutMs) => {
      try {
        const answer = await endpoint.send(request, auth, timeoutMs, transport);
        if (answer.status === 404) tokenEndpointFailed(run);
        return answer;
      } catch (error) {
        if (error instanceof NoAnswerError && error.code === 'network_error') tokenEndpointFailed(run);
        throw error;
      }
    },
  };
}
