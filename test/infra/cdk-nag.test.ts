/**
 * cdk-nag 3 runs as a CDK policy-validation plugin: `app.synth()` writes every unacknowledged finding
 * to `validation-report.json` in the cloud assembly, and (in a test process) throws when one is an
 * error. These tests read the report, so that warnings count too and a failure lists every finding.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type App, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, it } from 'vitest';
import { NAG_REASONS } from '../../lib/private/nag-acknowledgements.js';
import { TokenRefresherStack } from '../../lib/token-refresher-stack.js';
import { PARAMETER_STORE_ENTRY, resolvedProvider, STUB_ENTRY, shippedProviders, testApp } from './fixtures.js';
import { addExampleConsumer } from '../../examples/lambda-consumer/example-consumer.js';

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; description: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** An app in a temporary cloud-assembly directory, checked by the AwsSolutions pack. */
function checkedApp(): App {
  const outdir = mkdtempSync(path.join(tmpdir(), 'token-refresher-nag-'));
  outdirs.push(outdir);
  const app = testApp({ outdir });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

/** Synthesises and returns every finding as `rule at construct path: description`. */
function findings(app: App): string[] {
  let synthError: unknown;
  try {
    app.synth();
  } catch (error) {
    synthError = error;
  }
  let report: ValidationReport;
  try {
    report = JSON.parse(readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
  } catch {
    // No report: synth failed for another reason, or validation never ran. Either way, say why.
    if (synthError instanceof Error) throw synthError;
    throw new Error(`no validation-report.json in ${app.outdir}: did the validation plugin run?`);
  }
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((v) =>
      v.violatingConstructs.map((c) => `[${plugin.pluginName}] ${v.ruleName} at ${c.constructPath}: ${v.description}`),
    ),
  );
}

/** Every acknowledgement in the tree, as `construct path: rule id`, with its reason. */
function acknowledgements(root: IConstruct): Record<string, string> {
  const found: Record<string, string> = {};
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found[`${construct.node.path}: ${id.replace(/^annotation::/i, '')}`] = reason;
      }
    }
  }
  return found;
}

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the stack built from the shipped providers file', () => {
    // GIVEN
    const app = checkedApp();
    new TokenRefresherStack(app, 'TokenRefresher', { providers: shippedProviders(), functionEntry: STUB_ENTRY });
    // WHEN
    const found = findings(app);
    // THEN
    expect(found, `unacknowledged cdk-nag findings:\n${found.join('\n')}`).toEqual([]);
  });

  it('finds nothing unacknowledged with the example consumers deployed', () => {
    // GIVEN
    const app = checkedApp();
    const stack = new TokenRefresherStack(app, 'TokenRefresher', {
      providers: shippedProviders(),
      functionEntry: STUB_ENTRY,
    });
    for (const refresher of stack.refreshers.values()) addExampleConsumer(stack, refresher);
    // WHEN
    const found = findings(app);
    // THEN
    expect(found, `unacknowledged cdk-nag findings:\n${found.join('\n')}`).toEqual([]);
  });

  it('finds nothing unacknowledged when the credentials secrets are imported by name and by ARN', () => {
    // GIVEN
    const app = checkedApp();
    const providers = [
      resolvedProvider({ ...PARAMETER_STORE_ENTRY, id: 'by-name', credentials: { secretName: 'team/creds' } }),
      resolvedProvider({
        ...PARAMETER_STORE_ENTRY,
        id: 'by-arn',
        credentials: { secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:team/creds-AbCdEf' },
      }),
    ];
    new TokenRefresherStack(app, 'TokenRefresher', { providers, functionEntry: STUB_ENTRY });
    // WHEN
    const found = findings(app);
    // THEN
    expect(found, `unacknowledged cdk-nag findings:\n${found.join('\n')}`).toEqual([]);
  });

  it('finds nothing unacknowledged with KMS signing keys, created (RSA and ECC) and named', () => {
    // GIVEN
    const app = checkedApp();
    const providers = [
      resolvedProvider({ ...PARAMETER_STORE_ENTRY, id: 'rsa', clientAuth: 'private_key_jwt', signingKey: 'kms' }),
      resolvedProvider({
        ...PARAMETER_STORE_ENTRY,
        id: 'ecc',
        clientAuth: 'private_key_jwt',
        signingKey: { kms: 'create', keySpec: 'ECC_NIST_P384' },
      }),
      resolvedProvider({
        ...PARAMETER_STORE_ENTRY,
        id: 'named',
        clientAuth: 'private_key_jwt',
        signingKey: { kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
      }),
    ];
    new TokenRefresherStack(app, 'TokenRefresher', { providers, functionEntry: STUB_ENTRY });
    // WHEN
    const found = findings(app);
    // THEN
    expect(found, `unacknowledged cdk-nag findings:\n${found.join('\n')}`).toEqual([]);
  });

  it('acknowledges findings only on the secrets and the alarm topic it creates, each with its reason', () => {
    // GIVEN / WHEN
    const app = testApp();
    const stack = new TokenRefresherStack(app, 'TokenRefresher', {
      providers: shippedProviders(),
      functionEntry: STUB_ENTRY,
    });
    // THEN
    const expected: Record<string, string> = {
      'TokenRefresher/AlarmTopic: AwsSolutions-SNS2': NAG_REASONS.alarmTopicEncryption,
    };
    for (const refresher of stack.refreshers.values()) {
      const at = refresher.node.path;
      expected[`${at}/CredentialsSecret: AwsSolutions-SMG4`] = NAG_REASONS.credentialsSecretRotation;
    }
    expect(acknowledgements(app)).toEqual(expected);
  });

  it('reports a finding that nobody acknowledged (the check is live)', () => {
    // GIVEN the shipped stack plus a queue that breaks two AwsSolutions rules
    const app = checkedApp();
    const stack = new TokenRefresherStack(app, 'TokenRefresher', {
      providers: shippedProviders(),
      functionEntry: STUB_ENTRY,
    });
    new sqs.Queue(stack, 'PlainQueue');
    // WHEN
    const found = findings(app);
    // THEN
    expect(found.map((f) => f.replace(/: .*/, ''))).toEqual([
      '[AwsSolutions] AwsSolutions-SQS3 at TokenRefresher/PlainQueue/Resource',
      '[AwsSolutions] AwsSolutions-SQS4 at TokenRefresher/PlainQueue/Resource',
    ]);
  });
});
