import { withDeadline } from '../base/deadline.js';
import { type ProviderSettings, requiredCredentialKeys } from '../contract/provider-settings.js';
import type { PublishedToken } from '../contract/published-token.js';
import { LARGEST_TOKEN_STORE, publishedToken, publishedTokenBytes } from '../contract/published-token.js';
import { dueThresholdSeconds, isDue } from '../contract/schedule.js';
import type { ClassifiedFailure } from './classify.js';
import { type Failure, failure } from '../contract/failure.js';
import type { Note, RefreshResultJson } from '../contract/refresh-result.js';
import { settingsFingerprint } from './fingerprint.js';
import { guardStatus, primaryGrantHeldBack } from './lockout.js';
import { forcedRunRefusal, recentForcedRenewals } from './forced-runs.js';
import { grantedLifetime, MAX_LIFETIME_FACTOR } from './lifetime.js';
import {
  type Clock,
  type Credentials,
  type CredentialsSource,
  CredentialsUnavailableError,
  type GrantName,
  type Log,
  type PublishedTokenStore,
  type Sleep,
  type StateStore,
  type TokenEndpoint,
  type TokenRequest,
  TokenStoreNotOwnedError,
} from './ports.js';
import {
  boundPrivateState,
  LEDGER_MAX_BYTES,
  ledgerBytes,
  type PrivateState,
  privateStateBytes,
  sameCredentialsVersion,
} from '../contract/private-state.js';
import { Redactor } from './redactor.js';
import { MIN_PRIMARY_SPACING_MS, requestToken } from './request-token.js';
import type { GrantedToken } from './token-response.js';

export interface RefreshDeps {
  readonly settings: ProviderSettings;
  readonly tokenStore: PublishedTokenStore;
  readonly stateStore: StateStore;
  readonly credentials: CredentialsSource;
  readonly endpoint: TokenEndpoint;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly log: Log;
  readonly random?: () => number;
  /** Longest wait for one AWS call (store, state, credentials); AWS_CALL_TIMEOUT_MS unless a test sets it. */
  readonly awsCallTimeoutMs?: number;
}

export interface RefreshInput {
  /** Renew now even when the token is not due (an operator's `{"force": true}`); the lockout guard still applies. */
  readonly force?: boolean;
  /** Epoch ms by which token requests must be over, so the result can still be stored. */
  readonly deadlineMs: number;
  /** Epoch ms by which the run must be over, AWS calls included; `deadlineMs + STORE_RESERVE_MS` if absent. */
  readonly endMs?: number;
}

/** What the function returns (contract/refresh-result.ts; README "Function event and result"). */
export interface RefreshResult extends RefreshResultJson {
  readonly provider: string;
  readonly outcome: 'fresh' | 'refreshed' | 'failed' | 'pending';
  readonly grant?: GrantName;
  readonly expiresAt?: number;
  readonly error?: Failure;
  /** Something operators should know about a run that did not fail (a dropped refresh token, a limited forced run). */
  readonly note?: Note;
}

/** The result plus what metrics need. */
export interface RunReport {
  readonly result: RefreshResult;
  /** Seconds the published token has left after the run; 0 when there is none. */
  readonly secondsRemaining: number;
  readonly attempts: readonly { grant: GrantName; latencyMs: number; outcome: string }[];
  readonly credentialsRejected: boolean;
  /** The lockout guard holds the current credentials version: nothing is sent until operators change the secret. */
  readonly guardEngaged: boolean;
  /** A configuration error blocks scheduled runs (also reported on runs that find the token fresh). */
  readonly configurationBlocked: boolean;
  /** Pending setup: the credentials secret never held a value and no token was ever published. */
  readonly waitingForCredentials: boolean;
  readonly tokenWrites: number;
}

/** Runs the refresh algorithm (README "How it works") once. Throws only on unexpected bugs. */
export function runRefresh(deps: RefreshDeps, input: RefreshInput): Promise<RunReport> {
  return new RefreshRun(deps, input).run();
}

const nowSeconds = (clock: Clock) => Math.floor(clock.now() / 1000);
const errorName = (e: unknown) => (e as { name?: string } | undefined)?.name ?? 'Error';
/** Time kept back after the last token request to store the result (state, then token). */
export const STORE_RESERVE_MS = 10_000;
/**
 * Longest wait for one AWS call. A store call answers in tens of milliseconds; one that hangs must
 * fail as a `store` failure well inside the run, not time the function out. The SDK clients get the
 * same bound (lambda/index.ts), so they stop waiting too.
 */
