import { type CostItem } from './cost-model.js';
import type { CredentialsLayout } from '../../providers/fleet.js';
import { stageProblem } from '../../contract/naming.js';
import { type Plan, planStage, type ProviderPlan } from './plan.js';
import { STORE_DISPLAY_NAME } from '../../contract/token-stores.js';
import { CliError, UsageError } from '../common/errors.js';
import { formatDuration } from '../common/format-duration.js';
import type { CliIo } from '../common/io.js';
import { loadStackConfig } from '../common/providers-file.js';
import { renderTable } from '../common/table.js';
import { wrap } from '../common/text.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { formatRate } from '../../providers/schedule-plan.js';

export interface PlanOptions {
  readonly providersFile: string;
  /** Undefined: the default stage, as `cdk deploy` without `--context stage`. */
  readonly stage?: string;
  /** Undefined: the stage's default, as `cdk deploy` without `--context credentialsLayout`. */
  readonly credentialsLayout?: CredentialsLayout;
  readonly json: boolean;
}

/** Every line of the text view fits this width, whatever the ids (at most 40 characters). */
export const PLAN_WIDTH = 100;

export const PLAN_COLUMNS = ['PROVIDER', 'CHECK', 'RENEWED', 'RENEWALS/DAY', 'VS BOUND', 'STORE', '$/MONTH'] as const;

const STORE_SHORT = { secretsmanager: 'SM', parameterstore: 'PS' } as const;

/** Dollars: cents for totals, a tenth of a cent for items (most are under a cent). */
export const usd = (amount: number, digits = 2) => `$${amount.toFixed(digits)}`;

export { formatRate };

/** `1.56x`: how many times the least renewals per day the provider's token is renewed. */
export const formatRatio = (ratio: number) => `${ratio.toFixed(2)}x`;

/** `token-refresher plan`: offline, from the providers file; reads no secret and calls no AWS API. */
export function runPlan(options: PlanOptions, io: CliIo): ExitCode {
  const stageMistake = options.stage === undefined ? undefined : stageProblem(options.stage);
  if (stageMistake) throw new UsageError(`--${stageMistake}`, 'plan');
  const { providers, events, alarmEmails } = loadStackConfig(options.providersFile, io, 'aws');
  const plan = planStage(providers, options.stage, options.credentialsLayout, events);
  if (plan.capacityProblems.length > 0) {
    // The CDK app refuses such a fleet (lib/token-refresher-fleet.ts): a plan of it would not be deployed.
    throw new CliError('the providers do not fit one stage', EXIT.usage, 'fleet_capacity', plan.capacityProblems);
  }
  if (options.json) {
    io.stdout(`${JSON.stringify({ ...plan, alarmEmails: alarmEmails.length }, null, 2)}\n`);
    return EXIT.ok;
  }
  // The CDK app warns at synth too (lib/private/stage-parts.ts); by then the plan is already made.
  const noSubscriber =
    alarmEmails.length > 0
      ? []
      : wrap(
          'Note: the providers file has no "alarmEmails", so the alarm topic has no subscriber and alarms page nobody: add "alarmEmails", or subscribe your on-call tool to the topic (stack output AlarmTopicArn).',
          PLAN_WIDTH,
          '',
        );
  io.stdout(renderPlan(plan) + (noSubscriber.length > 0 ? `\n${noSubscriber.join('\n')}\n` : ''));
  return EXIT.ok;
}

/** `head` then `text` wrapped to the width, its further lines continued under its first. */
function hanging(head: string, text: string): string[] {
  return wrap(text, PLAN_WIDTH - head.length, '').map((line, i) =>
    `${i === 0 ? head : ' '.repeat(head.length)}${line}`.trimEnd(),
  );
}

function costLines(items: readonly CostItem[], indent: string): string[] {
  const width = Math.max(...items.map((i) => i.service.length));
  return items.flatMap((item) =>
    hanging(`${indent}${item.service.padEnd(width)}  ${usd(item.usd, 3).padStart(6)}  `, item.basis),
  );
}

/** A quota's label, its text aligned after the longest. */
const quotaHead = (label: string) => `  ${label.padEnd('Parameter Store'.length)}  `;

/** `label  value` under a provider. */
const detail = (label: string, value: string) => hanging(`  ${label.padEnd(6)}  `, value);

function providerDetails(p: ProviderPlan): string[] {
  const r = p.renewals;
  return [
    `${p.id} (preset ${p.preset})`,
    ...detail('stack', p.stack),
    ...(p.issuer === undefined ? [] : detail('token', `endpoint discovered at run time from ${p.issuer}`)),
    ...detail(
      'renews',
      `every ${formatDuration(r.renewalPeriodSeconds)} (checked every ${formatDuration(r.checkIntervalMinutes * 60)}): ` +
        `${formatRate(r.renewalsPerDay)} a day, ${formatRatio(r.ratioToBound)} the bound of ` +
        `${formatRate(r.boundPerDay)} = 86400 / (${p.lifetimeSeconds} s lifetime - ${p.minValiditySeconds} s ` +
        `minValidity); ${formatRate(r.storeWritesPerDay)} store writes a day`,
    ),
    ...detail('store', `${STORE_DISPLAY_NAME[p.store]}: ${p.storeReason}`),
    ...detail('pages', p.pages.map((a) => a.name).join(', ')),
    ...detail('cost', `${usd(p.cost.totalUsd)} a month:`),
    ...costLines(p.cost.items, ' '.repeat(10)),
  ];
}

