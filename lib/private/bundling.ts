import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * How this project's functions are bundled: minified CommonJS for Node 24, source maps without the
 * sources (stack traces need the mappings only; the sources would double the asset), and the pinned,
 * tested AWS SDK bundled rather than whatever the runtime ships.
 * @param externalModules modules known never to load (e.g. the client of a store not in use)
 */
export function bundling(externalModules: string[] = []): BundlingOptions {
  return {
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    target: 'node24',
    format: OutputFormat.CJS,
    externalModules,
  };
}