export const AWS_CALL_TIMEOUT_MS = 3_000;
/** A refresh token this close to its end is not worth sending. */
const REFRESH_TOKEN_SLACK_SECONDS = 5;
/**
 * The same token answered again (legacy Spring, the MediaHound preset) is written again only when
 * its expiry moved by more than this: `issued_at` is cut to whole seconds and the server rounds
 * `expires_in`, so an unchanged expiry can read a second or two apart.
 */
export const EXPIRY_DRIFT_SECONDS = 2;

/** The state with every recorded time after `now` moved back to `now`; the same object when none is. */
function notInFuture(state: PrivateState, now: number): PrivateState {
  const { lastPrimaryGrantAt, guard, pendingPrimary, blocked } = state;
  const late = (at: number | undefined) => at !== undefined && at > now;
  if (![lastPrimaryGrantAt, guard?.at, pendingPrimary?.at, blocked?.at].some(late)) return state;
  return {
    ...state,
    ...(late(lastPrimaryGrantAt) ? { lastPrimaryGrantAt: now } : {}),
    ...(guard && late(guard.at) ? { guard: { ...guard, at: now } } : {}),
    ...(pendingPrimary && late(pendingPrimary.at) ? { pendingPrimary: { ...pendingPrimary, at: now } } : {}),
    ...(blocked && late(blocked.at) ? { blocked: { ...blocked, at: now } } : {}),
  };
}

class RefreshRun {
  private readonly s: ProviderSettings;
  private readonly redactor = new Redactor();
  /** Every log line goes through the redactor: one place, whatever a field holds. */
  private readonly log: Log;
  private readonly attempts: { grant: GrantName; latencyMs: number; outcome: string }[] = [];
  private published: PublishedToken | undefined;
  private state: PrivateState;
  private stateDirty = false;
  private credentialsRejected = false;
  /** Version of the credentials secret, once read in this run. */
  private credentialsVersion: string | undefined;
  private tokenWrites = 0;
  private waitingForCredentials = false;
  private renewedWith: GrantName | undefined;
  private note: Note | undefined;

  constructor(
    private readonly deps: RefreshDeps,
    private readonly input: RefreshInput,
  ) {
    this.s = deps.settings;
    this.state = { v: 1, fingerprint: settingsFingerprint(this.s) };
    const redacted = (extra?: object) => (extra === undefined ? undefined : this.redactor.redactValue(extra));
    this.log = {
      info: (message, extra) => deps.log.info(this.redactor.redact(message), redacted(extra)),
      warn: (message, extra) => deps.log.warn(this.redactor.redact(message), redacted(extra)),
    };
  }

