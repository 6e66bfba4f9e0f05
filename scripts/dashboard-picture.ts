/**
 * Draws docs/dashboard.svg from the dashboard body that the fleet synthesizes for the shipped
 * providers file: its widgets where CloudWatch places them (a 24-column grid), each graph's title
 * and one legend line per metric or search. There is no data in it, only the layout and what each
 * graph plots, so the picture changes exactly when the dashboard does
 * (test/docs/dashboard-picture.test.ts fails when they drift). Run: npm run docs:dashboard
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseStackConfig } from '../providers/providers-file.js';
import { TokenRefresherFleet } from '../lib/token-refresher-fleet.js';

const root = path.join(import.meta.dirname, '..');
export const PICTURE = path.join(root, 'docs', 'dashboard.svg');
const REGION = 'us-east-1';

type MetricRow = [{ expression: string; label?: string }] | [string, string, { label?: string; stat?: string }];
export interface Widget {
  type: 'text' | 'metric';
  x: number;
  y: number;
  width: number;
  height: number;
  properties: { markdown?: string; title?: string; stacked?: boolean; metrics?: MetricRow[] };
}
export interface DashboardBody {
  widgets: Widget[];
}

/** Joins what CloudFormation would: the body is a string with the region left to deploy time. */
function resolveIntrinsics(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(resolveIntrinsics).join(join[0]);
  if ((value as { Ref?: string }).Ref === 'AWS::Region') return REGION;
  throw new Error(`dashboard body holds an intrinsic this picture cannot resolve: ${JSON.stringify(value)}`);
}

/** The body of the stage dashboard `cdk synth` makes of providers.json, the region resolved. */
export function shippedDashboardBody(): DashboardBody {
  // No esbuild: the dashboard does not depend on the function's code.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const raw: unknown = JSON.parse(readFileSync(path.join(root, 'providers.json'), 'utf8'));
  const { providers } = parseStackConfig(raw, 'providers.json');
  const fleet = new TokenRefresherFleet(app, 'Fleet', {
    providers,
    env: { account: '123456789012', region: REGION },
  });
  const resources = Object.values(
    Template.fromStack(fleet.sharedStack).findResources('AWS::CloudWatch::Dashboard') as Record<
      string,
      { Properties: { DashboardBody: unknown } }
    >,
  );
  if (resources.length !== 1) throw new Error(`expected one dashboard in the shared stack, found ${resources.length}`);
  return JSON.parse(resolveIntrinsics(resources[0]!.Properties.DashboardBody)) as DashboardBody;
}

const UNIT_W = 40;
const UNIT_H = 34;
const GAP = 6;
const PAD = 12;
/** Average width of a sans-serif character of `size` px, for wrapping and clipping. */
const charWidth = (size: number) => size * 0.6;
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2'];

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function clip(text: string, pixels: number, size = 12): string {
  const max = Math.floor(pixels / charWidth(size));
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function wrap(text: string, pixels: number, size = 12): string[] {
  const max = Math.floor(pixels / charWidth(size));
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > max) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/** What one metric row plots, in words: a search draws one line per match. */
export function legendOf(row: MetricRow): string {
  const [first] = row;
  if (typeof first === 'string') {
    const [, name, options] = row as [string, string, { label?: string; stat?: string }];
    return `${name} (${options.stat ?? 'Average'})`;
  }
  const search = /^SEARCH\('\{([^,}]+),([^}]+)\} MetricName="([^"]+)"(?: "([^"]+)")?', '([^']+)', \d+\)$/.exec(
    first.expression,
  );
  if (!search) return first.label ?? first.expression;
  const [, namespace, dimension, metric, term, stat] = search;
  const scope = term ? `${dimension} with "${term}"` : dimension;
  // The stage's own namespace is in the text widget above; AWS namespaces say where a metric is from.
  const source = namespace!.startsWith('AWS/') ? `${namespace} ` : '';
  return `${source}${metric} (${stat}) per ${scope}`;
}

