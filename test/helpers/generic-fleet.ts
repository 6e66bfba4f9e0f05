/**
 * A generic fleet's providers file, the size issue 9 budgets for: `generic` providers with the
 * lifetimes IdPs hand out by default (Keycloak 5 min, 15 min, Azure AD and Okta 1 h, daily API
 * tokens), half password grants renewed by refresh token with a public client, half
 * client_credentials with a client secret, each with its own token endpoint's host and client id.
 */
export const FLEET_LIFETIMES_SECONDS = [300, 900, 3_600, 86_400] as const;

export interface GenericFleetEntry {
  readonly id: string;
  readonly preset: 'generic';
  readonly tokenEndpoint: string;
  readonly clientId: string;
  readonly grant: 'password' | 'client_credentials';
  readonly clientAuth: 'none' | 'client_secret_post';
  readonly useRefreshToken: boolean;
  readonly expectedLifetimeSeconds: number;
}

export function genericFleet(count: number): { providers: GenericFleetEntry[] } {
  return {
    providers: Array.from({ length: count }, (_, i) => {
      // Grants alternate in pairs, lifetimes every provider: every lifetime meets both grants.
      const password = Math.floor(i / FLEET_LIFETIMES_SECONDS.length) % 2 === 0;
      return {
        id: `tenant-${String(i).padStart(3, '0')}`,
        preset: 'generic',
        tokenEndpoint: `https://idp-${i % 7}.example.com/oauth2/token`,
        clientId: `client-${i}`,
        grant: password ? 'password' : 'client_credentials',
        clientAuth: password ? 'none' : 'client_secret_post',
        useRefreshToken: password,
        expectedLifetimeSeconds: FLEET_LIFETIMES_SECONDS[i % FLEET_LIFETIMES_SECONDS.length]!,
      };
    }),
  };
}