  async run(): Promise<RunReport> {
    const { deps, s } = this;
    try {
      this.published = await this.aws((signal) => deps.tokenStore.read(signal));
    } catch (e) {
      if (e instanceof TokenStoreNotOwnedError) return this.fail(failure('configuration', e.code, e.message));
      return this.fail(failure('store', 'token_read_failed', `could not read the published token (${errorName(e)})`));
    }
    this.redactor.add(this.published?.access_token);
    let stored: PrivateState | undefined;
    try {
      stored = await this.aws((signal) => deps.stateStore.read(signal));
    } catch (e) {
      return this.fail(failure('store', 'state_read_failed', `could not read the private state (${errorName(e)})`));
    }
    this.redactor.add(stored?.refreshToken);
    if (stored) {
      const clamped = notInFuture(stored, deps.clock.now());
      if (clamped !== stored) {
        // A clock that ran ahead, or a hand-edited state: a time in the future would hold renewals for as long.
        this.log.warn('private state holds times in the future; read as now', { code: 'state_time_in_future' });
        this.stateDirty = true;
        stored = clamped;
      }
      // An earlier version's ledger may have grown past the bound (forced renewals were once kept
      // without a count): the run writes it back bounded, so it never stops a renewal.
      if (ledgerBytes(stored) > LEDGER_MAX_BYTES) {
        this.log.warn('private state over its bound; written back pruned', { code: 'state_pruned' });
        this.stateDirty = true;
      }
    }
    if (deps.stateStore.rewriteDue?.()) this.stateDirty = true;
    const settingsChanged = stored !== undefined && stored.fingerprint !== this.state.fingerprint;
    if (stored && !settingsChanged) this.state = stored;
    else if (stored) {
      // New settings void the refresh token and a configuration block, never the lockout memory (only
      // a new version of the credentials secret lifts the guard) nor the store's spent write budget.
      const { lastPrimaryGrantAt, guard, pendingPrimary, forcedRenewals } = stored;
      this.state = { ...this.state, lastPrimaryGrantAt, guard, pendingPrimary, forcedRenewals };
    }

    const remaining = this.published ? this.published.expires_at - nowSeconds(deps.clock) : undefined;
    const notDue = remaining !== undefined && !settingsChanged && !isDue(remaining, s);
    const limited = notDue && this.input.force ? this.forcedRunLimited() : undefined;
    if (limited) {
      this.note = { code: 'forced_run_limited', description: limited };
      this.log.info('forced renewal not run: the store has no write budget for it', { ...this.note });
    }
    if (notDue && (!this.input.force || limited)) {
      // A recorded guard is reported as engaged only while the secret still holds the rejected
      // version. A forced run reads the secret even when it renews nothing: operators force one
      // after putting a new client secret, so that no warm function sends its copy of the old one.
      if (this.state.guard || limited) await this.credentialsVersionForGuard();
      // What a fresh run learned (new credentials, a clock that ran ahead) is saved: a String write.
      const unsaved = await this.persistState();
      if (unsaved) this.log.warn('private state not saved', unsaved);
      return this.done('fresh');
    }
    const { blocked } = this.state;
    if (!this.input.force && blocked) {
      const since = new Date(blocked.at).toISOString();
      return this.failAfterRenewal(
        failure(
          'configuration',
          blocked.code,
          `${blocked.description} (not retried since ${since}: fix the provider configuration, or invoke the function with {"force": true} once fixed upstream)`,
        ),
      );
    }

    const refreshed = await this.tryRefreshToken();
    if (refreshed !== 'fall-back') return refreshed;
    return this.primaryGrant();
  }

  /**
   * A forced renewal of a token that is not due spends the store's write budget: the reason it may
   * not, or undefined after putting it on record (core/forced-runs.ts).
   */
  private forcedRunLimited(): string | undefined {
    const now = this.deps.clock.now();
    const recent = recentForcedRenewals(this.state.forcedRenewals, now);
    const lastWriteMs = this.published ? this.published.issued_at * 1000 : undefined;
    const refusal = forcedRunRefusal(this.deps.tokenStore, lastWriteMs, recent, now);
    if (refusal) return refusal;
    this.state = { ...this.state, forcedRenewals: [...recent, now] };
    this.stateDirty = true;
    return undefined;
  }

