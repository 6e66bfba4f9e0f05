import { err, ok, type Result } from '../base/result.js';
import {
  type AssertionSettings,
  authenticationProblems,
  CLIENT_AUTH_METHODS,
  type ClientAuthMethod,
  GRANTS,
  type PrimaryGrant,
  type ProviderSettings,
  providerSettingsSchema,
  signsWithPrivateKey,
} from '../contract/provider-settings.js';
import { DEFAULT_MIN_VALIDITY_SECONDS } from '../contract/published-token.js';
import { dueThresholdSeconds } from '../contract/schedule.js';
import type { StoreKind } from '../contract/token-stores.js';
import { show } from './file-problems.js';
import type { ProviderEntry } from './provider-entry.js';
import { PRESETS, type Preset } from './presets.js';
import { defaultCheckIntervalMinutes, minimumSafetyMarginSeconds, plannedWritesPerDay } from './schedule-plan.js';
import { chooseStore } from './store-choice.js';
import { type SigningKeyChoice, signingKeyChoice } from './signing-key-choice.js';

const DEFAULT_REQUEST_TIMEOUT_SECONDS = 10;
const DEFAULT_MAX_ATTEMPTS = 3;

/** A provider ready to deploy: runtime settings plus what only the construct needs. */
export interface ResolvedProvider {
  readonly settings: ProviderSettings;
  readonly store: StoreKind;
  readonly storeReason: string;
  readonly plannedWritesPerDay: number;
  /** Existing credentials secret; undefined means the stack creates an empty one for operators to fill. */
  readonly credentials?: { readonly secretName?: string; readonly secretArn?: string };
  /** Where the key that signs the provider's assertions lives; undefined: the provider signs nothing with a key. */
  readonly signingKey?: SigningKeyChoice;
}

/** Reports one field's problem: the field, the value it got, and what is allowed. */
type Fail = (field: string, value: unknown, allowed: string) => void;

interface Timing {
  readonly minValiditySeconds: number;
  readonly checkIntervalMinutes: number;
  readonly safetyMarginSeconds: number;
}

/** What a provider cannot do without; each is written in the entry or filled by its preset. */
interface Required {
  /** The token endpoint, or the issuer whose metadata names it at run time. */
  readonly endpoint: { readonly tokenEndpoint: string } | { readonly issuer: string };
  readonly clientId: string;
  readonly grant: ProviderSettings['grant'];
  readonly clientAuth: ProviderSettings['clientAuth'];
  readonly lifetime: number;
}

const fieldProblem = (subject: string, field: string, value: unknown, allowed: string) =>
  `${subject}, field "${field}": got ${show(value)}: ${allowed}`;

/** Applies the preset and the defaults to one entry; returns the problems instead when there are any. */
export function resolveProvider(
  entry: ProviderEntry,
  subject = `provider "${entry.id}"`,
): Result<ResolvedProvider, string[]> {
  const preset: Preset = PRESETS[entry.preset];
  const problems: string[] = [];
  const fail: Fail = (field, value, allowed) => problems.push(fieldProblem(subject, field, value, allowed));

  const required = resolveRequired(entry, preset, fail);
  if (problems.length > 0 || required === undefined) return err(problems);
  const timing = resolveTiming(entry, preset, required.lifetime, subject);
  if (!timing.ok) return err([timing.error]);
  const writesPerDay = plannedWritesPerDay(required.lifetime, timing.value);
  const choice = chooseStore(entry.store ?? 'auto', writesPerDay);
  if (!choice.ok) return err([fieldProblem(subject, 'store', entry.store, choice.error)]);

  return ok({
    settings: providerSettings(entry, preset, required, timing.value),
    store: choice.value.kind,
    storeReason: choice.value.reason,
    plannedWritesPerDay: writesPerDay,
    ...(entry.credentials ? { credentials: entry.credentials } : {}),
    ...(entry.signingKey === undefined ? {} : { signingKey: signingKeyChoice(entry.signingKey) }),
  });
}

/**
 * The settings' `assertion`: the preset's defaults when the provider signs at all (an audience the
 * preset derives from the token endpoint among them), the entry's fields over them, and where the
 * key lives as the entry's `signingKey` says.
 */
