import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SynthesisMessageLevel } from 'aws-cdk-lib/cx-api';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { wireLambdaConsumer } from '../../lib/consumer-wiring.js';
import { ProviderTokenRefresher } from '../../lib/provider-token-refresher.js';
import { TokenRefresherFleet } from '../../lib/token-refresher-fleet.js';
import { parseProvidersFile } from '../../providers/providers-file.js';
import { REPO_ROOT, STUB_ENTRY } from './fixtures.js';

/**
 * aws-cdk-lib warns in any app with a cross-stack reference and no `@aws-cdk/core:defaultCrossStackReferences`
 * context. A user's app has none of this repository's cdk.json, so these apps are built without it.
 */
const FLAG = '@aws-cdk/core:defaultCrossStackReferences';
const WARNING = /No cross-stack-reference strength configured/;

/** An app as `cdk init` makes it: no feature flags, bundling skipped (what is checked is the references). */
const userApp = (context: Record<string, unknown> = {}) =>
  new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });

const providers = () =>
  parseProvidersFile({
    providers: [
      { id: 'cv', preset: 'clickview', clientId: 'embed' },
      { id: 'mm', preset: 'mediamelon' },
    ],
  });

function warnings(app: App): string[] {
  return app
    .synth()
    .stacks.flatMap((s) => s.messages)
    .filter((m) => m.level === SynthesisMessageLevel.WARNING)
    .map((m) => JSON.stringify(m.entry.data));
}

describe('cross-stack reference strength', () => {
  it('a fleet in an app without the flag: no warning, and its stacks still reference the shared stack strongly', () => {
    const app = userApp();
    const fleet = new TokenRefresherFleet(app, 'Fleet', { providers: providers(), functionEntry: STUB_ENTRY });

    expect(warnings(app).filter((w) => WARNING.test(w))).toEqual([]);
    const assembly = app.synth();
    const refresherTemplates = [...fleet.refresherStacks.values()].map((s) =>
      JSON.stringify(assembly.getStackByName(s.stackName).template),
    );
    expect(refresherTemplates.length).toBeGreaterThan(0);
    for (const template of refresherTemplates) {
      expect(template).toContain('Fn::ImportValue');
      expect(template).not.toContain('Fn::GetStackOutput');
    }
  });

  it('a consumer in another stack than its refresher warns until the app sets the flag the docs name', () => {
    const build = (app: App) => {
      const [provider] = providers();
      const refresher = new ProviderTokenRefresher(new Stack(app, 'Tokens'), 'Cv', {
        provider: provider!,
        functionEntry: STUB_ENTRY,
      });
      const consumers = new Stack(app, 'Api');
      wireLambdaConsumer(
        refresher,
        new lambda.Function(consumers, 'Api', {
          runtime: lambda.Runtime.NODEJS_24_X,
          handler: 'index.handler',
          code: lambda.Code.fromInline('exports.handler = async () => 1'),
        }),
      );
      return app;
    };
    const docs = readFileSync(`${REPO_ROOT}/docs/how-it-works.md`, 'utf8');
    const documented = new RegExp(`"${FLAG}": "(\\w+)"`).exec(docs)?.[1];

    expect(warnings(build(userApp())).filter((w) => WARNING.test(w))).toHaveLength(1);
    expect(documented).toBe('strong');
    expect(warnings(build(userApp({ [FLAG]: documented })))).not.toContainEqual(expect.stringMatching(WARNING));
  });
});