  /** Step 2: the refresh_token grant, while the chain lives. */
  private async tryRefreshToken(): Promise<RunReport | 'fall-back'> {
    const { s, state } = this;
    const now = nowSeconds(this.deps.clock);
    const refreshToken = s.useRefreshToken ? state.refreshToken : undefined;
    if (!refreshToken) return 'fall-back';
    if (state.refreshExpiresAt !== undefined && state.refreshExpiresAt - now <= REFRESH_TOKEN_SLACK_SECONDS) {
      this.log.info('refresh token has expired; renewing with a primary grant', { grant: s.grant });
      return this.dropRefreshToken();
    }
    let clientSecret: string | undefined;
    /** The credentials version this refresh sends, if it sends any: the one a rejection is held against. */
    let sentVersion: string | undefined;
    // Lockout memory beside a live refresh token (from a write that stopped halfway, or a session
    // renewed just before its end) holds the refresh as it holds a primary grant.
    const heldBack = (versionId: string | undefined) => {
      const version = { secretId: this.deps.credentials.secretId, versionId };
      return primaryGrantHeldBack(this.state, version, 'refresh_token', this.deps.clock.now());
    };
    if (s.clientAuth !== 'none') {
      const creds = await this.loadCredentials({ sendsPassword: false });
      if ('kind' in creds) return this.fail(creds);
      const held = heldBack(creds.versionId);
      if (held) return this.failAfterRenewal(held);
      // The client secret goes out: the attempt is on record before it is sent, so that a rejection
      // whose guard is then not saved is not sent again.
      const at = this.deps.clock.now();
      const unrecorded = await this.recordAttempt(
        { ...this.state, pendingPrimary: { credentialsVersion: creds.versionId, at } },
        'refresh_token',
      );
      if (unrecorded) return unrecorded;
      clientSecret = creds.values.client_secret;
      sentVersion = creds.versionId;
    } else if (state.guard !== undefined || state.pendingPrimary !== undefined) {
      const held = heldBack(await this.credentialsVersionForGuard());
      if (held) return this.failAfterRenewal(held);
    }
    const outcome = await requestToken(this.requestContext(), {
      grant: 'refresh_token',
      refreshToken,
      ...(clientSecret ? { clientSecret } : {}),
    });
    // The outcome is seen: the record is settled (a rejection becomes the guard below).
    if (sentVersion !== undefined) this.state = { ...this.state, pendingPrimary: undefined };
    if (!outcome.ok) {
      // invalid_grant means the chain is dead; a configuration error on a refresh (Keycloak's
      // "No refresh token") is a broken request, not a broken provider: both get one primary grant.
      if (outcome.error.refreshRejected || outcome.error.kind === 'configuration') {
        const { kind, code, description } = outcome.error;
        this.log.info('refresh token rejected; one primary grant follows', { kind, code, description });
        return this.dropRefreshToken();
      }
      if (outcome.error.kind !== 'credentials') return this.failGrant(outcome.error, 'refresh_token', undefined);
      // A rejected client makes the chain useless too; dropping it leaves only primary grants, which the guard holds.
      this.dropRefreshToken();
      return this.failGrant(outcome.error, 'refresh_token', sentVersion ?? (await this.credentialsVersionForGuard()));
    }
    if (sentVersion !== undefined) this.state = { ...this.state, workingCredentialsVersion: sentVersion };
    const vetted = this.vet(outcome.value, 'refresh_token');
    if ('kind' in vetted) {
      if (vetted.code !== 'lifetime_too_short') return this.failAfterRenewal(vetted);
      // Keycloak near SSO Session Max: a token too short for consumers is not published; a new session is.
      this.log.info('the refreshed token is too short to publish; renewing the session with a primary grant now', {
        grant: this.s.grant,
      });
      return 'fall-back';
    }
    const accepted = await this.accept(outcome.value.token, vetted, 'refresh_token');
    if (accepted) return accepted;
    if (!this.sessionEnding(outcome.value.token, { seconds: vetted.expires_at - vetted.issued_at }))
      return this.done('refreshed');
    this.log.info('the IdP session ends before the next run; renewing it with a primary grant now', {
      grant: s.grant,
    });
    return 'fall-back';
  }

  /** Step 2 fallback: exactly one password or client_credentials grant, behind the lockout guard. */
  private async primaryGrant(): Promise<RunReport> {
    const { s, deps } = this;
    const creds = await this.loadCredentials({ sendsPassword: s.grant === 'password' });
    if ('kind' in creds && this.setupPending(creds)) return this.pending(creds);
    if ('kind' in creds) return this.failAfterRenewal(creds);
    const held = primaryGrantHeldBack(
      this.state,
      { secretId: this.deps.credentials.secretId, versionId: creds.versionId },
      this.s.grant,
      this.deps.clock.now(),
    );
    if (held) return this.failAfterRenewal(held);
    const last = this.state.lastPrimaryGrantAt;

    // The record also suspends the cache (`workingCredentialsVersion`) until the outcome is seen: a
    // copy of this version must not go out, from any container, while the attempt is unconfirmed.
    const at = deps.clock.now();
    const unrecorded = await this.recordAttempt(
      {
        ...this.state,
        lastPrimaryGrantAt: at,
        pendingPrimary: { credentialsVersion: creds.versionId, at },
        workingCredentialsVersion: undefined,
      },
      s.grant,
    );
    if (unrecorded) return unrecorded;

    const request: TokenRequest =
      s.grant === 'password'
        ? {
            grant: 'password',
            username: creds.values.username!,
            password: creds.values.password!,
            ...(creds.values.client_secret ? { clientSecret: creds.values.client_secret } : {}),
          }
        : { grant: 'client_credentials', clientSecret: creds.values.client_secret! };
    const outcome = await requestToken(
      {
        ...this.requestContext(),
        ...(last === undefined ? {} : { notBeforeMs: last + MIN_PRIMARY_SPACING_MS }),
        onSend: (at) => {
          this.state = { ...this.state, lastPrimaryGrantAt: at };
          this.stateDirty = true;
        },
      },
      request,
    );
    if (!outcome.ok) {
      if (!outcome.error.ambiguous) this.state = { ...this.state, pendingPrimary: undefined };
      return this.failGrant(outcome.error, s.grant, creds.versionId);
    }
    // An unusable token leaves the attempt on record, so the same credentials wait out the spacing.
    const vetted = this.vet(outcome.value, s.grant);
    if ('kind' in vetted) return this.failAfterRenewal(vetted);
    // Working credentials lift the guard.
    this.state = {
      ...this.state,
      guard: undefined,
      pendingPrimary: undefined,
      workingCredentialsVersion: creds.versionId,
    };
    const accepted = await this.accept(outcome.value.token, vetted, s.grant);
    return accepted ?? this.done('refreshed');
  }

