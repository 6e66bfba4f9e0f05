import type { Clock } from '../../core/ports.js';
import { LOCKOUT_COOLDOWN_MS } from '../../core/lockout.js';
import type { DemoCredentials } from './demo-credentials.js';
import type { DemoReply } from './http-form.js';
import type { Interceptor } from './idp-server.js';
import type { KeycloakRealm } from './keycloak-realm.js';

/**
 * `--demo-faults`: the demo IdP answers a few requests with the failures of the README's failure
 * table, once each, so that a user sees each classification, the lockout guard and the recovery.
 * Which provider gets which fault depends only on its IdP family and order, not on its id.
 */
export type Family = 'keycloak' | 'identityserver' | 'spring' | 'okta' | 'consent';

type FaultKind = 'unavailable' | 'end-session' | 'password-changed' | 'html-page' | 'rate-limited';

const PLAN: Readonly<Record<Family, readonly FaultKind[]>> = {
  keycloak: ['unavailable', 'end-session', 'password-changed'],
  identityserver: ['html-page'],
  spring: ['rate-limited'],
  okta: [],
  consent: [],
};

/** The request (counted per provider) that meets the fault: the first renewal after the first grant, or the second. */
const AT_REQUEST: Readonly<Record<FaultKind, number>> = {
  unavailable: 2,
  'end-session': 2,
  'password-changed': 3,
  'html-page': 2,
  'rate-limited': 2,
};

/** How long after the rejection the demo's "operator" puts the new password in place. */
const OPERATOR_DELAY_MS = 2 * 60_000;

export interface FaultTarget {
  readonly provider: string;
  readonly family: Family;
  readonly realm?: KeycloakRealm;
  readonly credentials: DemoCredentials;
  /** The credentials after the demo's password change. */
  readonly rotated?: Record<string, string>;
}

const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);

const html = (title: string) =>
  `<!DOCTYPE html>\n<html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>\n`;

export function faultInterceptor(
  targets: readonly FaultTarget[],
  clock: Clock,
  note: (provider: string, message: string) => void,
): Interceptor {
  const assigned = new Map<string, { target: FaultTarget; kind: FaultKind }>();
  const used: Record<Family, number> = { keycloak: 0, identityserver: 0, spring: 0, okta: 0, consent: 0 };
  for (const target of targets) {
    const kind = PLAN[target.family][used[target.family]++];
    if (kind) assigned.set(target.provider, { target, kind });
  }

  return (provider, n): DemoReply | undefined => {
    const fault = assigned.get(provider);
    if (!fault || n !== AT_REQUEST[fault.kind]) return undefined;
    const { target } = fault;
    switch (fault.kind) {
      case 'unavailable':
        note(provider, 'demo fault: the IdP answers 503 with Retry-After: 2 (transient: retried within the run)');
        return { status: 503, headers: { 'retry-after': '2' }, body: 'Service Unavailable' };
      case 'rate-limited':
        note(provider, 'demo fault: the IdP answers 429 with Retry-After: 1 (transient: retried within the run)');
        return { status: 429, headers: { 'retry-after': '1' }, body: 'Too Many Requests' };
      case 'html-page':
        note(
          provider,
          'demo fault: a proxy answers 200 with its HTML login page (invalid-response: nothing stored; the IdP may have ' +
            'seen the secret, so the next client_credentials grant waits 15 minutes: unconfirmed_attempt)',
        );
        return { status: 200, headers: { 'content-type': 'text/html' }, body: html('Sign in') };
      case 'end-session':
        target.realm?.endSessions();
        note(provider, 'demo fault: an administrator ended the IdP session (the refresh gets invalid_grant)');
        return undefined;
      case 'password-changed': {
        const now = clock.now();
        target.realm?.endSessions();
        target.realm?.changePassword(target.rotated?.password ?? '');
        note(
          provider,
          'demo fault: the password was changed at the IdP and the session ended: the password grant ' +
            'is rejected (credentials) and the lockout guard holds',
        );
        if (target.rotated) {
          const at = now + OPERATOR_DELAY_MS;
          note(
            provider,
            `demo: the new password reaches the credentials at ${time(at)} (a new version); it is tried at ` +
              `${time(now + LOCKOUT_COOLDOWN_MS)}, 15 minutes after the rejection (lockout_cooldown)`,
          );
          target.credentials.replace(target.rotated, at, () =>
            note(provider, 'demo: an operator put the new password into the credentials (a new version)'),
          );
        }
        return undefined;
      }
    }
  };
}
