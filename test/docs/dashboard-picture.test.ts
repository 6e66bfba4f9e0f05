import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METRIC, STAGE_WIDE_METRICS } from '../../contract/metrics.js';
import {
  type DashboardBody,
  legendOf,
  PICTURE,
  renderDashboardSvg,
  shippedDashboardBody,
} from '../../scripts/dashboard-picture.js';

describe('docs/dashboard.svg', () => {
  const body = shippedDashboardBody();
  const svg = renderDashboardSvg(body);

  it('is what `npm run docs:dashboard` draws from the synthesized dashboard (run it when this fails)', () => {
    expect(readFileSync(PICTURE, 'utf8')).toBe(svg);
  });

  it('draws every widget of the body, with its title and a legend line per metric', () => {
    expect(svg.match(/<g id="widget-\d+">/g)).toHaveLength(body.widgets.length);
    const graphs = body.widgets.filter((w) => w.type === 'metric');
    expect(graphs.length).toBeGreaterThanOrEqual(8);
    for (const w of graphs) {
      expect(svg).toContain(`>${w.properties.title!.split(' ').slice(0, 4).join(' ')}`);
      for (const row of w.properties.metrics!)
        expect(svg).toContain(legendOf(row).slice(0, 30).replaceAll('"', '&quot;'));
    }
  });

  it('graphs every metric the function emits, each per-provider one by provider', () => {
    const plotted = JSON.stringify(body.widgets);
    for (const name of Object.values(METRIC)) {
      const stageWide = (STAGE_WIDE_METRICS as readonly string[]).includes(name);
      expect(plotted, name).toContain(stageWide ? `"${name}"` : `MetricName=\\"${name}\\"`);
    }
  });

  it('names what a search plots, and where an AWS metric comes from', () => {
    expect(
      legendOf([{ expression: `SEARCH('{TokenRefresher/prod,Provider} MetricName="FailedStore"', 'Sum', 300)` }]),
    ).toBe('FailedStore (Sum) per Provider');
    expect(
      legendOf([{ expression: `SEARCH('{AWS/Lambda,FunctionName} MetricName="Errors" "X-prod"', 'Sum', 300)` }]),
    ).toBe('AWS/Lambda Errors (Sum) per FunctionName with "X-prod"');
    expect(legendOf(['TokenRefresher', 'Renewals', { stat: 'Sum' }])).toBe('Renewals (Sum)');
  });

  it('escapes text, so a title with markup cannot break the picture', () => {
    const tricky: DashboardBody = {
      widgets: [
        { type: 'metric', x: 0, y: 0, width: 12, height: 6, properties: { title: `a <b> & "c"`, metrics: [] } },
      ],
    };
    expect(renderDashboardSvg(tricky)).toContain('>a &lt;b&gt; &amp; &quot;c&quot;</text>');
  });
});