  /**
   * The token to publish from a granted answer, or why it cannot be: a lifetime shorter than any
   * consumer may see (unless it is the token already published, whose real expiry consumers should
   * know), or longer than MAX_LIFETIME_FACTOR times the plan.
   */
  private vet(outcome: { token: GrantedToken; sentAtMs: number }, grant: GrantName): PublishedToken | Failure {
    const { s } = this;
    const { token, sentAtMs } = outcome;
    this.redactor.add(token.accessToken, token.refreshToken);
    const sentAt = Math.floor(sentAtMs / 1000);
    const granted = grantedLifetime(token.expiresIn, token.accessToken, sentAt, s);
    if (!granted.ok) {
      const { seconds, boundSeconds } = granted.error;
      return failure(
        'invalid-response',
        'lifetime_too_long',
        `${grant} grant: the token would live ${seconds} s, more than ${MAX_LIFETIME_FACTOR} times ` +
          `expectedLifetimeSeconds (${boundSeconds} s); an expires_in in milliseconds? Nothing was stored. ` +
          'If the IdP really grants tokens this long, raise expectedLifetimeSeconds',
      );
    }
    const lifetime = granted.value;
    const same = this.published?.access_token === token.accessToken;
    if (lifetime.seconds < s.minValiditySeconds && !same) {
      return failure(
        'invalid-response',
        'lifetime_too_short',
        `${grant} grant: the token would live ${lifetime.seconds} s (${lifetime.source}), less than ` +
          `minValiditySeconds (${s.minValiditySeconds} s); the previous token stays in place`,
      );
    }
    if (lifetime.source !== 'expires_in') {
      this.log.info('token lifetime not taken from expires_in', {
        lifetimeSeconds: lifetime.seconds,
        source: lifetime.source,
      });
    }
    const threshold = dueThresholdSeconds(s);
    if (lifetime.seconds <= threshold && !this.sessionEnding(token, lifetime)) {
      this.log.warn('granted token is due as soon as it is issued; every run will renew it', {
        lifetimeSeconds: lifetime.seconds,
        dueThresholdSeconds: threshold,
        fix: 'lower checkIntervalMinutes or safetyMarginSeconds, or ask the IdP for a longer access-token lifetime',
      });
    }
    return publishedToken({
      accessToken: token.accessToken,
      provider: s.id,
      sentAt,
      lifetimeSeconds: lifetime.seconds,
      scope: token.scope ?? s.scope,
    });
  }