function entryAssertion(
  entry: ProviderEntry,
  preset: Preset,
  endpoint: { tokenEndpoint?: string; issuer?: string } | undefined,
  auth: { grant: PrimaryGrant; clientAuth: ClientAuthMethod },
): { assertion: AssertionSettings } | undefined {
  const key = entry.signingKey;
  const signingKey = key === undefined ? undefined : key === 'credentials' ? 'credentials' : 'kms';
  const signs = signsWithPrivateKey(auth) || auth.clientAuth === 'client_secret_jwt';
  const tokenEndpoint = endpoint?.tokenEndpoint;
  const derived = signs && preset.audienceFor && tokenEndpoint ? { audience: preset.audienceFor(tokenEndpoint) } : {};
  const defaults = signs ? { ...preset.assertion, ...derived } : {};
  if (entry.assertion === undefined && signingKey === undefined && Object.keys(defaults).length === 0) return undefined;
  return { assertion: { ...defaults, ...entry.assertion, ...(signingKey ? { signingKey } : {}) } };
}

/** The settings a provider cannot do without, each reported through `fail` when neither the entry nor its preset has it. */
function resolveRequired(entry: ProviderEntry, preset: Preset, fail: Fail): Required | undefined {
  const endpoint = entry.issuer === undefined ? resolveTokenEndpoint(entry, preset, fail) : resolveIssuer(entry, fail);
  const clientId = entry.clientId ?? preset.clientId;
  if (!clientId) fail('clientId', undefined, `preset "${entry.preset}" needs "clientId" (the OAuth client id)`);
  const grant = entry.grant ?? preset.grant;
  if (!grant)
    fail(
      'grant',
      undefined,
      `preset "${entry.preset}" needs "grant": one of ${GRANTS.map((g) => `"${g}"`).join(', ')}`,
    );
  const clientAuth = entry.clientAuth ?? preset.clientAuth;
  if (!clientAuth) {
    fail(
      'clientAuth',
      undefined,
      `preset "${entry.preset}" needs "clientAuth": one of ${CLIENT_AUTH_METHODS.map((m) => `"${m}"`).join(', ')}`,
    );
  }
  if (grant && clientAuth) {
    const useRefreshToken = entry.useRefreshToken ?? preset.useRefreshToken;
    const assertion = entryAssertion(entry, preset, endpoint, { grant, clientAuth })?.assertion;
    const auth = { grant, clientAuth, useRefreshToken, ...(assertion ? { assertion } : {}) };
    // The entry names the key in its own `signingKey`; the settings keep only where it lives.
    for (const p of authenticationProblems(auth)) {
      fail(p.field === 'assertion.signingKey' ? 'signingKey' : p.field, p.value, p.message);
    }
  }
  for (const p of preset.entryProblems?.(entry) ?? []) fail(p.field, p.value, p.message);
  const lifetime = entry.expectedLifetimeSeconds ?? preset.lifetimeSeconds;
  if (lifetime === undefined) {
    fail(
      'expectedLifetimeSeconds',
      undefined,
      `preset "${entry.preset}" needs "expectedLifetimeSeconds" (the access-token lifetime the server grants)`,
    );
  }
  if (!endpoint || !clientId || !grant || !clientAuth || lifetime === undefined) return undefined;
  return { endpoint, clientId, grant, clientAuth, lifetime };
}

/** An `issuer` replaces the token endpoint, whichever way it would be given (the entry's, the preset's, `baseUrl`). */
function resolveIssuer(entry: ProviderEntry, fail: Fail): { issuer: string } | undefined {
  for (const field of ['tokenEndpoint', 'baseUrl'] as const) {
    if (entry[field] === undefined) continue;
    fail(
      field,
      entry[field],
      `give either "issuer" or "${field}", not both: with "issuer" the token endpoint comes from the issuer's metadata; remove one`,
    );
    return undefined;
  }
  return { issuer: entry.issuer! };
}

