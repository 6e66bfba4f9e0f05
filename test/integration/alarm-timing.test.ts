import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runMetrics } from '../../lambda/adapters/metrics.js';
import { runRefresh } from '../../core/refresh.js';
import { alarmSpecs } from '../../lib/private/alarm-specs.js';
import type { ProviderSettings } from '../../contract/provider-settings.js';
import { parseProvidersFile } from '../../providers/providers-file.js';
import { dueThresholdSeconds, RUN_TIMEOUT_SECONDS, SCHEDULER_LATENESS_SECONDS } from '../../contract/schedule.js';
import { type Emission, inAlarm } from '../helpers/alarm-model.js';
import { answer, invalidGrant, MemoryCredentials, makeWorld, tokenAnswer } from '../unit/lambda/fakes.js';

/**
 * The real refresh core, run by a simulated schedule, produces the metrics CloudWatch would receive
 * (stamped with the schedule's nominal time, as the handler does); the deployed alarm definitions
 * (lib/private/alarm-specs.ts) are evaluated on them with a model of CloudWatch's evaluation. Each shipped
 * preset goes through an IdP outage that outlasts its token, with runs starting up to a minute late
 * and failing answers as slow as the run's deadline allows.
 */
const shipped = parseProvidersFile(JSON.parse(readFileSync(new URL('../../providers.json', import.meta.url), 'utf8')));

type Phase = 'healthy' | 'outage' | 'rejected';

interface Scenario {
  phaseAt: (run: number) => Phase;
  /** The lifetime the IdP grants (Keycloak caps it near session max; Spring returns what is left). */
  expiresIn?: number;
  runs: number;
  /** Seconds a run starts after its nominal time. */
  latenessAt?: (run: number) => number;
  /** Seconds each failing answer takes (a slow IdP). */
  slowAnswerSeconds?: number;
}

interface Step {
  run: number;
  phase: Phase;
  /** When the run finished (real time), and what the published token had left then. */
  endedAt: number;
  secondsLeft: number | undefined;
  sentRequest: boolean;
  freshness: boolean;
  credentials: boolean;
}

async function simulate(settings: ProviderSettings, scenario: Scenario): Promise<Step[]> {
  const credentials = new MemoryCredentials(
    settings.grant === 'password' ? { username: 'u', password: 'p-secret-1' } : { client_secret: 'c-secret-1' },
  );
  let run = 0;
  const w = await makeWorld(
    settings,
    () => {
      const phase = scenario.phaseAt(run);
      if (phase !== 'healthy') w.clock.advance(scenario.slowAnswerSeconds ?? 0);
      if (phase === 'outage') return answer(503, '<html>down</html>');
      if (phase === 'rejected') {
        return settings.grant === 'password'
          ? invalidGrant('Invalid user credentials', 401)
          : answer(400, { error: 'invalid_client' });
      }
      return tokenAnswer({
        expires_in: scenario.expiresIn ?? settings.expectedLifetimeSeconds,
        refresh_expires_in: settings.useRefreshToken ? 36_000 : undefined,
      });
    },
    credentials,
  );
  const specs = alarmSpecs(settings);
  const interval = settings.checkIntervalMinutes * 60;
  // Nominal times 37 s past a period boundary, like a schedule created at an arbitrary moment.
  const start = Math.floor(w.clock.seconds / interval) * interval + 37;
  const emissions: Emission[] = [];
  const steps: Step[] = [];
  for (run = 0; run < scenario.runs; run++) {
    const nominal = start + run * interval;
    w.clock.ms = (nominal + (scenario.latenessAt?.(run) ?? 0)) * 1000;
    const requestsBefore = w.endpoint.requests.length;
    const report = await runRefresh(w.deps, { deadlineMs: w.clock.now() + (RUN_TIMEOUT_SECONDS - 10) * 1000 });
    emissions.push({ atSeconds: nominal, values: runMetrics(report).provider });
    const { expiresAt } = report.result;
    steps.push({
      run,
      phase: scenario.phaseAt(run),
      endedAt: w.clock.seconds,
      secondsLeft: expiresAt === undefined ? undefined : expiresAt - w.clock.seconds,
      sentRequest: w.endpoint.requests.length > requestsBefore,
      freshness: inAlarm(specs.tokenFreshness, emissions, nominal),
      credentials: inAlarm(specs.credentialsRejected, emissions, nominal),
    });
  }
  return steps;
}

const runsPer = (settings: ProviderSettings, seconds: number) =>
  Math.ceil(seconds / (settings.checkIntervalMinutes * 60));

