/**
 * Properties of the names contract/naming.ts gives AWS resources: two different (stage, provider id)
 * pairs, or (prefix, provider id) pairs, never share a name of any kind, and every name fits the
 * limits AWS sets for its kind. The generators build stages, ids and prefixes from a few short
 * segments, so that pairs whose names meet when joined by `-` (stage `x` + `nagra`, default stage +
 * `x-nagra`) come up in nearly every run.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_NAME_PREFIX,
  dashboardName,
  dashboardNameProblem,
  namePrefixProblem,
  type ProviderResourceNames,
  providerResourceNames,
  stageNames,
  stageProblem,
} from '../../../contract/naming.js';
import { providerSettingsSchema } from '../../../contract/provider-settings.js';
import { ALARM_KINDS } from '../../../contract/refresher-manifest.js';

const PROVIDER_ID = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
const STAGE = /^[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?$/;
const NAME_PREFIX = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,38}[A-Za-z0-9])?$/;
/** The longest name AWS allows, by kind: EventBridge Scheduler, CloudWatch alarms, Secrets Manager, SSM, KMS. */
const NAME_LIMITS = { schedule: 64, alarm: 255, secret: 512, parameter: 1011, alias: 256 } as const;

/** Every name one provider gets, by kind. */
function byKind(names: ProviderResourceNames): Record<string, string> {
  const { alarmNames, ...rest } = names;
  return { ...rest, ...Object.fromEntries(ALARM_KINDS.map((kind) => [`alarm ${kind}`, alarmNames[kind]])) };
}

const namesOf = (stage: string | undefined, providerId: string) =>
  byKind(providerResourceNames(stageNames(stage).namePrefix, providerId));

const segment = fc.constantFrom('x', 'a', 'nagra', 'prod', '1', 'token', 'refresher');
const joined = (separators: fc.Arbitrary<string>, maxLength: number) =>
  fc
    .array(fc.tuple(segment, separators), { minLength: 1, maxLength: 5 })
    .map((parts) => parts.map(([text, separator], i) => (i === 0 ? text : separator + text)).join(''))
    .filter((text) => text.length <= maxLength);

/** Long ids that differ only in their last characters: the part a name cut to its limit loses. */
const longProviderId = fc.stringMatching(/^[a-z0-9]{1,6}$/).map((tail) => `${'p'.repeat(33)}-${tail}`);
const providerId = fc.oneof(joined(fc.constant('-'), 40), fc.stringMatching(PROVIDER_ID), longProviderId);
const stage = fc.option(fc.oneof(joined(fc.constant('-'), 20), fc.stringMatching(STAGE)), {
  nil: undefined,
});
/** Prefixes of every character a prefix may have, the default and the stages' among them. */
const prefix = fc
  .oneof(
    fc.constant(DEFAULT_NAME_PREFIX),
    stage.map((s) => stageNames(s).namePrefix),
    joined(fc.constantFrom('-', '_', '.'), 40),
    fc.stringMatching(NAME_PREFIX),
    // Long enough that a schedule name must be cut
    fc.stringMatching(/^[a-z][a-z0-9_.-]{28,38}[a-z0-9]$/),
  )
  .filter((p) => namePrefixProblem(p) === undefined);

/** Two pairs whose `-`-joined text is the same: one list of segments, cut in two places. */
const sameJoinedText = fc
  .array(segment, { minLength: 2, maxLength: 6 })
  .chain((parts) =>
    fc.tuple(
      fc.constant(parts),
      fc.integer({ min: 0, max: parts.length - 1 }),
      fc.integer({ min: 0, max: parts.length - 1 }),
    ),
  )
  .map(([parts, cutA, cutB]) =>
    [cutA, cutB].map((cut) => ({
      stage: cut === 0 ? undefined : parts.slice(0, cut).join('-'),
      providerId: parts.slice(cut).join('-'),
    })),
  )
  .filter(([a, b]) =>
    [a!, b!].every(
      (p) => (p.stage === undefined || stageProblem(p.stage) === undefined) && PROVIDER_ID.test(p.providerId),
    ),
  );

function expectNoSharedName(a: Record<string, string>, b: Record<string, string>): void {
  for (const kind of Object.keys(a)) expect(a[kind], kind).not.toBe(b[kind]);
}

