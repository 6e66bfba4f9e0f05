import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { maxEventAge } from '../../lib/private/event-age.js';
import { constructIdFor, namePrefixProblem, providerResourceNames } from '../../contract/naming.js';
import { ssmParameterArn } from '../../lib/private/ssm-parameter-arn.js';

describe('constructIdFor', () => {
  it.each([
    ['nagra', 'Nagra'],
    ['nagra-prod', 'NagraProd'],
    ['a1-b2-c3', 'A1B2C3'],
    ['1st-idp', '1stIdp'],
  ])('turns %s into %s', (providerId, expected) => {
    expect(constructIdFor(providerId)).toBe(expected);
  });
});

describe('namePrefixProblem', () => {
  it.each(['token-refresher', 'acme.tokens_2', 'x'])('accepts %s', (prefix) => {
    expect(namePrefixProblem(prefix)).toBeUndefined();
  });

  it.each(['', '-x', 'x-', 'team/tokens', 'has space', 'a'.repeat(41)])(
    'rejects %j as not usable in names',
    (prefix) => {
      expect(namePrefixProblem(prefix)).toMatch(/^"namePrefix" must be 1 to 40 of/);
    },
  );

  it.each(['aws-tokens', 'AWS', 'ssm1', 'SSM-x'])('rejects %s as reserved by SSM', (prefix) => {
    expect(namePrefixProblem(prefix)).toMatch(/^"namePrefix" must not start with "aws" or "ssm"/);
  });
});

describe('providerResourceNames', () => {
  it('names secrets without and parameters with a leading slash, and keeps the default stage names', () => {
    expect(providerResourceNames('token-refresher', 'nagra-prod')).toEqual({
      credentialsSecretName: 'token-refresher/nagra-prod/credentials',
      tokenSecretName: 'token-refresher/nagra-prod/token',
      tokenParameterName: '/token-refresher/nagra-prod/token',
      stateParameterName: '/token-refresher/nagra-prod/state',
      ledgerParameterName: '/token-refresher/nagra-prod/ledger',
      manifestParameterName: '/token-refresher/nagra-prod/manifest',
      rolePath: '/token-refresher/nagra-prod/',
      scheduleName: 'token-refresher-nagra-prod',
      alarmNames: {
        tokenFreshness: 'token-refresher-nagra-prod-TokenFreshness',
        credentialsRejected: 'token-refresher-nagra-prod-CredentialsRejected',
        refresherSilent: 'token-refresher-nagra-prod-RefresherSilent',
      },
      signingKeyAlias: 'alias/token-refresher/nagra-prod/signing-key',
    });
  });
});

describe('maxEventAge', () => {
  it.each([
    [1, 60],
    [3, 180],
    [60, 3600],
    [360, 21_600],
    [1440, 21_600],
  ])('gives a %i-minute check interval %i seconds', (minutes, seconds) => {
    expect(maxEventAge(minutes).toSeconds()).toBe(seconds);
  });
});

describe('ssmParameterArn', () => {
  it('drops the leading slash of the parameter name', () => {
    // GIVEN a stack in a known environment
    const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
    // WHEN / THEN
    expect(stack.resolve(ssmParameterArn(stack, '/token-refresher/x/token'))).toEqual({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':ssm:eu-west-1:123456789012:parameter/token-refresher/x/token'],
      ],
    });
  });
});
