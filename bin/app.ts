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
import { App } from 'aws-cdk-lib';
import { ProvidersFileError, parseStackConfig } from '../contract/providers-file.js';
import { addExampleConsumer } from '../examples/lambda-consumer/example-consumer.js';
import { TokenRefresherStack } from '../lib/token-refresher-stack.js';

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
    return JSON.parse(text);
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

const stack = new TokenRefresherStack(app, 'TokenRefresher', {
  providers: config.providers,
  alarmEmails: config.alarmEmails,
  // `-c awsManagedKeys=true` saves the stack key's $1 a month at the cost of privacy (README "Secrets").
  awsManagedKeys: [true, 'true'].includes(app.node.tryGetContext('awsManagedKeys') as string | boolean),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
if ([true, 'true'].includes(app.node.tryGetContext('exampleConsumer') as string | boolean)) {
  for (const refresher of stack.refreshers.values()) addExampleConsumer(stack, refresher);
}