describe('provider resource names', () => {
  it('generates only valid stages and provider ids', () => {
    fc.assert(
      fc.property(stage, providerId, (s, id) => {
        expect(s === undefined || stageProblem(s) === undefined).toBe(true);
        expect(providerSettingsSchema.shape.id.safeParse(id).success).toBe(true);
      }),
    );
  });

  it('differ in every kind for any two different (stage, provider id) pairs', () => {
    fc.assert(
      fc.property(stage, providerId, stage, providerId, (stageA, idA, stageB, idB) => {
        fc.pre(stageA !== stageB || idA !== idB);
        expectNoSharedName(namesOf(stageA, idA), namesOf(stageB, idB));
      }),
      { numRuns: 3000 },
    );
  });

  it('differ in every kind for pairs whose stage and id joined by "-" are the same text', () => {
    fc.assert(
      fc.property(sameJoinedText, ([a, b]) => {
        fc.pre(a!.stage !== b!.stage);
        expectNoSharedName(namesOf(a!.stage, a!.providerId), namesOf(b!.stage, b!.providerId));
      }),
      { numRuns: 3000 },
    );
  });

  it('differ in every kind for any two different (name prefix, provider id) pairs', () => {
    fc.assert(
      fc.property(prefix, providerId, prefix, providerId, (prefixA, idA, prefixB, idB) => {
        fc.pre(prefixA !== prefixB || idA !== idB);
        expectNoSharedName(byKind(providerResourceNames(prefixA, idA)), byKind(providerResourceNames(prefixB, idB)));
      }),
      { numRuns: 5000 },
    );
  });

  it('differ in every kind for two different provider ids of one prefix, long ones too', () => {
    fc.assert(
      fc.property(prefix, providerId, providerId, (p, idA, idB) => {
        fc.pre(idA !== idB);
        expectNoSharedName(byKind(providerResourceNames(p, idA)), byKind(providerResourceNames(p, idB)));
      }),
      { numRuns: 3000 },
    );
  });

  it('fit the length and the characters AWS allows for each kind', () => {
    const longest = fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9-]{38}[a-z0-9]$/), providerId);
    fc.assert(
      fc.property(prefix, longest, (p, id) => {
        const names = providerResourceNames(p, id);
        expect(names.scheduleName.length).toBeLessThanOrEqual(NAME_LIMITS.schedule);
        expect(names.scheduleName).toMatch(/^[0-9a-zA-Z_.-]+$/);
        for (const alarm of Object.values(names.alarmNames)) {
          expect(alarm.length).toBeLessThanOrEqual(NAME_LIMITS.alarm);
        }
        for (const secret of [names.credentialsSecretName, names.tokenSecretName]) {
          expect(secret.length).toBeLessThanOrEqual(NAME_LIMITS.secret);
          expect(secret).toMatch(/^[A-Za-z0-9/_+=.@-]+$/);
        }
        for (const parameter of [names.tokenParameterName, names.stateParameterName, names.ledgerParameterName]) {
          expect(parameter.length).toBeLessThanOrEqual(NAME_LIMITS.parameter);
          expect(parameter).toMatch(/^\/[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)+$/);
        }
        expect(names.rolePath).toMatch(/^\/[\x21-\x7e]+\/$/);
        // KMS: at most 256 characters of A-Z a-z 0-9 / _ -, never under alias/aws/.
        expect(names.signingKeyAlias.length).toBeLessThanOrEqual(NAME_LIMITS.alias);
        expect(names.signingKeyAlias).toMatch(/^alias\/[A-Za-z0-9/_-]+$/);
        expect(names.signingKeyAlias).not.toMatch(/^alias\/aws\//i);
      }),
      { numRuns: 2000 },
    );
  });

  it('keep the default stage names a deployment always had', () => {
    expect(byKind(providerResourceNames(DEFAULT_NAME_PREFIX, 'x-nagra'))).toEqual({
      credentialsSecretName: 'token-refresher/x-nagra/credentials',
      tokenSecretName: 'token-refresher/x-nagra/token',
      tokenParameterName: '/token-refresher/x-nagra/token',
      stateParameterName: '/token-refresher/x-nagra/state',
      ledgerParameterName: '/token-refresher/x-nagra/ledger',
      manifestParameterName: '/token-refresher/x-nagra/manifest',
      rolePath: '/token-refresher/x-nagra/',
      scheduleName: 'token-refresher-x-nagra',
      'alarm tokenFreshness': 'token-refresher-x-nagra-TokenFreshness',
      'alarm credentialsRejected': 'token-refresher-x-nagra-CredentialsRejected',
      'alarm refresherSilent': 'token-refresher-x-nagra-RefresherSilent',
      signingKeyAlias: 'alias/token-refresher/x-nagra/signing-key',
    });
  });

  it('give provider nagra of stage x names of its own, apart from x-nagra of the default stage', () => {
    expect(byKind(providerResourceNames(stageNames('x').namePrefix, 'nagra'))).toEqual({
      credentialsSecretName: 'token-refresher-x/nagra/credentials',
      tokenSecretName: 'token-refresher-x/nagra/token',
      tokenParameterName: '/token-refresher-x/nagra/token',
      stateParameterName: '/token-refresher-x/nagra/state',
      ledgerParameterName: '/token-refresher-x/nagra/ledger',
      manifestParameterName: '/token-refresher-x/nagra/manifest',
      rolePath: '/token-refresher-x/nagra/',
      scheduleName: 'token-refresher-x_nagra',
      'alarm tokenFreshness': 'token-refresher-x_nagra-TokenFreshness',
      'alarm credentialsRejected': 'token-refresher-x_nagra-CredentialsRejected',
      'alarm refresherSilent': 'token-refresher-x_nagra-RefresherSilent',
      signingKeyAlias: 'alias/token-refresher-x/nagra/signing-key',
    });
  });

  it('give a prefix with "." a signing key alias without it, apart from the prefix with "_" in its place', () => {
    const dotted = providerResourceNames('a.b', 'p').signingKeyAlias;
    const underscored = providerResourceNames('a_b', 'p').signingKeyAlias;
    expect(underscored).toBe('alias/a_b/p/signing-key');
    expect(dotted).toMatch(/^alias\/a_b\/p\/signing-key-[0-9a-f]{12}$/);
  });

  it('cut a schedule name that is too long to 64 characters ending in a hash of the exact pair', () => {
    // GIVEN the longest stage and provider id
    const longStage = 's'.repeat(20);
    const id = (last: string) => `${'p'.repeat(39)}${last}`;
    // WHEN
    const a = providerResourceNames(stageNames(longStage).namePrefix, id('a')).scheduleName;
    const b = providerResourceNames(stageNames(longStage).namePrefix, id('b')).scheduleName;
    // THEN readable as far as it goes, and still one name per pair
    expect(a).toHaveLength(64);
    expect(a).toMatch(new RegExp(`^token-refresher-${longStage}_p+\\.[0-9a-f]{12}$`));
    expect(b).not.toBe(a);
  });
});

