#!/usr/bin/env node
// The `token-refresher` command (package.json "bin"). npm links this plain JavaScript file, which
// registers tsx's loader and runs the TypeScript entry, so the CLI needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
