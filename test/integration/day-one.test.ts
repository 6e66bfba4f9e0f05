import 'aws-sdk-client-mock-vitest/extend';
import { readFileSync } from 'node:fs';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { alarmSpecs } from '../../lib/private/alarm-specs.js';
import { parseProvidersFile } from '../../providers/providers-file.js';
import { RUN_TIMEOUT_SECONDS } from '../../contract/schedule.js';
import { runRefresh } from '../../core/refresh.js';
import { SecretsManagerCredentials } from '../../lambda/adapters/secrets-manager-credentials.js';
import { runMetrics } from '../../lambda/adapters/metrics.js';
import { type Emission, inAlarm } from '../helpers/alarm-model.js';
import { makeWorld, tokenAnswer } from '../unit/lambda/fakes.js';

/**
 * The first hours after a deploy: the stack created each credentials secret empty, and operators put
 * the credentials in later. The real core reads the secret through the real adapter (the SDK answers
 * as Secrets Manager does for a secret without a value), and the deployed alarm definitions are
 * evaluated on the metrics it emits: nothing pages until the credentials arrive, and the next run
 * after that publishes a token.
 */
const shipped = parseProvidersFile(JSON.parse(readFileSync(new URL('../../providers.json', import.meta.url), 'utf8')));
const sm = mockClient(SecretsManagerClient);
const HOURS = 4;

beforeEach(() => sm.reset());

describe.each(shipped.map((p) => [p.settings.id, p.settings] as const))('%s on day one', (_id, settings) => {
  it('pages nothing while the credentials secret is empty, then publishes within one check interval', async () => {
    const secretId = `token-refresher/${settings.id}/credentials`;
    let credentialsArrived = false;
    sm.on(GetSecretValueCommand, { SecretId: secretId }).callsFake(() => {
      if (!credentialsArrived) {
        throw new ResourceNotFoundException({
          $metadata: { httpStatusCode: 400 },
          message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
        });
      }
      const values =
        settings.grant === 'password' ? { username: 'u', password: 'p-Secret-1' } : { client_secret: 'c-Secret-1' };
      return { SecretString: JSON.stringify(values), VersionId: 'v1' };
    });
    const credentials = new SecretsManagerCredentials(new SecretsManagerClient({ region: 'eu-west-1' }), secretId);
    const w = await makeWorld(
      settings,
      () => tokenAnswer({ expires_in: settings.expectedLifetimeSeconds }),
      credentials,
    );
    const specs = Object.values(alarmSpecs(settings));
    const interval = settings.checkIntervalMinutes * 60;
    const start = Math.floor(w.clock.seconds / interval) * interval + 37;
    const emissions: Emission[] = [];
    const runsBefore = Math.ceil((HOURS * 3600) / interval);

    const runAt = async (run: number) => {
      const nominal = start + run * interval;
      w.clock.ms = nominal * 1000;
      const report = await runRefresh(w.deps, { deadlineMs: w.clock.now() + (RUN_TIMEOUT_SECONDS - 10) * 1000 });
      emissions.push({ atSeconds: nominal, values: runMetrics(report).provider });
      const inAlarmNow = specs.filter((spec) => inAlarm(spec, emissions, nominal)).map((spec) => spec.kind);
      return { report, inAlarmNow };
    };

    for (let run = 0; run < runsBefore; run++) {
      const { report, inAlarmNow } = await runAt(run);
      expect(report.result, `run ${run}`).toMatchObject({
        outcome: 'pending',
        note: { code: 'waiting_for_credentials' },
      });
      expect(inAlarmNow, `run ${run}`).toEqual([]);
      expect(runMetrics(report).provider).toMatchObject({ WaitingForCredentials: [1] });
    }
    expect(w.endpoint.requests, 'no login is tried without credentials').toHaveLength(0);

    // An operator puts the credentials in; the next scheduled run renews.
    credentialsArrived = true;
    const { report, inAlarmNow } = await runAt(runsBefore);
    expect(report.result).toMatchObject({ outcome: 'refreshed', grant: settings.grant });
    expect(w.tokenStore.writes).toHaveLength(1);
    expect(inAlarmNow).toEqual([]);
    expect(runMetrics(report).provider).not.toHaveProperty('WaitingForCredentials');
  });
});

describe('pending ends once a token was ever published', () => {
  it('reports a credentials secret emptied later as the configuration failure it is', async () => {
    const [nagra] = shipped.filter((p) => p.settings.id === 'nagra');
    const settings = nagra!.settings;
    const secretId = 'token-refresher/nagra/credentials';
    let empty = false;
    sm.on(GetSecretValueCommand, { SecretId: secretId }).callsFake(() => {
      if (empty) throw new ResourceNotFoundException({ $metadata: {}, message: 'not found' });
      return { SecretString: JSON.stringify({ username: 'u', password: 'p' }), VersionId: 'v1' };
    });
    const w = await makeWorld(
      settings,
      () => tokenAnswer({ expires_in: 300 }),
      new SecretsManagerCredentials(new SecretsManagerClient({ region: 'eu-west-1' }), secretId),
    );
    expect((await w.run()).result.outcome).toBe('refreshed');

    empty = true;
    w.clock.advance(3600);
    const later = await w.run(true);

    expect(later.result).toMatchObject({
      outcome: 'failed',
      error: { kind: 'configuration', code: 'credentials_not_found' },
    });
    expect(later.waitingForCredentials).toBe(false);
  });
});
