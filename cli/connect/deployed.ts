import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import * as z from 'zod/mini';
import { providerSettingsSchema, RUNTIME_CONFIG_ENV } from '../../contract/provider-settings.js';
import type { AwsClients } from '../common/aws-clients.js';
import { awsCall } from '../common/aws-failure.js';
import { findProvider, type ManifestSource, readDeployment } from '../common/deployment.js';
import { CliError } from '../common/errors.js';
import { EXIT } from '../exit-codes.js';

/** Only what `connect` uses of the function's configuration (lib/private/runtime-config.ts): names, no secret. */
const connectConfigSchema = z.object({
  provider: providerSettingsSchema,
  resources: z.object({
    stateParameterName: z.string(),
    ledgerParameterName: z.string(),
    parameterKeyId: z.optional(z.string()),
  }),
});

/** Where a deployed provider keeps its private state, and the function that renews it. */
export interface DeployedConnection {
  readonly settings: z.infer<typeof providerSettingsSchema>;
  readonly functionName: string;
  readonly stateParameterName: string;
  readonly ledgerParameterName: string;
  /** The stage's KMS key for SecureStrings; absent: the AWS-managed key, as the function uses. */
  readonly parameterKeyId?: string | undefined;
}

/**
 * The deployed refresher as `status` finds it, and from its function's configuration the settings
 * and the parameters the function reads: `connect` writes exactly where the function looks, with the
 * key it uses. IAM: what `status` needs, lambda:GetFunctionConfiguration on the function.
 */
export async function readDeployedConnection(
  source: ManifestSource,
  providerId: string,
  clients: Pick<AwsClients, 'cloudFormation' | 'ssm' | 'lambda'>,
  cwd: string,
): Promise<DeployedConnection> {
  const deployment = await readDeployment(source, clients, cwd);
  const { functionName } = findProvider(deployment, providerId, 'connect');
  const answer = await awsCall(clients.lambda, 'GetFunctionConfiguration', () =>
    clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName })),
  );
  const text = answer.Environment?.Variables?.[RUNTIME_CONFIG_ENV];
  let json: unknown;
  try {
    json = text === undefined ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = connectConfigSchema.safeParse(json);
  if (!parsed.success || parsed.data.provider.id !== providerId) {
    throw new CliError(
      `function ${functionName}: its ${RUNTIME_CONFIG_ENV} is not the refresher configuration of "${providerId}"; ` +
        'is the stack deployed with this version?',
      EXIT.failed,
      'function_config',
    );
  }
  const { provider, resources } = parsed.data;
  return { settings: provider, functionName, ...resources };
}
