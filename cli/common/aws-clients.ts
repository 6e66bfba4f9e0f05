import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';

/** The AWS clients the stack commands use, all for one region. */
export interface AwsClients {
  readonly cloudFormation: CloudFormationClient;
  readonly cloudWatch: CloudWatchClient;
  readonly lambda: LambdaClient;
  readonly secretsManager: SecretsManagerClient;
  readonly ssm: SSMClient;
}

export type AwsClientFactory = (region: string | undefined) => AwsClients;

/**
 * Clients on the SDK's standard credential chain and region resolution; `--region` overrides only
 * the region. Nothing is resolved here: a missing profile shows up on the first call, as one line.
 */
export const createAwsClients: AwsClientFactory = (region) => {
  const config = region === undefined ? {} : { region };
  return {
    cloudFormation: new CloudFormationClient(config),
    cloudWatch: new CloudWatchClient(config),
    lambda: new LambdaClient(config),
    secretsManager: new SecretsManagerClient(config),
    ssm: new SSMClient(config),
  };
};

/** Lets the process exit at once instead of waiting for idle keep-alive sockets. */
export function destroyAwsClients(clients: AwsClients): void {
  clients.cloudFormation.destroy();
  clients.cloudWatch.destroy();
  clients.lambda.destroy();
  clients.secretsManager.destroy();
  clients.ssm.destroy();
}
