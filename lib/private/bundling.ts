import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { AssetHashType, DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * How the refresher function is bundled, in one place for both ways it is built: at synth time from
 * the TypeScript sources (this repository), and ahead of time into the construct package
 * (scripts/build-packages.ts), whose users need neither esbuild nor the sources.
 *
 * Minified CommonJS for Node 24, source maps without the sources (stack traces need the mappings
 * only; the sources would double the asset), and the pinned, tested AWS SDK bundled rather than
 * whatever the runtime ships.
 */
export const REFRESHER_BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  outfile: 'index.js',
  logLevel: 'warning',
} as const;

/** The one esbuild call this file makes, typed here so the package's declarations need no esbuild. */
interface Esbuild {
  buildSync(
    options: Omit<typeof REFRESHER_BUILD_OPTIONS, 'outfile'> & { entryPoints: string[]; outfile: string; write: false },
  ): { outputFiles: { path: string; contents: Uint8Array }[] };
}

/** The refresher's TypeScript entry in this repository. */
export const REFRESHER_ENTRY = path.join(import.meta.dirname, '..', '..', 'lambda', 'index.ts');

/** Where the construct package keeps the refresher bundled ahead of time (absent in this repository). */
const PREBUILT_REFRESHER = path.join(import.meta.dirname, '..', '..', 'assets', 'refresher');

/**
 * The refresher's code: the prebuilt bundle when the construct runs from its package, else `entry`
 * bundled with esbuild at synth time (no Docker).
 *
 * The asset is hashed from the bundle, not from the entry's folder: the bundle is made of lambda/,
 * core/, contract/ and the dependencies, and a hash of lambda/ alone left the template unchanged
 * when only the engine changed, so a deployment kept the old code. CDK stages a bundled asset once
 * per source folder, options and output directory, and `EsbuildBundling` puts the entry into those
 * options: a stack or an app of many providers bundles once. `aws:cdk:bundling-stacks` skips it as
 * for any asset.
 * @param entry a TypeScript file exporting `handler` (tests and forks); default: the refresher
 */
export function refresherCode(entry?: string): lambda.Code {
  if (entry === undefined && existsSync(path.join(PREBUILT_REFRESHER, 'index.js'))) {
    return lambda.Code.fromAsset(PREBUILT_REFRESHER);
  }
  const source = path.resolve(entry ?? REFRESHER_ENTRY);
  return lambda.Code.fromAsset(path.dirname(source), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never used: local bundling always succeeds or throws. CDK requires an image nonetheless.
      image: DockerImage.fromRegistry('token-refresher-bundles-locally'),
      local: new EsbuildBundling(source),
    },
  });
}

/**
 * Bundles one entry with esbuild. `entry` is a field rather than a closure because CDK's staging
 * cache key serialises the bundling options: two entries in one folder must not share a bundle.
 */
class EsbuildBundling implements ILocalBundling {
  constructor(readonly entry: string) {}

  tryBundle(outputDir: string): boolean {
    // Built in memory as if next to the entry, then written to `outputDir`: the source map's paths
    // are then relative to the sources, not to the output directory, so the same sources give the
    // same bundle (and the same hash) wherever `cdk.out` is.
    const { outputFiles } = esbuild().buildSync({
      ...REFRESHER_BUILD_OPTIONS,
      entryPoints: [this.entry],
      outfile: path.join(path.dirname(this.entry), REFRESHER_BUILD_OPTIONS.outfile),
      write: false,
    });
    for (const file of outputFiles) writeFileSync(path.join(outputDir, path.basename(file.path)), file.contents);
    return true;
  }
}

/** esbuild is needed only to bundle from source, so it is loaded only then. */
function esbuild(): Esbuild {
  try {
    return createRequire(import.meta.url)('esbuild') as Esbuild;
  } catch {
    throw new Error(
      'token-refresher: bundling the refresher from its sources needs esbuild; install it (npm i -D esbuild) or use the published construct package, which ships the bundle',
    );
  }
}
