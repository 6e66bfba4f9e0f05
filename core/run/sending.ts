import { err, ok, type Result } from '../../base/result.js';
import type { Failure } from '../../contract/failure.js';
import { type AttemptInputs, type GrantPlan, type PrepareAttempt, attemptMaker } from '../attempt.js';
import type { ClientCertificate } from '../ports.js';
import type { RequestContext } from '../request-token.js';
import type { RunContext } from './context.js';
import type { Authentication } from './credentials-policy.js';
import { routedEndpoint } from './discovery-step.js';
import { resolveSigners } from './signers.js';

/**
 * How a token request of this run is sent (core/request-token.ts): its budget, its redaction, its
 * tally, its route (a discovered endpoint, a client certificate for mutual TLS).
 */
export function requestContext(run: RunContext, clientCertificate?: ClientCertificate): RequestContext {
  const { deps, settings, input } = run;
  return {
    endpoint: routedEndpoint(run, clientCertificate),
    clock: deps.clock,
    sleep: deps.sleep,
    random: deps.random ?? Math.random,
    timeoutMs: settings.requestTimeoutSeconds * 1000,
    maxAttempts: settings.maxAttempts,
    deadlineMs: input.deadlineMs,
    redact: (text: string) => run.redactor.redact(text),
    onAttempt: (a) => run.tally.attempts.push(a),
  };
}

/** The platform's CSPRNG (Web Crypto, in every Node the function and local mode run on). */
const cryptoRandomBytes = (size: number) => crypto.getRandomValues(new Uint8Array(size));

/**
 * How each attempt of `plan` is made, authenticated as `auth` says: the signers are made once (a key
 * that cannot sign stops the run before anything is sent), each assertion per attempt.
 */
export function attempts(
  run: RunContext,
  auth: Pick<Authentication, 'values' | 'secretVersion'>,
  plan: GrantPlan,
): Result<PrepareAttempt, Failure> {
  const { deps, settings } = run;
  const signers = resolveSigners({
    settings,
    values: auth.values,
    secretVersion: auth.secretVersion,
    secretId: deps.credentials.secretId,
    kms: run.credentials.signingKey,
  });
  if (!signers.ok) return err(signers.error);
  const inputs: AttemptInputs = {
    settings,
    tokenEndpoint: run.route.tokenEndpoint ?? settings.tokenEndpoint,
    values: auth.values,
    signers: signers.value,
    clock: deps.clock,
    randomBytes: deps.randomBytes ?? cryptoRandomBytes,
    remember: (secret) => run.redactor.add(secret),
  };
  return ok(attemptMaker(inputs, plan));
}
