import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ProviderEntry, ProvidersFileError, parseProvidersFile } from '../../../contract/providers-file.js';

const shipped = JSON.parse(readFileSync(new URL('../../../providers.json', import.meta.url), 'utf8'));

function problems(providers: unknown[]): string[] {
  try {
    parseProvidersFile({ providers }, 'providers.json');
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
  it('lets every preset field be overridden, e.g. a loopback token endpoint for tests', () => {
    const [p] = parseProvidersFile({
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
    });

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
  it('fails for a plain-http endpoint on a non-loopback host', () => {
    expect(problems([{ ...nagra, baseUrl: 'http://ovp.example.com' }])).toEqual([
      'provider "nagra-prod" (providers[0]), field "baseUrl": got "http://ovp.example.com": must be an https:// URL without user info (http:// is allowed only on localhost, 127.0.0.1 and [::1])',
    ]);
  });

  it.each(['http://localhost:8080/token', 'http://127.0.0.1/token', 'http://[::1]:9000/token'])(
    'accepts loopback %s',
    (url) => {
      expect(() =>
        parseProvidersFile({ providers: [{ ...nagra, baseUrl: undefined, tokenEndpoint: url }] }),
      ).not.toThrow();
    },
  );

  it('fails for an unknown preset, listing the allowed ones', () => {
    const [p] = problems([{ id: 'x', preset: 'okta' }]);
    expect(p).toContain('provider "x" (providers[0]), field "preset": got "okta"');
    expect(p).toContain('"mediamelon"');
  });

  it('fails for an unknown field, listing the allowed ones', () => {
    const [p] = problems([{ ...nagra, password: 'hunter2' }]);
    expect(p).toContain('unknown field "password"; allowed: "id", "preset"');
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
    expect(p).toContain('the client_credentials grant needs a client secret');
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

  it('fails when the token would be due as soon as it is issued', () => {
    const [p] = problems([{ ...nagra, checkIntervalMinutes: 3 }]);
    expect(p).toContain('a 300 s token would be due as soon as it is issued');
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
