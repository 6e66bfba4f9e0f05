import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import * as z from 'zod/mini';
import { providerSettingsSchema, RUNTIME_CONFIG_ENV } from '../../contract/provider-settings.js';
import type { AwsClients } from '../common/aws-clients.js';
import { awsCall } from '../common/aws-failure.js';
import { findProvider, type ManifestSource, readDeployment } from '../common/deployment.js';
import { CliError } from '../common/errors.js';
import { oneLine } from '../common/text.js';
import { EXIT } from '../exit-codes.js';
import type { ResolvedProvider } from '../../providers/providers-file.js';

/** A provider as `check` needs it: its settings and the store its token goes to. */
export type CheckedProvider = Pick<ResolvedProvider, 'settings' | 'store'>;

/**
 * The settings a deployed refresher runs with, for `check --stage/--stack/--outputs-file`: the
 * refresher is found as `status` finds it (its manifest parameter or its stack's outputs), and its
 * function's `TOKEN_REFRESHER_CONFIG` holds the provider's settings with the preset applied, names
 * and no secret (lib/private/runtime-config.ts). So `check` works for a `ProviderTokenRefresher` in
 * your own stack, whose settings are in your code rather than in a providers file.
 *
 * IAM: what `status` needs to find it, and lambda:GetFunctionConfiguration on the function.
 */

/** Only what `check` uses: another version's extra resources must not stop it. */
const deployedConfigSchema = z.object({
  provider: providerSettingsSchema,
  resources: z.object({ tokenStore: z.object({ kind: z.enum(['secretsmanager', 'parameterstore']) }) }),
});

function unusable(functionName: string, problem: string): CliError {
  return new CliError(
    `function ${functionName}: ${problem}; is it a token-refresher function of this version? ` +
      'Or check with --providers-file <path>',
    EXIT.failed,
    'function_config',
  );
}

export async function readDeployedProvider(
  source: ManifestSource,
  providerId: string,
  clients: Pick<AwsClients, 'cloudFormation' | 'ssm' | 'lambda'>,
  cwd: string,
): Promise<CheckedProvider> {
  const deployment = await readDeployment(source, clients, cwd);
  const { functionName } = findProvider(deployment, providerId, 'check');
  const answer = await awsCall(clients.lambda, 'GetFunctionConfiguration', () =>
    clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName })),
  );
  // A Lambda environment holds at most 4 KB, so the text is bounded.
  const text = answer.Environment?.Variables?.[RUNTIME_CONFIG_ENV];
  if (text === undefined) throw unusable(functionName, `no ${RUNTIME_CONFIG_ENV} variable`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw unusable(functionName, `${RUNTIME_CONFIG_ENV} is not JSON`);
  }
  const parsed = deployedConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw unusable(functionName, `${RUNTIME_CONFIG_ENV} is not a refresher configuration (${oneLine(issues)})`);
  }
  if (parsed.data.provider.id !== providerId) {
    throw unusable(functionName, `it refreshes provider "${parsed.data.provider.id}", not "${providerId}"`);
  }
  return { settings: parsed.data.provider, store: parsed.data.resources.tokenStore.kind };
}