  /** Steps 3 and 5: persist the refresh token, then publish. Returns a report only on failure. */
  private async accept(token: GrantedToken, next: PublishedToken, grant: GrantName): Promise<RunReport | undefined> {
    const { s, deps } = this;
    const sentAt = next.issued_at;
    const keepOld = grant === 'refresh_token' && token.refreshToken === undefined;
    const refreshToken = s.useRefreshToken
      ? (token.refreshToken ?? (keepOld ? this.state.refreshToken : undefined))
      : undefined;
    const refreshExpiresAt =
      token.refreshExpiresIn !== undefined
        ? sentAt + token.refreshExpiresIn
        : keepOld
          ? this.state.refreshExpiresAt
          : undefined;
    this.state = {
      ...this.state,
      refreshToken,
      refreshExpiresAt: refreshToken === undefined ? undefined : refreshExpiresAt,
      blocked: undefined,
    };
    this.stateDirty = true;
    const persisted = await this.persistState();
    if (persisted) return this.failAfterRenewal(persisted);

    const previous = this.published;
    if (
      previous?.access_token === next.access_token &&
      Math.abs(previous.expires_at - next.expires_at) <= EXPIRY_DRIFT_SECONDS
    ) {
      // Legacy Spring hands back the same token with a smaller expires_in; rewriting it gains nothing.
      this.log.info('the token endpoint returned the token already published; not written again', { grant });
      this.renewedWith ??= grant;
      return undefined;
    }
    const bytes = publishedTokenBytes(next);
    if (bytes > deps.tokenStore.maxBytes) {
      return this.failAfterRenewal(
        failure(
          'store',
          'token_too_large',
          `the published token would be ${bytes} bytes, but ${deps.tokenStore.kind} holds at most ${deps.tokenStore.maxBytes}; ` +
            'ask the IdP for a smaller access token (fewer roles or claims), or for a token that lives long enough for ' +
            `store "${LARGEST_TOKEN_STORE.kind}" (${LARGEST_TOKEN_STORE.maxBytes / 1024} KB). The previous token stays in place`,
        ),
      );
    }
    try {
      await this.aws((signal) => deps.tokenStore.write(next, signal));
    } catch (e) {
      if (e instanceof TokenStoreNotOwnedError)
        return this.failAfterRenewal(failure('configuration', e.code, e.message));
      return this.failAfterRenewal(
        failure(
          'store',
          'token_write_failed',
          `could not write the published token to ${deps.tokenStore.kind} (${errorName(e)}); the previous token stays in place and the next run retries`,
        ),
      );
    }
    this.tokenWrites++;
    this.published = next;
    this.renewedWith = grant;
    return undefined;
  }

  /**
   * Keycloak caps a refreshed token at the session's end: near SSO Session Max both lifetimes shrink
   * below what lasts until the next run, so the session is renewed with a primary grant now.
   */
  private sessionEnding(token: GrantedToken, lifetime: { seconds: number }): boolean {
    const threshold = dueThresholdSeconds(this.s);
    return token.refreshExpiresIn !== undefined && token.refreshExpiresIn < threshold && lifetime.seconds < threshold;
  }

  /**
   * Puts an attempt (`recorded`, the state with its record) on record before the request is sent: if
   * the outcome is then lost (a failed state write, a timeout), the next run knows the credentials may
   * have been counted, and waits. A report when the record could not be saved: nothing is sent then.
   */
  private async recordAttempt(recorded: PrivateState, grant: GrantName): Promise<RunReport | undefined> {
    const unrecorded = this.state;
    this.state = recorded;
    this.stateDirty = true;
    const failed = await this.persistState();
    if (!failed) return undefined;
    // Nothing was sent, so nothing may be on record as sent when the state is saved after all.
    this.state = unrecorded;
    return this.failAfterRenewal({ ...failed, description: `${failed.description}; no ${grant} grant was sent` });
  }

  private dropRefreshToken(): 'fall-back' {
    this.state = { ...this.state, refreshToken: undefined, refreshExpiresAt: undefined };
    this.stateDirty = true;
    return 'fall-back';
  }

  /**
   * The credentials to send. A healthy renewal may send the copy a warm container read a few minutes
   * ago, of the version the IdP last accepted only. A password is always read from the secret (a
   * changed password has no grace period in which the old one still works), and so is everything the
   * lockout rules look at: a recorded rejection, an attempt not confirmed, an operator's forced run.
   */
  private async loadCredentials(send: { sendsPassword: boolean }): Promise<Credentials | Failure> {
    const { credentials } = this.deps;
    let creds: Credentials;
    const { guard, pendingPrimary, workingCredentialsVersion } = this.state;
    const mayUseCache = !send.sendsPassword && !this.input.force && guard === undefined && pendingPrimary === undefined;
    const cachedVersion = mayUseCache ? workingCredentialsVersion : undefined;
    try {
      creds = await this.aws((signal) =>
        credentials.read(signal, cachedVersion === undefined ? {} : { cachedVersion }),
      );
    } catch (e) {
      if (e instanceof CredentialsUnavailableError) return failure('configuration', e.code, e.message);
      return failure(
        'store',
        'credentials_read_failed',
        `could not read credentials secret "${credentials.secretId}" (${errorName(e)})`,
      );
    }
    this.credentialsVersion = creds.versionId;
    this.sawCredentialsVersion(creds.versionId);
    this.redactor.add(
      ...Object.entries(creds.values)
        .filter(([k]) => k !== 'username')
        .map(([, v]) => v),
    );
    const needed = requiredCredentialKeys(this.s);
    const missing = needed.filter((k) => !creds.values[k]);
    if (missing.length > 0) {
      const example = `{${needed.map((k) => `"${k}": "..."`).join(', ')}}`;
      return failure(
        'configuration',
        'credentials_missing_key',
        `credentials secret "${credentials.secretId}" has no ${missing.map((k) => `"${k}"`).join(', ')}; put ${example} into it`,
      );
    }
    return creds;
  }

