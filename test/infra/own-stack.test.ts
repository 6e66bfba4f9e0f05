/**
 * A `ProviderTokenRefresher` in a stack of the user's own, with none of this project's stacks: what it
 * writes for the operator CLI (its manifest parameter), the synth warning when its alarms notify
 * nobody, and the refusal of one provider id twice in one app. test/cli/own-stack.test.ts runs the
 * CLI against what these templates deploy.
 */
import { Annotations, Stack } from 'aws-cdk-lib';
import { Annotations as Found, Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { MANIFEST_STACK_TAG, STAGE_TAG } from '../../contract/naming.js';
import { refresherManifestSchema } from '../../contract/refresher-manifest.js';
import { ALARMS_NOTIFY_NOBODY, ProviderTokenRefresher } from '../../lib/provider-token-refresher.js';
import { TokenRefresherStack } from '../../lib/token-refresher-stack.js';
import { CfnResolver, TEST_ENV } from '../helpers/cfn-resolver.js';
import { templatesOf } from './access-model.js';
import { onlyResource, PARAMETER_STORE_ENTRY, resolvedProvider, STUB_ENTRY, testApp } from './fixtures.js';

const provider = resolvedProvider(PARAMETER_STORE_ENTRY);

function ownStack(props: { alarmTopic?: boolean; stage?: string; namePrefix?: string } = {}) {
  const app = testApp();
  const stack = new Stack(app, 'PaymentsApi');
  const refresher = new ProviderTokenRefresher(stack, 'Tokens', {
    provider,
    functionEntry: STUB_ENTRY,
    ...(props.alarmTopic === false ? {} : { alarmTopic: new sns.Topic(stack, 'OnCall') }),
    ...(props.stage === undefined ? {} : { stage: props.stage }),
    ...(props.namePrefix === undefined ? {} : { namePrefix: props.namePrefix }),
  });
  return { app, stack, refresher };
}

describe('the manifest parameter', () => {
  it('holds the manifest the CLI reads, with the stack, as a free String parameter tagged with stage and stack', () => {
    // GIVEN a refresher in the user's own stack
    const { app, refresher } = ownStack();
    const templates = templatesOf(app);
    // WHEN deployed
    const resolver = new CfnResolver(templates, TEST_ENV);
    const [, parameter] = onlyResource(Template.fromJSON(templates.get('PaymentsApi')!), 'AWS::SSM::Parameter');
    const properties = parameter['Properties'] as Record<string, unknown>;
    // THEN
    expect(properties['Name']).toBe('/token-refresher/loop-ps/manifest');
    expect(properties['Type']).toBe('String');
    expect(properties['Tier']).toBe('Standard');
    expect(properties['Tags']).toEqual({ [STAGE_TAG]: 'default', [MANIFEST_STACK_TAG]: 'PaymentsApi' });
    const value = JSON.parse(resolver.resolveString('PaymentsApi', properties['Value'])) as unknown;
    const manifest = refresherManifestSchema.parse(value);
    expect(manifest).toMatchObject({
      provider: 'loop-ps',
      stack: 'PaymentsApi',
      tokenSource: refresher.tokenSource,
      stateParameter: '/token-refresher/loop-ps/state',
      ledgerParameter: '/token-refresher/loop-ps/ledger',
      alarms: {
        tokenFreshness: 'token-refresher-loop-ps-TokenFreshness',
        credentialsRejected: 'token-refresher-loop-ps-CredentialsRejected',
        refresherSilent: 'token-refresher-loop-ps-RefresherSilent',
      },
    });
    const [functionId] = onlyResource(Template.fromJSON(templates.get('PaymentsApi')!), 'AWS::Lambda::Function');
    expect(manifest.functionName).toBe(resolver.ref('PaymentsApi', functionId));
  });

  it('is tagged with its stage and named under its own prefix', () => {
    // GIVEN / WHEN
    const staged = Template.fromStack(ownStack({ stage: 'prod' }).stack);
    const prefixed = Template.fromStack(ownStack({ namePrefix: 'payments' }).stack);
    // THEN
    staged.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/token-refresher-prod/loop-ps/manifest',
      Tags: { [STAGE_TAG]: 'prod', [MANIFEST_STACK_TAG]: 'PaymentsApi' },
    });
    prefixed.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/payments/loop-ps/manifest',
      Tags: { [STAGE_TAG]: 'default', [MANIFEST_STACK_TAG]: 'PaymentsApi' },
    });
  });

  it('stays within the 4 KB of the standard tier with the longest prefix, id, names and an imported secret ARN', () => {
    // GIVEN every name at its longest: a 40-character prefix and provider id, a 512-character secret name
    const id = `p${'x'.repeat(38)}p`;
    const secretName = `${'s'.repeat(505)}/creds`;
    const app = testApp();
    const stack = new Stack(app, `S${'t'.repeat(127)}`);
    new ProviderTokenRefresher(stack, 'Tokens', {
      provider: resolvedProvider({
        ...PARAMETER_STORE_ENTRY,
        id,
        credentials: {
          secretArn: `arn:aws:secretsmanager:eu-central-1:111122223333:secret:${secretName}-AbCdEf`,
        },
      }),
      namePrefix: `n${'y'.repeat(38)}n`,
      functionEntry: STUB_ENTRY,
      alarmTopic: new sns.Topic(stack, 'OnCall'),
    });
    const templates = templatesOf(app);
    const [, parameter] = onlyResource(Template.fromJSON(templates.get(stack.stackName)!), 'AWS::SSM::Parameter');
    // WHEN deployed, with the longest names CloudFormation generates for the function (64) and queue (80)
    const value = new CfnResolver(templates, TEST_ENV).resolveString(
      stack.stackName,
      (parameter['Properties'] as Record<string, unknown>)['Value'],
    );
    const longest = value.length + (64 - 40) + (80 - 40);
    // THEN
    expect(Buffer.byteLength(value)).toBeGreaterThan(1000);
    expect(longest).toBeLessThan(4096);
  });
});