function markdownLines(markdown: string): { text: string; heading: boolean }[] {
  return markdown.split('\n').map((line) => ({
    heading: line.startsWith('#'),
    text: line
      .replace(/^#+\s*/, '')
      // A link's URL may hold one level of parentheses (the console's alarm search does).
      .replace(/\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)/g, '$1')
      .replace(/`/g, ''),
  }));
}

function drawWidget(w: Widget, index: number): string[] {
  const x = PAD + w.x * UNIT_W + GAP / 2;
  const y = PAD + w.y * UNIT_H + GAP / 2;
  const width = w.width * UNIT_W - GAP;
  const height = w.height * UNIT_H - GAP;
  const out = [
    `<g id="widget-${index}">`,
    `<rect x="${x}" y="${y}" width="${width}" height="${height}" rx="3" fill="#ffffff" stroke="#d5dbdb"/>`,
  ];
  if (w.type === 'text') {
    let line = y + 22;
    for (const { text, heading } of markdownLines(w.properties.markdown ?? '')) {
      for (const part of wrap(text, width - 24)) {
        const weight = heading ? ' font-weight="bold" font-size="14"' : '';
        out.push(`<text x="${x + 12}" y="${line}"${weight}>${escape(part)}</text>`);
        line += 18;
      }
    }
  } else {
    const { title = '', stacked, metrics = [] } = w.properties;
    const heading = stacked ? `${title} · stacked` : title;
    const titleLines = wrap(heading, width - 24);
    titleLines.forEach((line, i) =>
      out.push(`<text x="${x + 12}" y="${y + 22 + i * 16}" font-weight="bold">${escape(line)}</text>`),
    );
    const legendTop = y + height - 10 - metrics.length * 16;
    const plot = { left: x + 40, right: x + width - 14, top: y + 20 + titleLines.length * 16, bottom: legendTop - 8 };
    for (let i = 0; i <= 3; i++) {
      const gy = Math.round(plot.top + ((plot.bottom - plot.top) * i) / 3);
      out.push(`<line x1="${plot.left}" y1="${gy}" x2="${plot.right}" y2="${gy}" stroke="#eaeded"/>`);
    }
    out.push(`<line x1="${plot.left}" y1="${plot.top}" x2="${plot.left}" y2="${plot.bottom}" stroke="#879596"/>`);
    metrics.forEach((row, i) => {
      const ly = legendTop + 12 + i * 16;
      const color = COLORS[i % COLORS.length]!;
      out.push(
        `<rect x="${x + 12}" y="${ly - 9}" width="10" height="10" fill="${color}"/>`,
        `<text x="${x + 28}" y="${ly}" font-size="11">${escape(clip(legendOf(row), width - 40, 11))}</text>`,
      );
    });
  }
  out.push('</g>');
  return out;
}

/** The SVG document for `body`: one group per widget, in the body's order. */
export function renderDashboardSvg(body: DashboardBody): string {
  const rows = Math.max(...body.widgets.map((w) => w.y + w.height));
  const width = 2 * PAD + 24 * UNIT_W;
  const height = 2 * PAD + rows * UNIT_H + 20;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Arial, Helvetica, sans-serif" font-size="12" fill="#16191f">`,
    `<title>The stage dashboard token-refresher deploys: layout and metrics, without data</title>`,
    `<rect width="${width}" height="${height}" fill="#f2f3f3"/>`,
    ...body.widgets.flatMap(drawWidget),
    `<text x="${PAD}" y="${height - 10}" fill="#687078" font-size="11">Drawn by scripts/dashboard-picture.ts from the dashboard body synthesized for providers.json: layout and metrics, no data. Every graph has 5-minute periods.</text>`,
    '</svg>',
    '',
  ].join('\n');
}

if (process.argv[1] === import.meta.filename) {
  const svg = renderDashboardSvg(shippedDashboardBody());
  let current = '';
  try {
    current = readFileSync(PICTURE, 'utf8');
  } catch {
    // First run: there is no picture yet.
  }
  if (svg !== current) {
    writeFileSync(PICTURE, svg);
    console.log(`updated ${path.relative(root, PICTURE)}`);
  }
}