  /** The guard needs the credentials version even when a refresh (which sends none) hit invalid_client. */
  private async credentialsVersionForGuard(): Promise<string | undefined> {
    try {
      this.credentialsVersion = (await this.aws((signal) => this.deps.credentials.read(signal))).versionId;
      this.sawCredentialsVersion(this.credentialsVersion);
      return this.credentialsVersion;
    } catch {
      return undefined;
    }
  }

  /**
   * The secret holds another version than the one that last worked: operators put new credentials.
   * No warm function may send its copy of the old version any more, whichever container it is in.
   */
  private sawCredentialsVersion(versionId: string): void {
    const { workingCredentialsVersion } = this.state;
    if (workingCredentialsVersion === undefined || sameCredentialsVersion(workingCredentialsVersion, versionId)) return;
    this.state = { ...this.state, workingCredentialsVersion: undefined };
    this.stateDirty = true;
  }

  /** Step 4: record what must outlive the run (guard, block), then report. */
  private async failGrant(
    f: ClassifiedFailure,
    grant: GrantName,
    credentialsVersion: string | undefined,
  ): Promise<RunReport> {
    const at = this.deps.clock.now();
    // The state keeps codes and our own words only: IdP prose may echo a secret in an encoding no
    // redactor knows, and the state outlives the run.
    const code = this.redactor.redact(f.code);
    const what = f.kind === 'credentials' ? 'rejected the credentials' : 'reported a configuration error';
    const record = { at, code, description: `the token endpoint ${what} on a ${grant} grant (${code})` };
    if (f.kind === 'credentials' && credentialsVersion !== undefined) {
      this.credentialsRejected = true;
      this.state = { ...this.state, guard: { ...record, credentialsVersion } };
      this.stateDirty = true;
    } else if (f.kind === 'credentials') {
      this.credentialsRejected = true;
    } else if (f.kind === 'configuration') {
      this.state = { ...this.state, blocked: record };
      this.stateDirty = true;
    }
    return this.failAfterRenewal({ kind: f.kind, code: f.code, description: f.description });
  }

  private async persistState(): Promise<Failure | undefined> {
    if (!this.stateDirty) return undefined;
    // The one place a state is bounded before it is stored (contract/private-state.ts).
    this.state = boundPrivateState(this.state, this.deps.clock.now());
    const { maxBytes } = this.deps.stateStore;
    const bytes = privateStateBytes(this.state);
    if (bytes > maxBytes && this.state.refreshToken !== undefined) {
      // Keeping the login beats keeping the refresh token: the token is still published, the lockout
      // memory is still saved, and the next renewal is a primary grant instead of a refresh.
      this.state = { ...this.state, refreshToken: undefined, refreshExpiresAt: undefined };
      this.note = {
        code: 'refresh_token_not_kept',
        description:
          `the refresh token would make the private state ${bytes} bytes, more than the ${maxBytes} its parameter holds; ` +
          `it is not kept, so every renewal is a ${this.s.grant} grant`,
      };
      this.log.warn('refresh token too large for the private state; not kept', { ...this.note, stateBytes: bytes });
    }
    const size = privateStateBytes(this.state);
    if (size > maxBytes) {
      return failure('store', 'state_too_large', `the private state would be ${size} bytes, more than ${maxBytes}`);
    }
    try {
      const state = this.state;
      await this.aws((signal) => this.deps.stateStore.write(state, signal));
      this.stateDirty = false;
      return undefined;
    } catch (e) {
      return failure(
        'store',
        'state_write_failed',
        `could not write the private state (${errorName(e)}); nothing was published, the next run retries`,
      );
    }
  }

