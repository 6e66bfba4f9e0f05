import { ok, type Result } from '../../base/result.js';
import type { Failure } from '../../contract/failure.js';
import { isMutualTls } from '../../contract/provider-settings.js';
import { clientCertificate } from '../client-certificate.js';
import type { ClientCertificate } from '../ports.js';
import type { RunContext } from './context.js';

/**
 * The client certificate a token request of this run presents (RFC 8705), checked before it is put
 * on record or sent; undefined for a method without one.
 */
export function certificateFor(
  run: RunContext,
  values: Readonly<Record<string, string>>,
): Result<ClientCertificate | undefined, Failure> {
  if (!isMutualTls(run.settings.clientAuth)) return ok(undefined);
  return clientCertificate(values, `credentials secret "${run.deps.credentials.secretId}"`, run.deps.clock.now());
}
