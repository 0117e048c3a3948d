import type { OutputStream } from './cli-io.js';
import { elapsed, instanceSummary, statusLine, type RunView } from './run-view.js';

/** Plain output (a log, a pipe) repeats the instance counts at most this often. */
const PLAIN_SUMMARY_EVERY_MS = 5000;

/**
 * Shows a run's progress on stderr: a line for each state change, abort and statecustom
 * change; on a terminal, one status line redrawn in place (and every second, for the
 * elapsed time); elsewhere the instance counts as plain lines.
 */
export class ProgressReporter {
  private readonly tty: boolean;
  private view: RunView | undefined;
  private shown:
    { state: string; abort: string | null; summary: string; summaryAt: number } | undefined;
  private readonly statecustoms = new Map<string, string | null>();
  private statusDrawn = false;
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly stream: OutputStream,
    private readonly now: () => number = Date.now,
  ) {
    this.tty = stream.isTTY === true;
  }

  render(view: RunView): void {
    this.view = view;
    const now = this.now();
    const at = `[${elapsed(view, now)}]`;
    const lines: string[] = [];
    const shown = this.shown;
    if (shown === undefined) {
      lines.push(`${at} run ${view.id} of ${view.module}: ${view.state}`);
      if (view.abort !== null) lines.push(`${at} abort: ${view.abort}`);
      // A run already under way: its current texts are not news.
      for (const instance of view.instances.values())
        this.statecustoms.set(instance.name, instance.statecustom);
    } else {
      if (view.state !== shown.state) lines.push(`${at} ${view.state}`);
      if (view.abort !== shown.abort) {
        lines.push(view.abort === null ? `${at} abort cancelled` : `${at} abort: ${view.abort}`);
      }
      for (const instance of view.instances.values()) {
        if (instance.statecustom === (this.statecustoms.get(instance.name) ?? null)) continue;
        this.statecustoms.set(instance.name, instance.statecustom);
        if (instance.statecustom !== null)
          lines.push(`${at} ${instance.name}: ${instance.statecustom}`);
      }
    }
    const summary = instanceSummary(view);
    let summaryAt = shown?.summaryAt ?? 0;
    const due =
      shown === undefined ||
      view.state !== shown.state ||
      now - summaryAt >= PLAIN_SUMMARY_EVERY_MS;
    if (!this.tty && summary !== '' && summary !== shown?.summary && due) {
      lines.push(`${at} ${summary}`);
      summaryAt = now;
    }
    this.shown = {
      state: view.state,
      abort: view.abort,
      summary: this.tty || due ? summary : (shown?.summary ?? ''),
      summaryAt,
    };
    if (lines.length > 0) this.print(lines);
    else this.drawStatus();
    if (this.tty) {
      this.ticker ??= setInterval(() => this.drawStatus(), 1000);
      this.ticker.unref?.();
    }
  }

  /** A message of the watcher itself (reconnecting, polling, …). */
  note(text: string): void {
    this.print([text]);
  }

  /** Leaves the terminal as it was before the status line. */
  close(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    this.clearStatus();
  }

  private print(lines: string[]): void {
    if (lines.length === 0) return;
    this.clearStatus();
    this.stream.write(lines.map((line) => `${line}\n`).join(''));
    this.drawStatus();
  }

  private drawStatus(): void {
    if (!this.tty || this.view === undefined) return;
    const width = Math.max(20, (this.stream.columns || 80) - 1);
    this.stream.write(`\r\x1b[2K${statusLine(this.view, this.now()).slice(0, width)}`);
    this.statusDrawn = true;
  }

  private clearStatus(): void {
    if (!this.statusDrawn) return;
    this.stream.write('\r\x1b[2K');
    this.statusDrawn = false;
  }
}