describe('dashboard names', () => {
  const regions = fc.constantFrom('us-east-1', 'eu-west-1', 'us-gov-west-1', 'ap-southeast-2', 'il-central-1');

  it('differ for any two different (stage, region) pairs', () => {
    fc.assert(
      fc.property(stage, regions, stage, regions, (stageA, regionA, stageB, regionB) => {
        fc.pre(stageA !== stageB || regionA !== regionB);
        expect(dashboardName(stageNames(stageA).namePrefix, regionA)).not.toBe(
          dashboardName(stageNames(stageB).namePrefix, regionB),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('keep the default stage dashboard name, and use only the characters CloudWatch allows', () => {
    expect(dashboardName(DEFAULT_NAME_PREFIX, 'eu-west-1')).toBe('token-refresher-eu-west-1');
    fc.assert(
      fc.property(stage, regions, (s, region) => {
        expect(dashboardName(stageNames(s).namePrefix, region)).toMatch(/^[A-Za-z0-9_-]{1,255}$/);
      }),
    );
  });

  it('cannot come from a prefix with a ".", and the problem says why', () => {
    expect(dashboardNameProblem('acme.tokens')).toBe(
      '"namePrefix" "acme.tokens" cannot name the stage\'s dashboard: CloudWatch dashboard names allow only A-Z a-z 0-9 - _; use a prefix without "."',
    );
    expect(dashboardNameProblem('acme_tokens-2')).toBeUndefined();
  });
});