  /** A failure after a refresh already published a token (session-end renewal) still counts as renewed. */
  private async failAfterRenewal(f: Failure): Promise<RunReport> {
    const persistFailure = await this.persistState();
    if (persistFailure) this.log.warn('private state not saved', persistFailure);
    if (this.renewedWith) {
      this.log.warn('renewed, but a follow-up step failed', f);
      return this.done('refreshed');
    }
    return this.fail(f);
  }

  /**
   * One AWS call, given up after AWS_CALL_TIMEOUT_MS or at the run's end, whichever comes first. The
   * signal stops the SDK's request; the race stops the wait even for a port that ignores the signal.
   */
  private aws<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const endMs = this.input.endMs ?? this.input.deadlineMs + STORE_RESERVE_MS;
    const ms = Math.min(this.deps.awsCallTimeoutMs ?? AWS_CALL_TIMEOUT_MS, endMs - this.deps.clock.now());
    return withDeadline(call, ms, () =>
      Object.assign(new Error(`no answer within ${Math.max(0, ms)} ms`), { name: 'TimeoutError' }),
    );
  }

  private requestContext() {
    const { deps, s, input } = this;
    return {
      endpoint: deps.endpoint,
      clock: deps.clock,
      sleep: deps.sleep,
      random: deps.random ?? Math.random,
      timeoutMs: s.requestTimeoutSeconds * 1000,
      maxAttempts: s.maxAttempts,
      deadlineMs: input.deadlineMs,
      redact: (text: string) => this.redactor.redact(text),
      onAttempt: (a: { grant: GrantName; latencyMs: number; outcome: string }) => this.attempts.push(a),
    };
  }

  private redactedFailure(f: Failure): Failure {
    return { kind: f.kind, code: f.code, description: this.redactor.redact(f.description) };
  }

  private done(outcome: 'fresh' | 'refreshed'): RunReport {
    return this.report({
      provider: this.s.id,
      outcome,
      ...(outcome === 'refreshed' && this.renewedWith ? { grant: this.renewedWith } : {}),
      ...(this.published ? { expiresAt: this.published.expires_at } : {}),
      ...(this.note ? { note: this.note } : {}),
    });
  }

  /**
   * Day one: the stack created the credentials secret empty and operators have not filled it yet. No
   * token was ever published and no login ever tried, so no consumer holds a token to protect: a
   * state to show ("waiting for credentials"), not an incident to page. Once credentials arrived or
   * a token was published, a missing secret is a configuration failure like any other.
   */
  private setupPending(f: Failure): boolean {
    return (
      (f.code === 'credentials_not_found' || f.code === 'credentials_empty') &&
      this.published === undefined &&
      this.state.lastPrimaryGrantAt === undefined &&
      this.state.refreshToken === undefined
    );
  }

  private pending(f: Failure): RunReport {
    this.waitingForCredentials = true;
    return this.report({
      provider: this.s.id,
      outcome: 'pending',
      note: { code: 'waiting_for_credentials', description: this.redactor.redact(f.description) },
    });
  }

  private fail(f: Failure): RunReport {
    return this.report({
      provider: this.s.id,
      outcome: 'failed',
      ...(this.published ? { expiresAt: this.published.expires_at } : {}),
      error: this.redactedFailure(f),
    });
  }

  /** The guard holds while the secret has the rejected version, or a changed one waits out the cooldown. */
  private guardHolds(): boolean {
    return guardStatus(this.state.guard, this.credentialsVersion, this.deps.clock.now()) !== undefined;
  }

  private report(result: RefreshResult): RunReport {
    const remaining = this.published ? this.published.expires_at - nowSeconds(this.deps.clock) : 0;
    return {
      result,
      // Pending setup has no token to protect: the heartbeat reports the planned lifetime, so the
      // freshness alarm stays quiet until a token exists (docs/how-it-works.md "Metrics").
      secondsRemaining: this.waitingForCredentials ? this.s.expectedLifetimeSeconds : remaining,
      attempts: this.attempts,
      credentialsRejected: this.credentialsRejected,
      guardEngaged: this.credentialsRejected || this.guardHolds(),
      configurationBlocked: this.state.blocked !== undefined,
      waitingForCredentials: this.waitingForCredentials,
      tokenWrites: this.tokenWrites,
    };
  }
}