/** The token endpoint: written in the entry, the preset's own, or built by the preset from `baseUrl`. */
function resolveTokenEndpoint(entry: ProviderEntry, preset: Preset, fail: Fail): { tokenEndpoint: string } | undefined {
  if (entry.baseUrl !== undefined && entry.tokenEndpoint !== undefined) {
    fail('baseUrl', entry.baseUrl, 'give either "baseUrl" or "tokenEndpoint", not both');
  }
  if (entry.baseUrl !== undefined && !preset.tokenEndpointFromBaseUrl) {
    fail('baseUrl', entry.baseUrl, `preset "${entry.preset}" does not use "baseUrl"; set "tokenEndpoint" instead`);
  }
  let tokenEndpoint = entry.tokenEndpoint ?? preset.tokenEndpoint;
  if (!tokenEndpoint && entry.baseUrl && preset.tokenEndpointFromBaseUrl) {
    tokenEndpoint = preset.tokenEndpointFromBaseUrl(entry.baseUrl);
  }
  if (!tokenEndpoint) {
    fail(
      preset.tokenEndpointFromBaseUrl ? 'baseUrl' : 'tokenEndpoint',
      undefined,
      preset.tokenEndpointFromBaseUrl
        ? `preset "${entry.preset}" needs "baseUrl" (e.g. "https://ovp.example.com:8443") or "tokenEndpoint"`
        : `preset "${entry.preset}" needs "tokenEndpoint" (an https:// URL) or "issuer" (the IdP's issuer URL, whose metadata names the token endpoint)`,
    );
  }
  return tokenEndpoint === undefined ? undefined : { tokenEndpoint };
}

/**
 * The check interval, minimum validity and safety margin, defaults filled in; the one problem instead
 * when the margin is below the least allowed or the token would be due as soon as it is issued.
 */
function resolveTiming(
  entry: ProviderEntry,
  preset: Preset,
  lifetime: number,
  subject: string,
): Result<Timing, string> {
  const minValiditySeconds = entry.minValiditySeconds ?? DEFAULT_MIN_VALIDITY_SECONDS;
  const checkIntervalMinutes =
    entry.checkIntervalMinutes ??
    preset.checkIntervalMinutes ??
    defaultCheckIntervalMinutes(lifetime, minValiditySeconds);
  const minimumMargin = minimumSafetyMarginSeconds(checkIntervalMinutes);
  const safetyMarginSeconds = entry.safetyMarginSeconds ?? minimumMargin;
  if (safetyMarginSeconds < minimumMargin) {
    return err(
      fieldProblem(
        subject,
        'safetyMarginSeconds',
        safetyMarginSeconds,
        `must be at least ${minimumMargin} with checkIntervalMinutes ${checkIntervalMinutes}: one check interval, so a failed renewal ` +
          'is retried before minValiditySeconds is reached, plus 95 s for a run that starts late (EventBridge Scheduler has ' +
          '60 s precision) and takes its full 30 s; less would let the token-freshness alarm warn too late or fire while healthy',
      ),
    );
  }
  const timing = { minValiditySeconds, checkIntervalMinutes, safetyMarginSeconds };
  if (lifetime <= dueThresholdSeconds(timing)) return err(dueAtOnceProblem(subject, entry, lifetime, timing));
  return ok(timing);
}

/**
 * What `token-refresher connect` uses (cli/connect/): the entry's endpoints over the preset's, the
 * preset's authorization parameters under the entry's. A preset's fixed endpoints give way when the
 * entry names an issuer, whose metadata names its own.
 */
function connectSettings(entry: ProviderEntry, preset: Preset) {
  const fromPreset: Pick<Preset, 'authorizationEndpoint' | 'deviceAuthorizationEndpoint'> =
    entry.issuer === undefined ? preset : {};
  const authorizationEndpoint = entry.authorizationEndpoint ?? fromPreset.authorizationEndpoint;
  const deviceAuthorizationEndpoint = entry.deviceAuthorizationEndpoint ?? fromPreset.deviceAuthorizationEndpoint;
  const authorizationParams = { ...preset.authorizationParams, ...entry.authorizationParams };
  return {
    ...(authorizationEndpoint === undefined ? {} : { authorizationEndpoint }),
    ...(deviceAuthorizationEndpoint === undefined ? {} : { deviceAuthorizationEndpoint }),
    ...(Object.keys(authorizationParams).length === 0 ? {} : { authorizationParams }),
  };
}

