/**
 * Writes a providers file of a generic fleet (`npm run -s fleet-file -- 200 > fleet.json`): the size
 * that `synth`, `plan` and the fleet tests are measured on. A realistic mix: tokens of 5 minutes to a
 * day, password grants with refresh tokens and client_credentials, each with its own credentials.
 */
export interface FleetEntry {
  readonly id: string;
  readonly preset: 'generic';
  readonly tokenEndpoint: string;
  readonly clientId: string;
  readonly grant: 'password' | 'client_credentials';
  readonly clientAuth: 'none' | 'client_secret_post';
  readonly useRefreshToken: boolean;
  readonly expectedLifetimeSeconds: number;
}

/** Lifetimes in the proportions seen among IdP defaults: Keycloak 5 min, Azure/Okta 1 h, daily API keys. */
const LIFETIMES = [300, 900, 3600, 3600, 86_400];

export function fleetProviders(count: number): FleetEntry[] {
  return Array.from({ length: count }, (_, i) => {
    const password = i % 2 === 0;
    return {
      id: `tenant-${String(i).padStart(3, '0')}`,
      preset: 'generic',
      tokenEndpoint: `https://idp-${i % 7}.example.com/oauth2/token`,
      clientId: `client-${i}`,
      grant: password ? 'password' : 'client_credentials',
      clientAuth: password ? 'none' : 'client_secret_post',
      useRefreshToken: password,
      expectedLifetimeSeconds: LIFETIMES[i % LIFETIMES.length]!,
    };
  });
}

if (process.argv[1] === import.meta.filename) {
  const count = Number(process.argv[2] ?? 200);
  if (!Number.isInteger(count) || count < 1) {
    console.error('usage: npm run -s fleet-file -- [<number of providers, default 200>] > fleet.json');
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify({ providers: fleetProviders(count) }, null, 2)}\n`);
}