/** The text view: a compact table, each provider's details, then the stage's stacks and costs. */
export function renderPlan(plan: Plan): string {
  const n = plan.providers.length;
  const intro = wrap(
    `Stage "${plan.stage}" (stacks ${plan.stackName}*, names ${plan.namePrefix}*), ${n} provider${n === 1 ? '' : 's'}: ` +
      `estimated ${plan.prices.currency} a month at ${plan.prices.region} list prices of ${plan.prices.date}, ` +
      `no free tier, a healthy month; the stage's shared cost divided among its providers.`,
    PLAN_WIDTH,
    '',
  );
  const table = renderTable(
    PLAN_COLUMNS,
    plan.providers.map((p) => [
      p.id,
      formatDuration(p.renewals.checkIntervalMinutes * 60),
      formatDuration(p.renewals.renewalPeriodSeconds),
      formatRate(p.renewals.renewalsPerDay),
      formatRatio(p.renewals.ratioToBound),
      STORE_SHORT[p.store],
      p.cost.totalUsd.toFixed(2),
    ]),
  );
  const stacks = plan.stacks.flatMap((s) => {
    const what =
      s.role === 'shared'
        ? plan.credentialsLayout === 'shared-stack'
          ? `shared: the stage key, alarm topic and dashboard; credentials secrets of ${s.providers.length} provider${s.providers.length === 1 ? '' : 's'}`
          : 'shared: the stage key, alarm topic and dashboard (each credentials secret is in its refresher stack)'
        : s.providers.join(', ');
    return hanging(`  ${s.name.padEnd(plan.stackName.length + 3)}  `, what);
  });
  const shared = plan.stageCost.totalUsd;
  const q = plan.quotas;
  const count = (n: number) => n.toLocaleString('en-US');
  const quotas = [
    ...hanging(
      quotaHead('Lambda'),
      `${count(q.lambda.reserved)} reserved (1 a refresher) + 100 Lambda keeps unreserved: the account's "Concurrent executions" quota must be at least ${count(q.lambda.accountConcurrencyNeeded)} ` +
        (q.lambda.accountConcurrencyNeeded > q.lambda.defaultAccountConcurrency
          ? `(the default is ${count(q.lambda.defaultAccountConcurrency)}: ask for more, quota code L-B99A9384, before the deploy)`
          : `(the default is ${count(q.lambda.defaultAccountConcurrency)}; new accounts may have less: aws lambda get-account-settings)`),
    ),
    ...hanging(
      quotaHead('Parameter Store'),
      `${formatRate(q.ssm.peakReadsPerSecond)} reads a second at the busiest minute (${count(q.ssm.busiestMinuteReads)} reads, ${count(q.ssm.busiestMinuteWrites)} writes, if every run of it renewed), ` +
        (q.ssm.peakReadsPerSecond > q.ssm.defaultGetTps
          ? `above the default ${q.ssm.defaultGetTps} a second: turn on higher throughput ($${q.ssm.higherThroughputUsdPer10k} per 10,000 calls) or split the stage`
          : `within the default ${q.ssm.defaultGetTps} a second (higher throughput costs $${q.ssm.higherThroughputUsdPer10k} per 10,000 calls)`),
    ),
    ...hanging(
      quotaHead('Deploy'),
      `${count(q.deploy.stacks)} stacks (credentials layout ${plan.credentialsLayout}); the largest template holds ${count(q.deploy.largestTemplateResources)} resources and ${count(q.deploy.largestTemplateOutputs)} outputs (CloudFormation allows 500 and 200)`,
    ),
  ];
  const lines = [
    ...intro,
    '',
    table.trimEnd(),
    '',
    ...plan.providers.flatMap((p) => [...providerDetails(p), '']),
    `Stacks of stage "${plan.stage}" (${plan.stacks.length}):`,
    ...stacks,
    '',
    `Quotas of stage "${plan.stage}":`,
    ...quotas,
    '',
    `Stage shared cost: ${usd(shared)} a month, ${usd(shared / n)} per provider:`,
    ...costLines(plan.stageCost.items, '  '),
    '',
    `Total: ${usd(plan.totalUsd)} a month for ${n} provider${n === 1 ? '' : 's'}, the stage's shared ${usd(shared)} included.`,
  ];
  return `${lines.join('\n')}\n`;
}
