import { Logger } from '@aws-lambda-powertools/logger';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { METRICS_NAMESPACE } from '../contract/metrics.js';
import { createMetrics, recordRun } from './adapters/metrics.js';
import { HttpMetadataSource } from '../core/metadata-endpoint.js';
import { OAuthTokenEndpoint } from '../core/oauth-endpoint.js';
import { EventBridgePublisher } from './adapters/eventbridge-publisher.js';
import { ParameterStateStore } from './adapters/parameter-state-store.js';
import { ParameterStoreTokenStore } from './adapters/parameter-store-token-store.js';
import { SecretsManagerCredentials } from './adapters/secrets-manager-credentials.js';
import { SecretsManagerTokenStore } from './adapters/secrets-manager-token-store.js';
import { isForced, kmsSignerFor, loadRuntimeConfig, scheduledTimeOf } from './config.js';
import type { Log } from '../core/ports.js';
import {
  AWS_CALL_TIMEOUT_MS,
  type RefreshDeps,
  type RefreshResult,
  runRefresh,
  STORE_RESERVE_MS,
} from '../core/refresh.js';

// Cold start: configuration and clients once per container; nothing here touches the network.
const { provider, resources } = loadRuntimeConfig(process.env);
const logger = new Logger({ serviceName: 'token-refresher', persistentKeys: { provider: provider.id } });
const metrics = createMetrics(provider.id, resources.metricsNamespace ?? METRICS_NAMESPACE);
// Each call is also cut to the run's deadline by the core; these stop a hung connection in the SDK itself.
const requestHandler = { connectionTimeout: 1_000, requestTimeout: AWS_CALL_TIMEOUT_MS };
const secretsManager = new SecretsManagerClient({ requestHandler });
const ssm = new SSMClient({ requestHandler });
const signingKey = kmsSignerFor(resources, new KMSClient({ requestHandler }));
const log: Log = {
  info: (message, extra) => logger.info(message, { ...extra }),
  warn: (message, extra) => logger.warn(message, { ...extra }),
};
const deps: RefreshDeps = {
  settings: provider,
  tokenStore:
    resources.tokenStore.kind === 'secretsmanager'
      ? new SecretsManagerTokenStore(secretsManager, resources.tokenStore.id, log, {
          ...(resources.parameterKeyId ? { keyArn: resources.parameterKeyId } : {}),
          ...(resources.legacyStackId ? { legacyStackId: resources.legacyStackId } : {}),
        })
      : new ParameterStoreTokenStore(ssm, resources.tokenStore.id, log, resources.parameterKeyId),
  stateStore: new ParameterStateStore(ssm, resources, log, resources.parameterKeyId, provider.useRefreshToken),
  credentials: new SecretsManagerCredentials(secretsManager, resources.credentialsSecretId),
  endpoint: new OAuthTokenEndpoint(provider),
  ...(signingKey ? { signingKey } : {}),
  // The last good metadata of an `issuer`, kept for the container's life as well as in the state.
  ...(provider.issuer === undefined ? {} : { metadata: new HttpMetadataSource(), metadataMemory: {} }),
  clock: { now: () => Date.now() },
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  log,
  ...(resources.events
    ? {
        events: {
          publisher: new EventBridgePublisher(new EventBridgeClient({ requestHandler }), resources.events.busName),
          stage: resources.events.stage,
          scope: resources.ledgerParameterName,
          tokenRenewed: resources.events.tokenRenewed,
        },
      }
    : {}),
};

/** Time kept back from the Lambda timeout to return the result and flush the metrics. */
const RETURN_RESERVE_MS = 1_000;

async function refresh(event: unknown, context: Context): Promise<RefreshResult> {
  // The request id ties a line to Lambda's REPORT line, and `provider` (a persistent key) tells the
  // stack's functions apart in their shared log group. The function's name, ARN and memory size, which
  // Powertools' injectLambdaContext adds to every line, say nothing more and cost bytes on every run
  // (cli/plan/cost-model.ts, test/unit/lambda/log-bytes.test.ts).
  logger.appendKeys({ function_request_id: context.awsRequestId });
  const endMs = Date.now() + context.getRemainingTimeInMillis() - RETURN_RESERVE_MS;
  const report = await runRefresh(deps, { force: isForced(event), deadlineMs: endMs - STORE_RESERVE_MS, endMs });
  // Stamped with the schedule's nominal time, a late or slow run still lands in its own period, so
  // the freshness alarm (missing data = breaching) never sees a gap that is not there.
  recordRun(metrics, report, scheduledTimeOf(event, Date.now()) ?? Date.now());
  const { result } = report;
  // Classified failures are returned, not thrown: Lambda's retries must never multiply login attempts.
  if (result.outcome === 'failed') logger.error('token refresh failed', { result });
  else logger.info(`token ${result.outcome}`, { result });
  return result;
}

export const handler = middy(refresh).use(logMetrics(metrics));
