#!/usr/bin/env node
/**
 * The operator CLI's process entry: the `token-refresher` bin of the CLI package (compiled), and
 * `npm run -s cli --` in this repository (through tsx). It wires the real process into cli/, where
 * everything else lives and is tested without a process.
 */
import { runCli } from '../cli/main.js';
import { terminalPrompt } from '../cli/common/prompt.js';
import { processHost } from '../cli/run/host.js';

// `token-refresher status | head` closes the pipe early; that is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await runCli(process.argv.slice(2), {
  io: {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    env: process.env,
    now: () => Date.now(),
    prompt: terminalPrompt,
    cwd: process.cwd(),
  },
  host: processHost(),
});