describe('alarms that notify nobody', () => {
  it('warns at synth, naming the provider, the fix and the warning id', () => {
    // GIVEN / WHEN a refresher without alarmTopic
    const { stack } = ownStack({ alarmTopic: false });
    // THEN
    Found.fromStack(stack).hasWarning(
      '/PaymentsApi/Tokens',
      Match.stringLikeRegexp(
        `^provider "loop-ps": its 3 paging alarms notify nobody: pass "alarmTopic" .* \\[ack: ${ALARMS_NOTIFY_NOBODY}\\]$`,
      ),
    );
  });

  it('does not warn with an alarm topic, nor in the stacks of this project, which always pass one', () => {
    const withTopic = ownStack().stack;
    const projectStack = new TokenRefresherStack(testApp(), 'TokenRefresher', {
      providers: [provider],
      functionEntry: STUB_ENTRY,
      alarmEmails: ['oncall@example.com'],
    });
    for (const stack of [withTopic, projectStack]) {
      expect(Found.fromStack(stack).findWarning('*', Match.stringLikeRegexp('notify nobody'))).toEqual([]);
    }
  });

  it('is silenced deliberately by acknowledging it on the refresher', () => {
    // GIVEN
    const { stack, refresher } = ownStack({ alarmTopic: false });
    // WHEN
    Annotations.of(refresher).acknowledgeWarning(ALARMS_NOTIFY_NOBODY, 'we watch the alarms from our own dashboard');
    // THEN
    expect(Found.fromStack(stack).findWarning('*', Match.stringLikeRegexp('notify nobody'))).toEqual([]);
  });
});

describe('one provider id twice in one app', () => {
  it('is refused across two stacks of your own, naming both, the manifest parameter and the fix', () => {
    // GIVEN the provider in one stack of the app
    const { app } = ownStack();
    // WHEN / THEN the same provider, same stage, in another stack of the app
    expect(
      () =>
        new ProviderTokenRefresher(new Stack(app, 'BillingApi'), 'Tokens', {
          provider,
          functionEntry: STUB_ENTRY,
        }),
    ).toThrow(
      /^BillingApi\/Tokens would deploy the same names as PaymentsApi\/Tokens in the same account and region \(.*manifest parameter "\/token-refresher\/loop-ps\/manifest".*Keep one of them, or give one its own "stage"/,
    );
  });
});