describe.each(shipped.map((p) => [p.settings.id, p.settings] as const))(
  '%s alarms on a simulated clock',
  (_id, settings) => {
    // Long enough to reach the steady state of renewals (three lifetimes, or one for two-week tokens).
    const lifetimes = runsPer(settings, settings.expectedLifetimeSeconds) > 1000 ? 1 : 3;
    const healthyRuns = runsPer(settings, lifetimes * settings.expectedLifetimeSeconds) + 3;
    const numRuns = lifetimes === 1 ? 4 : 40;
    const outageRuns = runsPer(settings, settings.expectedLifetimeSeconds) + 3;

    it('the freshness alarm fires at least minValidity before expiry in an outage that outlasts the token', async () => {
      const due = dueThresholdSeconds(settings);
      await fc.assert(
        fc.asyncProperty(
          // Whatever lifetime the IdP grants (above the due threshold), wherever in the renewal cycle the
          // outage begins, however late each failing run starts: the warning comes minValidity early.
          fc.integer({ min: due + 1, max: settings.expectedLifetimeSeconds }),
          fc.integer({ min: 0, max: runsPer(settings, settings.expectedLifetimeSeconds) }),
          fc.array(fc.integer({ min: 0, max: SCHEDULER_LATENESS_SECONDS - 1 }), { minLength: 64, maxLength: 64 }),
          async (expiresIn, offset, lateness) => {
            const outageFrom = healthyRuns + offset;
            const steps = await simulate(settings, {
              expiresIn,
              phaseAt: (run) => (run < outageFrom ? 'healthy' : 'outage'),
              runs: outageFrom + outageRuns,
              latenessAt: (run) => (run < outageFrom ? 0 : lateness[run % 64]!),
              slowAnswerSeconds: 9,
            });

            const first = steps.find((s) => s.freshness)!;
            expect(steps.filter((s) => s.phase === 'healthy').some((s) => s.freshness)).toBe(false);
            expect(first.phase).toBe('outage');
            expect(first.secondsLeft).toBeGreaterThanOrEqual(settings.minValiditySeconds);
            expect(steps.filter((s) => s.run >= first.run).every((s) => s.freshness)).toBe(true);
            expect(steps.at(-1)!.secondsLeft).toBeLessThan(0);
          },
        ),
        { numRuns },
      );
    });

    it('never alarms while healthy, however late runs start, nor for one failed renewal', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 0, max: SCHEDULER_LATENESS_SECONDS - 1 }), {
            minLength: healthyRuns,
            maxLength: healthyRuns,
          }),
          fc.integer({ min: 1, max: healthyRuns - 1 }),
          async (lateness, failingRun) => {
            const steps = await simulate(settings, {
              phaseAt: (run) => (run === failingRun ? 'outage' : 'healthy'),
              runs: healthyRuns,
              latenessAt: (run) => lateness[run]!,
              slowAnswerSeconds: 9,
            });
            expect(steps.some((s) => s.freshness)).toBe(false);
          },
        ),
        { numRuns: Math.min(numRuns, 25) },
      );
    });

    it('the credentials alarm fires on the first rejected credentials and stays on', async () => {
      // Password providers send credentials on the first run; client_credentials ones on each renewal.
      const rejectFrom = settings.grant === 'password' ? 0 : 1;
      const steps = await simulate(settings, {
        phaseAt: (run) => (run >= rejectFrom ? 'rejected' : 'healthy'),
        runs: healthyRuns,
      });

      const firstRejected = steps.find((s) => s.phase === 'rejected' && s.sentRequest)!;
      const firstAlarm = steps.find((s) => s.credentials)!;
      expect(firstAlarm.run).toBe(firstRejected.run);
      expect(steps.filter((s) => s.run >= firstAlarm.run).every((s) => s.credentials)).toBe(true);
      expect(steps.filter((s) => s.phase === 'rejected' && s.sentRequest)).toHaveLength(1);
    });
  },
);

describe.each(shipped.map((p) => [p.settings.id, p.settings] as const))(
  '%s: a refresher that stops',
  (_id, settings) => {
    it('is reported by RefresherSilent within three of its periods, with data arriving up to 3 minutes late', async () => {
      const specs = alarmSpecs(settings);
      const interval = settings.checkIntervalMinutes * 60;
      const w = await makeWorld(settings, () => tokenAnswer({ expires_in: settings.expectedLifetimeSeconds }));
      const emissions: Emission[] = [];
      const start = Math.floor(w.clock.seconds / interval) * interval + 37;
      const runs = runsPer(settings, 6 * 3600) + 5;
      let silentWhileRunning = false;
      for (let run = 0; run < runs; run++) {
        const nominal = start + run * interval;
        w.clock.ms = nominal * 1000;
        const report = await runRefresh(w.deps, { deadlineMs: w.clock.now() + 20_000 });
        emissions.push({
          atSeconds: nominal,
          visibleAtSeconds: w.clock.seconds + 180,
          values: runMetrics(report).provider,
        });
        // Evaluated every minute while it runs: never silent, late data notwithstanding.
        for (let t = nominal; t < nominal + interval; t += 60) {
          silentWhileRunning ||= inAlarm(specs.refresherSilent, emissions, t) && run > 2;
        }
      }
      const stoppedAt = start + runs * interval;
      let firedAt: number | undefined;
      for (
        let t = stoppedAt;
        t < stoppedAt + 10 * specs.refresherSilent.periodSeconds && firedAt === undefined;
        t += 60
      ) {
        if (inAlarm(specs.refresherSilent, emissions, t)) firedAt = t;
      }

      expect(silentWhileRunning).toBe(false);
      expect(firedAt).toBeDefined();
      expect(firedAt! - stoppedAt).toBeLessThanOrEqual(3 * specs.refresherSilent.periodSeconds);
    });
  },
);
