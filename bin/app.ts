#!/usr/bin/env node
/**
 * CDK app: reads the providers file named by the `providersFile` context value (default
 * `providers.json`, relative to the working directory) and builds one stack from it.
 *
 * A bad file ends the process with exit code 1 and a message naming the file, the provider, the field,
 * the bad value and what is allowed: no stack trace, since the fix is in the file, not in the code.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { ProvidersFileError, parseStackConfig } from '../providers/providers-file.js';
import { parseProvidersJson } from '../providers/providers-json.js';
import { addExampleConsumer } from '../examples/lambda-consumer/example-consumer.js';
import { TokenRefresherFleet } from '../lib/token-refresher-fleet.js';
import { CREDENTIALS_LAYOUTS, type CredentialsLayout } from '../providers/fleet.js';

function fail(message: string): never {
  console.error(`token-refresher: ${message}`);
  process.exit(1);
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    fail(`cannot read providers file ${file} (${code}); set it with --context providersFile=<path>`);
  }
  try {
    return parseProvidersJson(text);
  } catch (error) {
    fail(`providers file ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

const app = new App();
const providersFile = resolve(String(app.node.tryGetContext('providersFile') ?? 'providers.json'));

let config: ReturnType<typeof parseStackConfig>;
try {
  config = parseStackConfig(readJson(providersFile), providersFile);
} catch (error) {
  if (error instanceof ProvidersFileError) fail(error.message);
  throw error;
}

const flag = (name: string) => [true, 'true'].includes(app.node.tryGetContext(name) as string | boolean);
const stage = app.node.tryGetContext('stage') as string | undefined;
// Where the stage's credentials secrets live (providers/fleet.ts); absent: the stage's default.
const layout = app.node.tryGetContext('credentialsLayout') as unknown;
if (layout !== undefined && !CREDENTIALS_LAYOUTS.includes(layout as CredentialsLayout)) {
  fail(
    `--context credentialsLayout=${JSON.stringify(layout)} is not a layout: use ${CREDENTIALS_LAYOUTS.join(' or ')} (docs/stage-layout.md)`,
  );
}

let fleet: TokenRefresherFleet;
try {
  fleet = new TokenRefresherFleet(app, 'Fleet', {
    providers: config.providers,
    alarmEmails: config.alarmEmails,
    ...(config.runbookUrl === undefined ? {} : { runbookUrl: config.runbookUrl }),
    ...(config.events === undefined ? {} : { events: config.events }),
    ...(stage === undefined || stage === '' ? {} : { stage: String(stage) }),
    // `-c awsManagedKeys=true` saves the stage key's $1 a month at the cost of privacy (docs/security.md).
    awsManagedKeys: flag('awsManagedKeys'),
    ...(layout === undefined ? {} : { credentialsLayout: layout as CredentialsLayout }),
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
} catch (error) {
  // A stage name or a fleet that does not fit is a mistake in the input, not in the code.
  fail((error as Error).message);
}
if (flag('exampleConsumer')) {
  for (const refresher of fleet.refreshers.values()) addExampleConsumer(Stack.of(refresher), refresher);
}
