/**
 * The refresher's code hash, bundled for real with esbuild: the function's asset must change when
 * anything that is bundled changes, including the engine in core/ and the contract in contract/,
 * which live outside the entry's folder (lambda/). Each synth here really runs esbuild.
 */
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProviderTokenRefresher } from '../../lib/provider-token-refresher.js';
import {
  cdkJsonContext,
  PARAMETER_STORE_ENTRY,
  SECRETS_MANAGER_ENTRY,
  REPO_ROOT,
  resolvedProvider,
} from './fixtures.js';

/** What the refresher bundle is made of (esbuild follows the imports from lambda/index.ts). */
const SOURCE_FOLDERS = ['lambda', 'core', 'contract', 'base'];

let scratch: string;
let sources: string;
beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'token-refresher-bundling-'));
  // A copy of the sources, so that the test can edit them; node_modules resolves from the checkout.
  sources = path.join(scratch, 'src');
  for (const folder of SOURCE_FOLDERS)
    cpSync(path.join(REPO_ROOT, folder), path.join(sources, folder), { recursive: true });
  for (const file of ['package.json', 'tsconfig.json']) cpSync(path.join(REPO_ROOT, file), path.join(sources, file));
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(sources, 'node_modules'), 'dir');
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * The S3 keys of the refresher functions of an app that bundles (no `aws:cdk:bundling-stacks`
 * override), synthesised into a new directory under `outdirParent`.
 */
function refresherCodeKeys(
  providerEntries: readonly Record<string, unknown>[],
  stacks = 1,
  outdirParent = scratch,
  functionEntry = (_index: number) => path.join(sources, 'lambda', 'index.ts'),
): string[] {
  mkdirSync(outdirParent, { recursive: true });
  const app = new App({ context: cdkJsonContext(), outdir: mkdtempSync(path.join(outdirParent, 'cdk.out-')) });
  const stackList = Array.from({ length: stacks }, (_, i) => new Stack(app, `Bundled${i}`));
  providerEntries.forEach((entry, i) => {
    new ProviderTokenRefresher(stackList[i % stacks] as Stack, `Refresher${i}`, {
      provider: resolvedProvider(entry),
      functionEntry: functionEntry(i),
    });
  });
  const assembly = app.synth();
  return stackList.flatMap((stack) =>
    Object.values(
      assembly.getStackByName(stack.stackName).template.Resources as Record<
        string,
        { Type: string; Properties: { Handler?: string; Code?: { S3Key?: string } } }
      >,
    )
      .filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Handler === 'index.handler')
      .map((r) => r.Properties.Code?.S3Key ?? 'no S3Key'),
  );
}

const oneRefresher = (outdirParent = scratch) => refresherCodeKeys([SECRETS_MANAGER_ENTRY], 1, outdirParent);

describe('the refresher code hash', () => {
  it('is the same for the same sources, whatever the output directory', () => {
    // GIVEN / WHEN the unchanged sources synthesised twice, into cdk.out folders at different depths
    const [first] = oneRefresher();
    const [second] = oneRefresher(path.join(scratch, 'a', 'deeper', 'place'));
    // THEN
    expect(first).toMatch(/^[0-9a-f]{64}\.zip$/);
    expect(second).toBe(first);
  });

  it('changes when a file under core/ changes the bundled code', () => {
    // GIVEN the hash of the unchanged sources
    const [before] = oneRefresher();
    // WHEN the engine changes, and nothing in lambda/ does
    appendFileSync(path.join(sources, 'core', 'refresh.ts'), '\n(globalThis as Record<string, unknown>).edited = 1;\n');
    const [after] = oneRefresher();
    // THEN
    expect(after).not.toBe(before);
  });

  it('changes when a file under contract/ changes the bundled code', () => {
    // GIVEN
    const [before] = oneRefresher();
    // WHEN
    appendFileSync(
      path.join(sources, 'contract', 'provider-settings.ts'),
      '\n(globalThis as Record<string, unknown>).edited = 1;\n',
    );
    const [after] = oneRefresher();
    // THEN
    expect(after).not.toBe(before);
  });

  it('stays when an edit leaves the bundle as it was (a comment at the end of a file)', () => {
    // GIVEN
    const [before] = oneRefresher();
    // WHEN a comment is appended: esbuild drops it, and no line of the source map moves
    appendFileSync(path.join(sources, 'core', 'refresh.ts'), '\n// a comment only\n');
    const [after] = oneRefresher();
    // THEN nothing deployed changed, so nothing is redeployed
    expect(after).toBe(before);
  });
});

describe('bundling', () => {
  it('runs once for every refresher of an app, across its stacks', () => {
    // GIVEN CDK's own report of each asset it bundles
    const stderr = vi.spyOn(process.stderr, 'write');
    // WHEN four refreshers in two stacks are synthesised
    const keys = refresherCodeKeys(
      [
        SECRETS_MANAGER_ENTRY,
        PARAMETER_STORE_ENTRY,
        { ...SECRETS_MANAGER_ENTRY, id: 'loop-sm-2' },
        { ...PARAMETER_STORE_ENTRY, id: 'loop-ps-2' },
      ],
      2,
    );
    const bundled = stderr.mock.calls.filter(([chunk]) => String(chunk).startsWith('Bundling asset')).length;
    stderr.mockRestore();
    // THEN one esbuild run, one asset
    expect(keys).toHaveLength(4);
    expect(new Set(keys).size).toBe(1);
    expect(bundled).toBe(1);
  });

  it('keeps two entries of one folder apart', () => {
    // GIVEN a second entry beside lambda/index.ts
    const other = path.join(sources, 'lambda', 'other-entry.ts');
    writeFileSync(other, 'export const handler = async () => ({ outcome: "fresh" });\n');
    // WHEN one refresher uses each
    const keys = refresherCodeKeys([SECRETS_MANAGER_ENTRY, PARAMETER_STORE_ENTRY], 1, scratch, (i) =>
      i === 0 ? path.join(sources, 'lambda', 'index.ts') : other,
    );
    // THEN each gets its own bundle
    expect(new Set(keys).size).toBe(2);
  });
});
