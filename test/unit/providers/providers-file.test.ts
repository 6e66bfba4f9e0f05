import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ProviderEntry } from '../../../providers/provider-entry.js';
import {
  type ParseOptions,
  ProvidersFileError,
  parseProvidersFile,
  parseStackConfig,
} from '../../../providers/providers-file.js';
import { providerSettingsSchema, requiredCredentialKeys } from '../../../contract/provider-settings.js';
import { ENCODINGS } from '../../helpers/secret-encodings.js';

const shipped = JSON.parse(readFileSync(new URL('../../../providers.json', import.meta.url), 'utf8'));

function problems(providers: unknown[], options: ParseOptions = {}): string[] {
  try {
    parseProvidersFile({ providers }, 'providers.json', options);
  } catch (e) {
    if (e instanceof ProvidersFileError) return [...e.problems];
    throw e;
  }
  throw new Error('expected the file to be rejected');
}

const nagra: ProviderEntry = {
  id: 'nagra-prod',
  preset: 'nagra',
  baseUrl: 'https://ovp.example.com:8443',
  clientId: 'crm_client',
};

describe('providers file: the shipped file', () => {
  it('resolves the five seed providers with the documented request shapes and stores', () => {
    const byId = Object.fromEntries(parseProvidersFile(shipped).map((p) => [p.settings.id, p]));

    expect(Object.keys(byId)).toEqual(['mediamelon', 'movingimage', 'nagra', 'clickview', 'mediahound']);
    expect(byId.mediamelon!.settings).toMatchObject({
      tokenEndpoint: 'https://identity.mediamelon.com/realms/mediamelon/protocol/openid-connect/token',
      clientId: 'smartsight-backend',
      grant: 'password',
      clientAuth: 'none',
      scope: 'openid',
      useRefreshToken: true,
      expectedLifetimeSeconds: 900,
    });
    expect(byId.movingimage!.settings).toMatchObject({
      clientId: 'anonymous',
      extraParams: { response_type: 'token' },
      scope: 'openid',
    });
    expect(byId.nagra!.settings.tokenEndpoint).toBe(
      'https://ovp.example.com:8443/keycloak/auth/realms/nagra/protocol/openid-connect/token',
    );
    expect(byId.clickview!.settings).toMatchObject({
      grant: 'client_credentials',
      clientAuth: 'client_secret_post',
      scope: 'smartembed.viewkey',
      useRefreshToken: false,
    });
    expect(byId.mediahound!.settings).toMatchObject({
      grant: 'client_credentials',
      clientAuth: 'client_secret_basic_raw_and_post',
    });
    expect(Object.fromEntries(Object.entries(byId).map(([id, p]) => [id, p.store]))).toEqual({
      mediamelon: 'parameterstore',
      movingimage: 'parameterstore',
      nagra: 'parameterstore',
      clickview: 'secretsmanager',
      mediahound: 'secretsmanager',
    });
  });
});

