import { createHash } from 'node:crypto';
import type { ProviderSettings } from '../contract/provider-settings.js';

/**
 * Identifies the settings a refresh token and a configuration block belong to. A refresh token
 * issued to another client id or endpoint would be rejected (Keycloak: "Token client and authorized
 * client don't match"), and a block must lift when operators change the configuration.
 */
export function settingsFingerprint(s: ProviderSettings): string {
  const relevant = [
    // An issuer's token endpoint is whatever its metadata says; the issuer names the settings. A
    // token endpoint stays as it was, so no refresh token of an earlier version is voided.
    s.tokenEndpoint ?? `issuer ${s.issuer}`,
    s.clientId,
    s.grant,
    s.clientAuth,
    s.scope ?? '',
    Object.entries(s.extraParams).sort(),
  ];
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 16);
}