/** The runtime settings: the entry's values over the preset's, the request defaults, the resolved timing. */
function providerSettings(entry: ProviderEntry, preset: Preset, required: Required, timing: Timing): ProviderSettings {
  const { endpoint, clientId, grant, clientAuth, lifetime } = required;
  return providerSettingsSchema.parse({
    id: entry.id,
    preset: entry.preset,
    ...endpoint,
    ...connectSettings(entry, preset),
    clientId,
    grant,
    clientAuth,
    scope: entry.scope ?? preset.scope,
    extraParams: { ...preset.extraParams, ...entry.extraParams },
    useRefreshToken: entry.useRefreshToken ?? preset.useRefreshToken,
    expectedLifetimeSeconds: lifetime,
    lifetimeDocumented: entry.expectedLifetimeSeconds === undefined && preset.lifetimeSeconds !== undefined,
    ...timing,
    requestTimeoutSeconds: entry.requestTimeoutSeconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS,
    maxAttempts: entry.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    ...(entryAssertion(entry, preset, endpoint, { grant, clientAuth }) ?? {}),
  });
}

/** The timing fields a person may write, in the order a fix is most likely to be wanted. */
const TIMING_FIELDS = ['checkIntervalMinutes', 'minValiditySeconds', 'safetyMarginSeconds'] as const;

/**
 * A token that would be due as soon as it is issued. The message blames the fields the person wrote,
 * not one a preset or a default filled (the preset's lifetime applies when the file has none), and
 * says how far each of them would have to come down.
 */
function dueAtOnceProblem(
  subject: string,
  entry: ProviderEntry,
  lifetime: number,
  timing: { minValiditySeconds: number; checkIntervalMinutes: number; safetyMarginSeconds: number },
): string {
  const { minValiditySeconds: min, checkIntervalMinutes: interval, safetyMarginSeconds: margin } = timing;
  const written = TIMING_FIELDS.filter((f) => entry[f] !== undefined);
  const lifetimeWritten = entry.expectedLifetimeSeconds !== undefined;
  const blamed = written[0] ?? (lifetimeWritten ? 'expectedLifetimeSeconds' : 'preset');
  const value = blamed === 'preset' ? entry.preset : entry[blamed];
  const marginNote = entry.safetyMarginSeconds === undefined ? ', the least allowed: one interval + 95 s' : '';
  const lifetimeSource = lifetimeWritten
    ? '"expectedLifetimeSeconds"'
    : `preset "${entry.preset}"'s documented lifetime; "expectedLifetimeSeconds" is not set`;
  const fixes: string[] = [];
  // The margin follows the interval when it is not written, so each minute of interval costs 120 s.
  const perMinute = entry.safetyMarginSeconds === undefined ? 120 : 60;
  const fixedMargin = entry.safetyMarginSeconds === undefined ? minimumSafetyMarginSeconds(0) : margin;
  const maxInterval = Math.floor((lifetime - min - fixedMargin - 1) / perMinute);
  if (entry.checkIntervalMinutes !== undefined && maxInterval >= 1) {
    fixes.push(`"checkIntervalMinutes" at most ${maxInterval}`);
  }
  const maxMin = lifetime - interval * 60 - margin - 1;
  if (entry.minValiditySeconds !== undefined && maxMin >= 0) fixes.push(`"minValiditySeconds" at most ${maxMin}`);
  const maxMargin = lifetime - min - interval * 60 - 1;
  if (entry.safetyMarginSeconds !== undefined && maxMargin >= minimumSafetyMarginSeconds(interval)) {
    fixes.push(`"safetyMarginSeconds" at most ${maxMargin}`);
  }
  if (fixes.length === 0 && written.length > 0)
    fixes.push(`lower values of ${written.map((f) => `"${f}"`).join(' and ')}`);
  fixes.push(lifetimeWritten ? 'a longer "expectedLifetimeSeconds" if the server grants it' : 'a longer-lived token');
  const yours = written.map((f) => `"${f}" ${entry[f]}`).join(', ');
  return (
    `${subject}, field "${blamed}": got ${show(value)}: a ${lifetime} s token (${lifetimeSource}) would be due as soon ` +
    `as it is issued: renewal starts at minValiditySeconds (${min}) + checkIntervalMinutes (${interval}) x 60 + ` +
    `safetyMarginSeconds (${margin}${marginNote}) = ${dueThresholdSeconds(timing)} s` +
    `${yours ? `; you set ${yours}` : ''}; use ${fixes.join(', or ')}`
  );
}