describe('providers file: overrides', () => {
  it('lets every preset field be overridden, e.g. a loopback token endpoint for local mode', () => {
    const [p] = parseProvidersFile(
      {
        providers: [
          {
            id: 'mm-staging',
            preset: 'mediamelon',
            tokenEndpoint: 'http://127.0.0.1:8080/realms/mediamelon/protocol/openid-connect/token',
            minValiditySeconds: 120,
            checkIntervalMinutes: 2,
            store: 'parameterstore',
            expectedLifetimeSeconds: 1800,
            scope: 'openid profile',
          },
        ],
      },
      'providers.json',
      { target: 'local' },
    );

    expect(p!.settings).toMatchObject({
      tokenEndpoint: 'http://127.0.0.1:8080/realms/mediamelon/protocol/openid-connect/token',
      minValiditySeconds: 120,
      checkIntervalMinutes: 2,
      safetyMarginSeconds: 120 + 95, // one interval, plus lateness and run time
      expectedLifetimeSeconds: 1800,
      lifetimeDocumented: false,
      scope: 'openid profile',
    });
  });

  it('accepts a generic provider that gives every field', () => {
    const [p] = parseProvidersFile({
      providers: [
        {
          id: 'acme',
          preset: 'generic',
          tokenEndpoint: 'https://idp.acme.test/oauth2/token',
          clientId: 'svc',
          grant: 'client_credentials',
          clientAuth: 'client_secret_basic',
          scope: 'read',
          extraParams: { audience: 'https://api.acme.test' },
          expectedLifetimeSeconds: 3600,
          credentials: { secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme-AbCdEf' },
        },
      ],
    });

    expect(p).toMatchObject({ store: 'secretsmanager', credentials: { secretArn: expect.stringContaining('acme') } });
    expect(p!.settings).toMatchObject({ extraParams: { audience: 'https://api.acme.test' }, checkIntervalMinutes: 14 });
  });
});

describe('providers file: mistakes fail with provider, field, value and what is allowed', () => {
  it.each(['aws', 'local'] as const)('fails for a plain-http endpoint on a non-loopback host (target %s)', (target) => {
    expect(problems([{ ...nagra, baseUrl: 'http://ovp.example.com' }], { target })).toEqual([
      'provider "nagra-prod" (providers[0]), field "baseUrl": got "http://ovp.example.com": must be an https:// URL without user info (plain http:// only on localhost, 127.0.0.1 or [::1], and only in local mode)',
    ]);
  });

  it.each(['http://localhost:8080/token', 'http://127.0.0.1/token', 'http://[::1]:9000/token'])(
    'accepts loopback %s in local mode (run, check, the demo)',
    (url) => {
      const [p] = parseProvidersFile({ providers: [{ ...nagra, baseUrl: undefined, tokenEndpoint: url }] }, 'p.json', {
        target: 'local',
      });
      expect(p!.settings.tokenEndpoint).toBe(url);
    },
  );

  it.each([
    ['tokenEndpoint', 'http://localhost:8080/token'],
    ['tokenEndpoint', 'http://127.0.0.1/token'],
    ['tokenEndpoint', 'http://[::1]:9000/token'],
    ['baseUrl', 'http://127.0.0.1:8443'],
  ])('refuses loopback http in %s for a deployment, the default, and says it is for local mode: %s', (field, url) => {
    const entry = { ...nagra, baseUrl: undefined, [field]: url };
    const expected = [
      `provider "nagra-prod" (providers[0]), field "${field}": got ${JSON.stringify(url)}: must be an https:// URL ` +
        'when deployed: plain http:// on a loopback host is for local mode only (token-refresher run, check, the ' +
        "demo); in AWS it would reach the function's own sandbox, not this machine: give the IdP's https:// URL",
    ];
    expect(problems([entry])).toEqual(expected);
    expect(problems([entry], { target: 'aws' })).toEqual(expected);
  });

  it.each(['https://localhost/token', 'https://127.0.0.1:8443/token', 'https://[::1]/token'])(
    'refuses a loopback host over https too for a deployment, and accepts it in local mode: %s',
    (url) => {
      const entry = { ...nagra, baseUrl: undefined, tokenEndpoint: url };
      expect(problems([entry])).toEqual([
        `provider "nagra-prod" (providers[0]), field "tokenEndpoint": got ${JSON.stringify(url)}: must name the ` +
          "IdP's host when deployed: a loopback host is for local mode only (token-refresher run, check, the demo); " +
          "in AWS it would reach the function's own sandbox, not this machine: give the IdP's https:// URL",
      ]);
      const [local] = parseProvidersFile({ providers: [entry] }, 'p.json', { target: 'local' });
      expect(local!.settings.tokenEndpoint).toBe(url);
    },
  );

  it('fails for an unknown preset, listing the allowed ones', () => {
    const [p] = problems([{ id: 'x', preset: 'auth0' }]);
    expect(p).toContain('provider "x" (providers[0]), field "preset": got "auth0"');
    expect(p).toContain('"mediamelon"');
    expect(p).toContain('"salesforce-jwt"');
  });

  it('says what each signed-assertion preset needs besides its defaults', () => {
    const base = { id: 'x', clientId: 'c', signingKey: 'credentials' };
    expect(problems([{ ...base, preset: 'okta', issuer: 'https://example.okta.com/oauth2/default' }])[0]).toContain(
      'field "scope": got nothing: preset "okta" needs "scope"',
    );
    expect(
      problems([
        {
          ...base,
          preset: 'entra-id',
          tokenEndpoint: 'https://login.microsoftonline.com/t/oauth2/v2.0/token',
          scope: 'https://graph.microsoft.com',
        },
      ])[0],
    ).toContain('"<resource>/.default"');
    expect(problems([{ ...base, preset: 'google-service-account' }])[0]).toContain(
      'preset "google-service-account" needs "scope"',
    );
    expect(problems([{ ...base, preset: 'salesforce-jwt' }])[0]).toContain('field "assertion.subject"');
  });

  it("google-oauth: Google's endpoints, offline consent on the authorization request, a scope required", () => {
    const [resolved] = parseProvidersFile({
      providers: [{ id: 'g', preset: 'google-oauth', clientId: 'c', scope: 'https://www.googleapis.com/auth/drive' }],
    });
    expect(resolved!.settings).toMatchObject({
      tokenEndpoint: 'https://oauth2.googleapis.com/token',
      authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
      deviceAuthorizationEndpoint: 'https://oauth2.googleapis.com/device/code',
      authorizationParams: { access_type: 'offline', prompt: 'consent' },
      grant: 'refresh_token',
      clientAuth: 'client_secret_post',
      useRefreshToken: true,
      expectedLifetimeSeconds: 3600,
    });
    const [own] = parseProvidersFile({
      providers: [
        { id: 'g', preset: 'google-oauth', clientId: 'c', scope: 's', authorizationParams: { login_hint: 'a@b' } },
      ],
    });
    expect(own!.settings.authorizationParams).toEqual({ access_type: 'offline', prompt: 'consent', login_hint: 'a@b' });
    expect(problems([{ id: 'g', preset: 'google-oauth', clientId: 'c' }])[0]).toContain(
      'field "scope": got nothing: preset "google-oauth" needs "scope"',
    );
  });

  it("microsoft-graph-delegated: the tenant's issuer, offline_access in the scope, one tenant", () => {
    const base = { id: 'm', preset: 'microsoft-graph-delegated', clientId: 'c' };
    const issuer = 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0';
    const [resolved] = parseProvidersFile({
      providers: [{ ...base, issuer, scope: 'offline_access https://graph.microsoft.com/Mail.Read' }],
    });
    expect(resolved!.settings).toMatchObject({ issuer, grant: 'refresh_token', clientAuth: 'none' });
    expect(resolved!.settings.authorizationParams).toBeUndefined();
    expect(problems([{ ...base, issuer, scope: 'https://graph.microsoft.com/Mail.Read' }])[0]).toContain(
      'preset "microsoft-graph-delegated" needs "scope" with "offline_access"',
    );
    expect(
      problems([
        { ...base, issuer: 'https://login.microsoftonline.com/common/v2.0', scope: 'offline_access User.Read' },
      ])[0],
    ).toContain(
      'field "issuer": got "https://login.microsoftonline.com/common/v2.0": preset "microsoft-graph-delegated" needs one tenant',
    );
  });

  it('generic with grant refresh_token: every endpoint and parameter given explicitly', () => {
    const [resolved] = parseProvidersFile({
      providers: [
        {
          id: 'x',
          preset: 'generic',
          tokenEndpoint: 'https://idp.example.com/oauth/token',
          authorizationEndpoint: 'https://idp.example.com/oauth/authorize',
          authorizationParams: { audience: 'api' },
          clientId: 'c',
          grant: 'refresh_token',
          clientAuth: 'none',
          expectedLifetimeSeconds: 1800,
        },
      ],
    });
    expect(resolved!.settings).toMatchObject({
      authorizationEndpoint: 'https://idp.example.com/oauth/authorize',
      authorizationParams: { audience: 'api' },
      grant: 'refresh_token',
      useRefreshToken: true,
    });
    expect(resolved!.settings.deviceAuthorizationEndpoint).toBeUndefined();
  });

  it.each([
    ['redirect_uri', 'must not set "redirect_uri": token-refresher connect sends'],
    ['State', 'must not set "State"'],
    ['code_challenge', 'must not set "code_challenge"'],
    ['scope', 'must not set "scope"'],
    ['client_secret', '"client_secret" looks like a secret'],
    ['id_token_hint', '"id_token_hint" looks like a secret'],
  ])('refuses authorizationParams "%s"', (name, message) => {
    const entry = { id: 'g', preset: 'google-oauth', clientId: 'c', scope: 's', authorizationParams: { [name]: 'v' } };
    const [p] = problems([entry]);
    expect(p).toContain('field "authorizationParams"');
    expect(p).toContain(message);
  });

  it.each([
    ['https://login.salesforce.com/services/oauth2/token', 'https://login.salesforce.com'],
    ['https://acme.my.salesforce.com/services/oauth2/token', 'https://login.salesforce.com'],
    ['https://test.salesforce.com/services/oauth2/token', 'https://test.salesforce.com'],
    ['https://acme--dev.sandbox.my.salesforce.com/services/oauth2/token', 'https://test.salesforce.com'],
  ])('salesforce-jwt at %s addresses its assertions to %s', (tokenEndpoint, audience) => {
    const [resolved] = parseProvidersFile({
      providers: [
        {
          id: 'sf',
          preset: 'salesforce-jwt',
          tokenEndpoint,
          clientId: 'c',
          signingKey: 'kms',
          assertion: { subject: 'u@x' },
        },
      ],
    });
    expect(resolved!.settings.assertion).toMatchObject({ audience, subject: 'u@x', signingKey: 'kms' });
  });

  it.each(['aws', 'local'] as const)(
    'fails for an unknown field, suggesting the closest one and listing the allowed ones (target %s)',
    (target) => {
      expect(problems([{ ...nagra, clientid: 'x', minValidity: 60, bogus: 1 }], { target })).toEqual([
        expect.stringContaining(
          'provider "nagra-prod" (providers[0]): unknown field "clientid" (did you mean "clientId"?); allowed: "id", "preset"',
        ),
        expect.stringContaining('unknown field "minValidity" (did you mean "minValiditySeconds"?)'),
        expect.stringMatching(/unknown field "bogus"; allowed: "id"/),
      ]);
    },
  );

  it('suggests the closest preset, and any other allowed value, for a typo', () => {
    const [preset, store] = problems([
      { id: 'n', preset: 'nagar' },
      { ...nagra, store: 'parameterstor' },
    ]);
    expect(preset).toMatch(/field "preset": got "nagar": .* \(did you mean "nagra"\?\)$/);
    expect(store).toMatch(/field "store": got "parameterstor": .* \(did you mean "parameterstore"\?\)$/);
  });

  it.each([
    ['clientSecret', '"client_secret"'],
    ['client_secret', '"client_secret"'],
    ['secret', '"client_secret"'],
    ['password', '"password"'],
    ['username', '"username"'],
  ])(
    'says that a secret (%s) never goes into the file, and where it goes: %s in the credentials secret',
    (field, key) => {
      const [p] = problems([{ ...nagra, [field]: 'hunter2' }]);
      expect(p).toBe(
        `provider "nagra-prod" (providers[0]), field "${field}": secrets never go into the providers file (it ends up in ` +
          "the CloudFormation template and the function's environment): put it into the provider's credentials " +
          `secret as the JSON key ${key} ("credentials.secretName" or "credentials.secretArn" names it, else the ` +
          'stack creates "token-refresher/<id>/credentials" for you to fill)',
      );
      expect(p).not.toContain('hunter2');
    },
  );

  it.each(['refreshToken', 'accessToken'])('says that the refresher obtains tokens (%s) itself', (field) => {
    const [p] = problems([{ ...nagra, [field]: 'eyJ-a-token' }]);
    expect(p).toContain(`field "${field}": secrets never go into the providers file`);
    expect(p).toContain('tokens are never configured: the refresher obtains and renews them itself');
    expect(p).not.toContain('eyJ-a-token');
  });

  it('says to wrap a top-level list in {"providers": [...]}', () => {
    expect(() => parseProvidersFile([nagra], 'p.json')).toThrow(
      'p.json: 1 problem:\n  - the file: got a list: wrap it in an object, {"providers": [ ...your entries... ]}',
    );
  });

  it('takes grant "refresh_token" (a connected provider) only with its refresh token kept', () => {
    const [resolved] = parseProvidersFile({ providers: [{ ...nagra, grant: 'refresh_token' }] }, 'providers.json');
    expect(resolved!.settings).toMatchObject({ grant: 'refresh_token', useRefreshToken: true });
    expect(problems([{ ...nagra, grant: 'refresh_token', useRefreshToken: false }])).toEqual([
      'provider "nagra-prod" (providers[0]), field "useRefreshToken": got false: the refresh_token grant lives on ' +
        'the refresh token a person connected (token-refresher connect): remove it or set it to true',
    ]);
  });

  it('fails when a required field for the preset is missing', () => {
    expect(problems([{ id: 'cv', preset: 'clickview' }])).toEqual([
      'provider "cv" (providers[0]), field "clientId": got nothing: preset "clickview" needs "clientId" (the OAuth client id)',
    ]);
  });

  it('fails for a generic provider without its fields, naming each', () => {
    const found = problems([{ id: 'g', preset: 'generic' }]);
    expect(found.map((p) => /field "(\w+)"/.exec(p)?.[1])).toEqual([
      'tokenEndpoint',
      'clientId',
      'grant',
      'clientAuth',
      'expectedLifetimeSeconds',
    ]);
  });

  it('fails for client_credentials without a client secret method', () => {
    const [p] = problems([{ id: 'cv', preset: 'clickview', clientId: 'c', clientAuth: 'none' }]);
    expect(p).toContain('the client_credentials grant needs client authentication');
  });

  it('fails for an extra parameter that would replace one the refresher sets', () => {
    const [p] = problems([{ ...nagra, extraParams: { grant_type: 'implicit' } }]);
    expect(p).toContain('field "extraParams": got {"grant_type":"implicit"}: must not set "grant_type"');
  });

  it('fails when Secrets Manager is forced for a 5-minute token, explaining the version quota', () => {
    const [p] = problems([{ ...nagra, store: 'secretsmanager' }]);
    expect(p).toContain('provider "nagra-prod" (providers[0]), field "store": got "secretsmanager"');
    expect(p).toContain('100 versions per secret');
  });

  it('blames the interval the user set, not the lifetime the preset gives, when a token would be due at once', () => {
    expect(problems([{ ...nagra, checkIntervalMinutes: 3 }])).toEqual([
      'provider "nagra-prod" (providers[0]), field "checkIntervalMinutes": got 3: a 300 s token (preset "nagra"\'s ' +
        'documented lifetime; "expectedLifetimeSeconds" is not set) would be due as soon as it is issued: renewal ' +
        'starts at minValiditySeconds (60) + checkIntervalMinutes (3) x 60 + safetyMarginSeconds (275, the least ' +
        'allowed: one interval + 95 s) = 515 s; you set "checkIntervalMinutes" 3; use "checkIntervalMinutes" at ' +
        'most 1, or a longer-lived token',
    ]);
  });

  it('blames minValiditySeconds when that is what the user set, and says how low it must go', () => {
    const [p] = problems([{ ...nagra, minValiditySeconds: 200 }]);
    expect(p).toMatch(/^provider "nagra-prod" \(providers\[0\]\), field "minValiditySeconds": got 200: a 300 s token/);
    expect(p).toContain('use "minValiditySeconds" at most 84, or a longer-lived token');
    // At most 84 really is the bound: 84 resolves, 85 does not.
    expect(() => parseProvidersFile({ providers: [{ ...nagra, minValiditySeconds: 84 }] })).not.toThrow();
    expect(problems([{ ...nagra, minValiditySeconds: 85 }])).toHaveLength(1);
  });

  it('asks to lower both when no single field the user set can fix it', () => {
    const [p] = problems([{ ...nagra, minValiditySeconds: 100, checkIntervalMinutes: 2 }]);
    expect(p).toContain('field "checkIntervalMinutes": got 2');
    expect(p).toContain(
      'you set "checkIntervalMinutes" 2, "minValiditySeconds" 100; use lower values of "checkIntervalMinutes" and ' +
        '"minValiditySeconds", or a longer-lived token',
    );
  });

  it('blames expectedLifetimeSeconds only when the user set it and nothing else', () => {
    const [p] = problems([{ ...nagra, expectedLifetimeSeconds: 200 }]);
    expect(p).toMatch(/field "expectedLifetimeSeconds": got 200: a 200 s token \("expectedLifetimeSeconds"\)/);
    expect(p).toContain('use a longer "expectedLifetimeSeconds" if the server grants it');
  });

  it('fails for duplicate ids and reports every entry in one go', () => {
    const found = problems([nagra, { ...nagra }, { id: 'BAD', preset: 'nagra' }]);
    expect(found).toHaveLength(2);
    expect(found[0]).toContain('ids must be unique; providers[0] already uses it');
    expect(found[1]).toContain('provider "BAD" (providers[2]), field "id"');
  });

  it('fails for a file without providers', () => {
    expect(() => parseProvidersFile({ providers: [] }, 'p.json')).toThrow(
      'p.json: 1 problem:\n  - the file, field "providers": got []: must list at least one provider',
    );
  });
});

describe('providers file: holes that would deploy something wrong', () => {
  it('refuses a NAGRA baseUrl with a path, which the preset would double up', () => {
    expect(problems([{ ...nagra, baseUrl: 'https://ovp.example.com:8443/keycloak' }])).toEqual([
      `provider "nagra-prod" (providers[0]), field "baseUrl": got "https://ovp.example.com:8443/keycloak": must be the server's origin only, like "https://ovp.example.com:8443": the preset appends the token path itself; to use another path, set "tokenEndpoint" instead`,
    ]);
  });

  it('refuses a NAGRA baseUrl with a query, once', () => {
    const found = problems([{ ...nagra, baseUrl: 'https://ovp.example.com:8443/?realm=x' }]);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('field "baseUrl"');
    expect(found[0]).toContain('must not have a query string');
  });

  it('accepts a NAGRA baseUrl with a trailing slash', () => {
    const [p] = parseProvidersFile({ providers: [{ ...nagra, baseUrl: 'https://ovp.example.com:8443/' }] });
    expect(p!.settings.tokenEndpoint).toBe(
      'https://ovp.example.com:8443/keycloak/auth/realms/nagra/protocol/openid-connect/token',
    );
  });

  it.each([' https://idp.acme.test/token', 'https://idp.acme.test/token\n'])(
    'refuses an endpoint with white space around it (%j)',
    (tokenEndpoint) => {
      expect(problems([{ id: 'g', preset: 'clickview', clientId: 'c', tokenEndpoint }])).toEqual([
        `provider "g" (providers[0]), field "tokenEndpoint": got ${JSON.stringify(tokenEndpoint)}: has white space around it: remove it`,
      ]);
    },
  );

  it('refuses a query string in the token endpoint, which would put its values into the template', () => {
    const [p] = problems([
      { id: 'g', preset: 'clickview', clientId: 'c', tokenEndpoint: 'https://idp.acme.test/token?client_secret=x' },
    ]);
    expect(p).toContain('field "tokenEndpoint"');
    expect(p).toContain('must not have a query string');
    expect(p).toContain('secrets in the credentials secret');
  });

  it.each(['client_secret', 'Client_Secret', 'PASSWORD', 'client_assertion', 'api_key', 'x-refresh-token'])(
    'refuses the secret-like extra parameter %s and says where secrets go',
    (name) => {
      const [p] = problems([{ ...nagra, extraParams: { [name]: 'value' } }]);
      expect(p).toContain('field "extraParams"');
      expect(p).toMatch(/credentials secret/);
    },
  );

  it.each([
    ['scope', { scope: 'openid\nprofile' }, '"openid\\nprofile"', 'a line feed (\\n) at character 7'],
    ['scope', { scope: 'openid\r\n' }, '"openid\\r\\n"', 'a carriage return (\\r) at character 7'],
    ['scope', { scope: 'openid\tprofile' }, '"openid\\tprofile"', 'a tab (\\t) at character 7'],
    ['scope', { scope: 'openid\u2028profile' }, '"openid\u2028profile"', 'U+2028 at character 7'],
    ['clientId', { clientId: 'crm_client\n' }, '"crm_client\\n"', 'a line feed (\\n) at character 11'],
    ['clientId', { clientId: 'crm\u0000' }, '"crm\\u0000"', 'a NUL (\\u0000) at character 4'],
    [
      'extraParams.audience',
      { extraParams: { audience: 'api\r\nX-Injected: 1' } },
      '"api\\r\\nX-Injected: 1"',
      'a carriage return (\\r) at character 4',
    ],
    ['extraParams.resource', { extraParams: { resource: 'urn:x\u0085' } }, '"urn:x\u0085"', 'U+0085 at character 6'],
  ])(
    'refuses a control character in %s, which would be sent to the token endpoint (%j)',
    (field, fields, shown, found) => {
      expect(problems([{ ...nagra, ...fields }])).toEqual([
        `provider "nagra-prod" (providers[0]), field "${field}": got ${shown}: must not contain a line break, a tab or ` +
          `another control character: found ${found}; remove it`,
      ]);
    },
  );

  it('refuses a line break inside the token endpoint, which the URL parser would drop without a word', () => {
    const [p] = problems([{ ...nagra, baseUrl: undefined, tokenEndpoint: 'https://idp.example.com/to\nken' }]);
    expect(p).toBe(
      'provider "nagra-prod" (providers[0]), field "tokenEndpoint": got "https://idp.example.com/to\\nken": must not ' +
        'contain a line break, a tab or another control character: found a line feed (\\n) at character 27; remove it',
    );
  });

  it('still accepts a scope of several space-separated values and non-ASCII text', () => {
    const [p] = parseProvidersFile({
      providers: [{ ...nagra, scope: 'openid profile api://x/.default', extraParams: { audience: 'Zürich API' } }],
    });
    expect(p!.settings).toMatchObject({
      scope: 'openid profile api://x/.default',
      extraParams: { audience: 'Zürich API' },
    });
  });

  it('still accepts ordinary extra parameters such as audience and response_type', () => {
    expect(() =>
      parseProvidersFile({ providers: [{ ...nagra, extraParams: { audience: 'api', response_type: 'token' } }] }),
    ).not.toThrow();
  });

  it('refuses two providers that share one credentials secret', () => {
    const credentials = { secretName: 'team/shared-login' };
    expect(
      problems([
        { ...nagra, credentials },
        { ...nagra, id: 'nagra-dr', credentials },
      ]),
    ).toEqual([
      'provider "nagra-dr", field "credentials": got "team/shared-login": provider "nagra-prod" already uses this secret; give each provider its own credentials secret (their lockout guards and logins must not overlap)',
    ]);
  });

  it.each([
    [['ab1', 'ab-1'], 'provider "ab-1": construct id "Ab1"', 'already used by provider "ab1"'],
    [['alarm-topic'], 'provider "alarm-topic": construct id "AlarmTopic"', "already the stack's own AlarmTopic"],
    [['dashboard'], 'provider "dashboard": construct id "Dashboard"', "already the stack's own Dashboard"],
    [['a', 'a-token-source'], 'provider "a-token-source": construct id "ATokenSource"', 'already used by provider "a"'],
  ])('refuses ids %j that collide as construct ids, as a message rather than a stack trace', (ids, start, end) => {
    const found = problems(ids.map((id) => ({ ...nagra, id })));
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(start);
    expect(found[0]).toContain(end);
    expect(found[0]).toContain('rename the provider');
  });
});

describe('providers file: credentials written into the file', () => {
  /** A password with every character class an encoding changes: quotes, markup, percent, space, non-ASCII. */
  const PASSWORD = `p"<>&'%w d Zürich-密码-🔑`;
  const FIX =
    '"credentials" takes only the Secrets Manager secret that holds the credentials, {"secretName": "…"} or ' +
    '{"secretArn": "…"}; put the credentials into that secret as JSON, {"username": "…", "password": "…"} or ' +
    '{"client_secret": "…"} as the preset needs, with aws secretsmanager put-secret-value --secret-id <secret> ' +
    '--secret-string file://creds.json (README.md, "Deploy"); or leave "credentials" out and fill the secret ' +
    '"token-refresher/<id>/credentials" that the stack creates';

  it('says that credentials names a secret, that secrets never go into the file, and how to fill the secret', () => {
    expect(problems([{ ...nagra, credentials: { username: 'ops@example.com', password: PASSWORD } }])).toEqual([
      'provider "nagra-prod" (providers[0]), field "credentials": got "username", "password": secrets never go into ' +
        `the providers file (it ends up in the CloudFormation template and the function's environment): ${FIX}`,
    ]);
  });

  it.each(Object.entries(ENCODINGS))('never shows the password, %s', (_, encode) => {
    const found = [
      ...problems([{ ...nagra, credentials: { username: 'ops@example.com', password: PASSWORD } }]),
      ...problems([{ ...nagra, credentials: { secretName: 'token-refresher/x/credentials', password: PASSWORD } }]),
      ...problems([{ ...nagra, credentials: { user: 'ops', pass: PASSWORD, clientSecret: PASSWORD } }]),
      ...problems([{ ...nagra, credentials: PASSWORD }]),
      ...problems([{ ...nagra, credentials: [PASSWORD] }]),
      // Nested under credentials, or pasted where a secret's name belongs.
      ...problems([{ ...nagra, credentials: { secretName: { password: PASSWORD } } }]),
      ...problems([{ ...nagra, credentials: { secretName: PASSWORD } }]),
      ...problems([{ ...nagra, credentials: { secretArn: PASSWORD } }]),
    ].join('\n');
    expect(found).toContain('secrets never go into the providers file');
    expect(found).not.toContain(encode(PASSWORD));
    expect(found).not.toContain(encode('Zürich-密码'));
  });

  it('names the kind of a bad value under credentials, never the value', () => {
    expect(problems([{ ...nagra, credentials: { secretName: PASSWORD } }])).toEqual([
      'provider "nagra-prod" (providers[0]), field "credentials.secretName": got a string (not shown: it may be a ' +
        'secret): must be a Secrets Manager secret name (A-Z a-z 0-9 / _ + = . @ -)',
    ]);
  });

  it('says what credentials takes when it is not an object, without showing it', () => {
    expect(problems([{ ...nagra, credentials: PASSWORD }])).toEqual([
      `provider "nagra-prod" (providers[0]), field "credentials": got a string: ${FIX}`,
    ]);
  });

  it('lists secretName and secretArn, not the provider fields, for another unknown key in credentials', () => {
    expect(problems([{ ...nagra, credentials: { secretname: 'team/login', region: 'eu-west-1' } }])).toEqual([
      'provider "nagra-prod" (providers[0]), field "credentials": unknown field "secretname" (did you mean ' +
        '"secretName"?); allowed: "secretName", "secretArn"',
      'provider "nagra-prod" (providers[0]), field "credentials": unknown field "region"; allowed: "secretName", "secretArn"',
    ]);
  });
});

describe('providers file: stage-wide settings', () => {
  it('takes the runbook URL the alarm descriptions link to', () => {
    const config = parseStackConfig({
      runbookUrl: 'https://wiki.example.com/token-refresher/runbook',
      providers: [nagra],
    });
    expect(config.runbookUrl).toBe('https://wiki.example.com/token-refresher/runbook');
  });

  it('refuses a runbook URL the anchors cannot be appended to', () => {
    expect(() =>
      parseStackConfig({ runbookUrl: 'https://wiki.example.com/runbook#alarms', providers: [nagra] }),
    ).toThrow(
      'field "runbookUrl": got "https://wiki.example.com/runbook#alarms": must be an https:// URL without a fragment',
    );
  });
});

describe('providers file: signed assertions', () => {
  const generic = {
    id: 'sa',
    preset: 'generic',
    tokenEndpoint: 'https://idp.example.com/oauth2/token',
    clientId: 'svc',
    grant: 'client_credentials',
    expectedLifetimeSeconds: 3600,
  };
  const resolve = (fields: Record<string, unknown>) =>
    parseProvidersFile({ providers: [{ ...generic, ...fields }] }, 'providers.json')[0]!.settings;

  it('private_key_jwt with no key source names "signingKey" and both fixes', () => {
    const [p] = problems([{ ...generic, clientAuth: 'private_key_jwt' }]);
    expect(p).toContain('field "signingKey"');
    expect(p).toContain('"kms"');
    expect(p).toContain('"credentials"');
  });

  it('the jwt_bearer grant with useRefreshToken true says to set it false', () => {
    const [p] = problems([
      { ...generic, grant: 'jwt_bearer', clientAuth: 'none', useRefreshToken: true, signingKey: 'kms' },
    ]);
    expect(p).toContain('field "useRefreshToken": got true');
    expect(p).toContain('set it to false');
  });

  it('a signing key with client_secret_jwt, a subject outside jwt_bearer, an assertion nothing signs, a long lifetime', () => {
    expect(problems([{ ...generic, clientAuth: 'client_secret_jwt', signingKey: 'kms' }])[0]).toContain(
      'client_secret_jwt signs with the client secret (HS256): remove "signingKey"',
    );
    expect(
      problems([{ ...generic, clientAuth: 'private_key_jwt', signingKey: 'kms', assertion: { subject: 'x' } }])[0],
    ).toContain('field "assertion.subject"');
    expect(problems([{ ...generic, clientAuth: 'client_secret_post', assertion: { audience: 'x' } }])[0]).toContain(
      'field "assertion"',
    );
    expect(
      problems([
        { ...generic, clientAuth: 'private_key_jwt', signingKey: 'kms', assertion: { lifetimeSeconds: 7200 } },
      ])[0],
    ).toContain('must be at most 3600 seconds');
  });

  it('resolves each method with the credentials keys it needs', () => {
    const keys = (fields: Record<string, unknown>) => requiredCredentialKeys(resolve(fields));
    expect(keys({ clientAuth: 'private_key_jwt', signingKey: 'kms' })).toEqual([]);
    expect(keys({ clientAuth: 'private_key_jwt', signingKey: 'credentials' })).toEqual(['private_key']);
    expect(keys({ clientAuth: 'client_secret_jwt' })).toEqual(['client_secret']);
    expect(
      keys({
        grant: 'password',
        clientAuth: 'private_key_jwt',
        useRefreshToken: true,
        signingKey: 'kms',
      }),
    ).toEqual(['username', 'password']);
    expect(
      keys({
        grant: 'jwt_bearer',
        clientAuth: 'none',
        useRefreshToken: false,
        signingKey: 'credentials',
      }),
    ).toEqual(['private_key']);
  });

  it('the function refuses the same settings at cold start', () => {
    const settings = resolve({ clientAuth: 'private_key_jwt', signingKey: 'kms' });
    const parsed = providerSettingsSchema.safeParse({ ...settings, assertion: undefined });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path).toEqual(['assertion', 'signingKey']);
  });
});
