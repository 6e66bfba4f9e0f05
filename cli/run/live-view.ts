import { renderTable } from '../common/table.js';
import type { LocalEvent } from '../../local/runner.js';
import { clockTime, describeEvent, leftText, outcomeText } from './describe-event.js';
import { type RunView, type StartInfo, startLines } from './views.js';

/** Cursor up `n` lines to column 1, then erase to the end of the screen (ECMA-48 CPL and ED). */
const up = (n: number) => (n > 0 ? `\x1b[${n}F\x1b[J` : '\r\x1b[J');
const RECENT = 8;
const REDRAW_MS = 1000;

interface Row {
  readonly tokenFile: string;
  expiresAt?: number;
  last: string;
  nextRunAt?: number;
}

/**
 * On a terminal: a table redrawn in place every second (seconds left tick down) with the last few
 * events under it. Lines are cut to the terminal's width, so the redraw knows how many it drew.
 */
export class LiveView implements RunView {
  private readonly rows = new Map<string, Row>();
  private readonly recent: string[] = [];
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;
  private footer = 'Ctrl-C to stop';

  constructor(
    private readonly write: (text: string) => void,
    private readonly now: () => number,
    private readonly columns: number,
    private readonly running: () => readonly string[],
  ) {}

  start(info: StartInfo): void {
    this.write(`${startLines(info).join('\n')}\n`);
    for (const p of info.providers) this.rows.set(p.id, { tokenFile: p.tokenFile, last: 'starting' });
    this.draw();
    this.timer = setInterval(() => this.draw(), REDRAW_MS);
    this.timer.unref();
  }

  event(event: LocalEvent): void {
    const row = event.provider === undefined ? undefined : this.rows.get(event.provider);
    // Runs that change nothing would push the interesting lines out; waiting is said once.
    const quiet =
      event.type === 'run' &&
      ((event.report.result.outcome === 'fresh' && !event.report.guardEngaged) ||
        (event.report.result.outcome === 'pending' && row?.last === outcomeText(event)));
    if (event.type === 'run' && row) {
      row.last = outcomeText(event);
      if (event.report.result.expiresAt !== undefined) row.expiresAt = event.report.result.expiresAt;
      row.nextRunAt = event.nextRunAt;
    }
    if (event.type === 'crash' && row) row.last = 'crashed (a bug)';
    if (!quiet) this.recent.push(describeEvent(event, this.now()));
    this.recent.splice(0, Math.max(0, this.recent.length - RECENT));
    this.draw();
  }

  stopping(signal: string, inFlight: readonly string[]): void {
    this.footer =
      inFlight.length > 0
        ? `${signal}: stopping, finishing the run of ${inFlight.join(', ')} (Ctrl-C again to abandon it)`
        : `${signal}: stopping`;
    this.draw();
  }

  stopped(): void {
    clearInterval(this.timer);
    for (const row of this.rows.values()) row.nextRunAt = undefined;
    this.footer = `${clockTime(this.now())}  stopped; state kept for the next start`;
    this.draw();
  }

  private draw(): void {
    const now = this.now();
    const running = new Set(this.running());
    const table = renderTable(
      ['PROVIDER', 'STORE FILE', 'LEFT', 'LAST OUTCOME', 'NEXT RUN'],
      [...this.rows].map(([id, row]) => [
        id,
        row.tokenFile,
        leftText(row.expiresAt, now),
        row.last,
        running.has(id)
          ? 'running'
          : row.nextRunAt === undefined
            ? '-'
            : `in ${Math.max(0, Math.ceil((row.nextRunAt - now) / 1000))}s`,
      ]),
    );
    const width = Math.max(40, this.columns);
    const lines = [...table.trimEnd().split('\n'), '', ...this.recent, '', this.footer].map((l) =>
      l.length > width - 1 ? `${l.slice(0, width - 2)}…` : l,
    );
    this.write(`${up(this.drawn)}${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }
}
