/**
 * The figures docs/ and the README quote in prose (writes a day, prices, a month's requests), computed
 * as `token-refresher plan` and its cost model compute them. A quoted figure sits between
 * `<!-- figure: <name> -->` and `<!-- /figure -->`, and a sample of a synth error in a code block
 * after `<!-- sample: <name> -->`; `npm run docs:sync` rewrites both, and test/docs/figures.test.ts
 * fails when a doc quotes a figure that differs, or one without a marker.
 */
import { formatRate, usd } from '../cli/plan/command.js';
import { DAYS_PER_MONTH, PRICES } from '../cli/plan/cost-model.js';
import { renewingRunCalls } from '../cli/plan/run-calls.js';
import { SECRETS_MANAGER_MAX_WRITES_PER_DAY } from '../contract/token-stores.js';
import { parseStackConfig } from '../providers/providers-file.js';
import { shippedPlan, shippedProvidersFile } from './cost-section.js';

const FIGURE = /<!-- figure: (\S+) -->([\s\S]*?)<!-- \/figure -->/g;
const SAMPLE = /(<!-- sample: (\S+) -->\n```\w*\n)([\s\S]*?)```/g;

/** Every figure a doc may quote, by name. */
export function docFigures(): ReadonlyMap<string, string> {
  const figures = new Map<string, string>();
  for (const p of shippedPlan().providers) {
    figures.set(`writes-a-day:${p.id}`, formatRate(p.renewals.storeWritesPerDay));
  }
  figures.set('secretsmanager-max-writes-a-day', String(SECRETS_MANAGER_MAX_WRITES_PER_DAY));
  figures.set('kms-key-month', usd(PRICES.kmsKeyMonth));
  figures.set('kms-per-10k-requests', usd(PRICES.kmsPer10kRequests));
  figures.set('kms-asymmetric-key-month', usd(PRICES.kmsAsymmetricKeyMonth));
  figures.set('kms-asymmetric-per-10k-signs', usd(PRICES.kmsAsymmetricPer10kRequests));
  figures.set('events-per-million', usd(PRICES.eventsPerMillion));
  // A provider renewed every 5 minutes with `tokenRenewed` on puts one event per renewal (docs/events.md).
  figures.set('renewals-a-month:5m', Math.round((24 * 60 * DAYS_PER_MONTH) / 5).toLocaleString('en-US'));
  // The ledger of a client_credentials provider renewed on every one-minute run (docs/security.md).
  const ledgerWrites =
    renewingRunCalls({ grant: 'client_credentials', useRefreshToken: false, clientAuth: 'client_secret_post' })
      .stateWrites *
    24 *
    60 *
    DAYS_PER_MONTH;
  figures.set('ledger-writes-a-month:1m', Math.round(ledgerWrites).toLocaleString('en-US'));
  figures.set('ledger-kms-month:1m', usd((ledgerWrites / 10_000) * PRICES.kmsPer10kRequests));
  return figures;
}

/** The error `cdk synth` gives for the shipped NAGRA entry with `store: "secretsmanager"`, cut after three lines. */
function storeErrorSample(): string {
  const file = shippedProvidersFile();
  const providers = file.providers.map((p) => (p.id === 'nagra' ? { ...p, store: 'secretsmanager' } : p));
  try {
    parseStackConfig({ ...file, providers }, 'providers.json');
  } catch (error) {
    const [head, problem] = (error as Error).message.split('\n');
    return [head, ...wrapped(problem!, 100, '    ').slice(0, 3)].join('\n') + ' …\n';
  }
  throw new Error('doc-figures: the shipped NAGRA entry with store "secretsmanager" no longer fails');
}

/** `text` broken at spaces into lines of at most `width`, the later ones indented by `indent`. */
function wrapped(text: string, width: number, indent: string): string[] {
  const lead = /^ */.exec(text)![0];
  const lines: string[] = [];
  let line = lead;
  for (const word of text.slice(lead.length).split(' ')) {
    if (line.trim() !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = line.trim() === '' ? line + word : `${line} ${word}`;
  }
  return [...lines, line];
}

const SAMPLES: Readonly<Record<string, () => string>> = { 'store-error': storeErrorSample };

/** `doc` with every marked figure and sample as the code computes it; throws on a name it does not know. */
export function withFigures(doc: string, figures: ReadonlyMap<string, string> = docFigures()): string {
  return doc
    .replace(FIGURE, (_, name: string) => {
      const value = figures.get(name);
      if (value === undefined)
        throw new Error(`doc-figures: no figure "${name}" (known: ${[...figures.keys()].join(', ')})`);
      return `<!-- figure: ${name} -->${value}<!-- /figure -->`;
    })
    .replace(SAMPLE, (_, head: string, name: string) => {
      const sample = SAMPLES[name];
      if (!sample) throw new Error(`doc-figures: no sample "${name}" (known: ${Object.keys(SAMPLES).join(', ')})`);
      return `${head}${sample()}\`\`\``;
    });
}

/** `doc` without its marked figures, samples and generated cost section: what must quote no figure. */
export function unmarkedText(doc: string): string {
  return doc
    .replace(FIGURE, '')
    .replace(SAMPLE, '')
    .replace(/<!-- cost:begin -->[\s\S]*?<!-- cost:end -->/, '');
}

/** Quoted write rates and costs: `$0.26`, `480 times a day`, `87,600 times a month`, `96 writes per 24 h`. */
export const QUOTED_FIGURE =
  /\$\d|\b\d[\d,.]*\s+(?:(?:times|writes|renewals|store writes|requests)\s+)?(?:a|per|an)\s+(?:day|month|24 h)\b/g;
