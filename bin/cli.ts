#!/usr/bin/env node
/**
 * The operator CLI's process entry: the `token-refresher` bin of the CLI package (compiled), and
 * `npm run -s cli --` in this repository (through tsx). It wires the real process into cli/, where
 * everything else lives and is tested without a process.
 */
import { nodeVersionProblem } from '../contract/node-support.js';
import { EXIT } from '../cli/exit-codes.js';

// Before anything else loads: on an older Node.js the AWS SDK would print its own warning on every
// command, and the operator would learn nothing about what to do.
const tooOld = nodeVersionProblem(process.versions.node);
if (tooOld) {
  process.stderr.write(`error: ${tooOld}\n`);
  process.exit(EXIT.usage); // the machine, not a provider, needs fixing
}

const { runCli } = await import('../cli/main.js');
const { terminalPrompt } = await import('../cli/common/prompt.js');
const { processHost } = await import('../cli/run/host.js');
const { openBrowser } = await import('../cli/connect/open-browser.js');

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
  connect: { openBrowser, stdin: process.stdin },
});
