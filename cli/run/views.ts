import { formatTime } from '../common/format-duration.js';
import { oneLine } from '../common/text.js';
import type { LocalEvent } from '../../local/runner.js';
import { clockTime, describeEvent } from './describe-event.js';
import { eventJson } from './event-json.js';

export interface StartInfo {
  readonly mode: 'demo' | 'real';
  readonly dir: string;
  /** The embedded OAuth server's base URL (demo only). */
  readonly server?: string;
  readonly providers: readonly {
    readonly id: string;
    readonly tokenFile: string;
    readonly checkIntervalMinutes: number;
  }[];
  /** What the demo changed, and how each provider's IdP behaves. */
  readonly notes: readonly string[];
}

/** How `run` shows what happens: a live table on a terminal, lines in a pipe, JSON for scripts. */
export interface RunView {
  start(info: StartInfo): void;
  event(event: LocalEvent): void;
  stopping(signal: string, inFlight: readonly string[]): void;
  stopped(): void;
}

export function startLines(info: StartInfo): string[] {
  const lines =
    info.mode === 'demo'
      ? [
          'token-refresher run: demo mode (no credentials configured), no AWS, no network beyond loopback',
          `  embedded OAuth server ${info.server ?? ''} with built-in demo credentials (never printed)`,
          '  adapted for the demo: token endpoints point at it, every provider is checked every minute,',
          '  and the server grants short lifetimes so that renewals show within a minute or two:',
          ...info.notes.map((n) => `    ${n}`),
        ]
      : [`token-refresher run: ${info.providers.length} provider(s) against their real token endpoints`];
  const example = info.providers[0]?.tokenFile ?? `${info.dir}/<provider>.token.json`;
  lines.push(
    `  tokens and state in ${info.dir}; a consumer reads a token with TOKEN_SOURCE=file:${example}`,
    '  Ctrl-C stops; a restart resumes from the state files.',
    '',
  );
  return lines;
}

/** `--json`: one JSON object per line. */
export class JsonView implements RunView {
  constructor(private readonly write: (text: string) => void) {}

  private line(value: object): void {
    this.write(`${JSON.stringify(value)}\n`);
  }

  start(info: StartInfo): void {
    this.line({
      event: 'started',
      mode: info.mode,
      dir: info.dir,
      ...(info.server ? { server: info.server } : {}),
      providers: info.providers,
      ...(info.notes.length > 0 ? { notes: info.notes.map((n) => oneLine(n)) } : {}),
    });
  }

  event(event: LocalEvent): void {
    this.line(eventJson(event));
  }

  stopping(signal: string, inFlight: readonly string[]): void {
    this.line({ event: 'stopping', at: formatTime(Date.now()), signal, inFlight });
  }

  stopped(): void {
    this.line({ event: 'stopped', at: formatTime(Date.now()) });
  }
}

/** Not a terminal: one line per event, nothing redrawn. */
export class LineView implements RunView {
  constructor(
    private readonly write: (text: string) => void,
    private readonly now: () => number,
  ) {}

  start(info: StartInfo): void {
    this.write(`${startLines(info).join('\n')}\n`);
  }

  event(event: LocalEvent): void {
    this.write(`${describeEvent(event, this.now())}\n`);
  }

  stopping(signal: string, inFlight: readonly string[]): void {
    const waiting =
      inFlight.length > 0 ? `; finishing the run of ${inFlight.join(', ')} (Ctrl-C again to abandon it)` : '';
    this.write(`${clockTime(this.now())}  ${signal}: stopping${waiting}\n`);
  }

  stopped(): void {
    this.write(`${clockTime(this.now())}  stopped; state kept for the next start\n`);
  }
}
