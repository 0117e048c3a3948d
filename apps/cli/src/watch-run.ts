import {
  LiveRunMessage,
  LiveRunSnapshot,
  RunDetailResponse,
  type RunDetail,
} from '@slipway/contracts';
import { isFinalState } from '@slipway/domain';
import { ApiError, NetworkError, type ApiClient } from './api-client.js';
import { CliError } from './cli-error.js';
import type { OutputStream, WatchTiming } from './cli-io.js';
import { formatDuration } from './format-output.js';
import { ProgressReporter } from './progress-reporter.js';
import { ServerSentEventParser } from './server-sent-events.js';
import {
  applyMessage,
  applySnapshot,
  exitCodeOf,
  finalLine,
  viewOfRun,
  type RunView,
} from './run-view.js';

export const DEFAULT_WATCH_TIMING: WatchTiming = {
  pollMs: 2000,
  reconnectMs: 1000,
  // The API sends a keep-alive every 15 s.
  idleMs: 45_000,
  giveUpMs: 5 * 60_000,
};

/** Stream connections in a row that brought no event, after which the run is read every pollMs instead. */
const STREAM_ATTEMPTS = 3;

type StreamEnd = 'final' | 'dropped' | 'unavailable';

export async function readRun(api: ApiClient, runId: string): Promise<RunDetail> {
  return (await api.get(`/api/runs/${runId}`, RunDetailResponse)).run;
}

/**
 * Follows a run to its end on the live stream, showing its progress on `stderr`; returns
 * the exit code its end calls for. A dropped stream is reconnected (its new snapshot
 * replaces what was missed); without a stream the run is read every `pollMs`.
 */
export async function watchRun(
  api: ApiClient,
  runId: string,
  stderr: OutputStream,
  timing: WatchTiming = DEFAULT_WATCH_TIMING,
): Promise<number> {
  const reporter = new ProgressReporter(stderr);
  try {
    const view = viewOfRun(await readRun(api, runId));
    // A run that has ended is told by the last line alone.
    if (!isFinalState(view.state)) {
      reporter.render(view);
      await new RunFollower(api, view, reporter, timing).follow();
    }
    reporter.close();
    stderr.write(`${finalLine(view, Date.now())}\n`);
    return exitCodeOf(view);
  } finally {
    reporter.close();
  }
}

class RunFollower {
  private lastContact = Date.now();
  /** Failures in a row, for the backoff. */
  private failures = 0;
  /** Stream connections in a row refused, or closed before their snapshot. */
  private fruitless = 0;
  private polling = false;
  private readyNoted = false;

  constructor(
    private readonly api: ApiClient,
    private readonly view: RunView,
    private readonly reporter: ProgressReporter,
    private readonly timing: WatchTiming,
  ) {}

  async follow(): Promise<void> {
    while (!isFinalState(this.view.state)) {
      this.noteReady();
      try {
        if (this.polling) {
          await sleep(this.timing.pollMs);
          await this.refresh(true);
          continue;
        }
        const end = await this.followStream();
        if (end === 'final') break;
        if (end === 'unavailable' || this.fruitless >= STREAM_ATTEMPTS) {
          this.polling = true;
          this.reporter.note(
            `the live stream is unavailable; reading the run every ${this.timing.pollMs / 1000} s`,
          );
          continue;
        }
      } catch (error) {
        if (!transient(error)) throw error;
        this.failures += 1;
      }
      await this.backOff();
    }
    // The outcome is in the run's record, not in the stream.
    for (;;) {
      try {
        return await this.refresh(true);
      } catch (error) {
        if (!transient(error)) throw error;
        this.failures += 1;
        await this.backOff();
      }
    }
  }

  /** Waits longer after each failure in a row; gives up when the API stays silent too long. */
  private async backOff(): Promise<void> {
    const silent = Date.now() - this.lastContact;
    if (silent > this.timing.giveUpMs) {
      throw new CliError(
        `lost contact with the API at ${this.api.url} for ${formatDuration(silent)}; the run goes on: \`slipway run watch ${this.view.id}\``,
      );
    }
    await sleep(this.timing.reconnectMs * 2 ** Math.min(Math.max(this.failures - 1, 0), 3));
  }

  /** Reads the run; `all` takes its state too, otherwise only what the stream does not tell. */
  private async refresh(all: boolean): Promise<void> {
    const detail = await readRun(this.api, this.view.id);
    this.lastContact = Date.now();
    const { state, abort } = this.view;
    const fresh = viewOfRun(detail);
    Object.assign(this.view, fresh, all ? {} : { state, abort });
    this.reporter.render(this.view);
  }

  private noteReady(): void {
    if (this.view.state !== 'Ready' || this.readyNoted) return;
    this.readyNoted = true;
    this.reporter.note(
      `machines kept (Ready); \`slipway run terminate ${this.view.id}\` ends the run`,
    );
  }

  private async followStream(): Promise<StreamEnd> {
    const controller = new AbortController();
    // A silent connection may be dead without telling: give up on it and reconnect.
    let hangUp = () => controller.abort();
    let idle: ReturnType<typeof setTimeout> | undefined;
    const awake = () => {
      clearTimeout(idle);
      idle = setTimeout(() => hangUp(), this.timing.idleMs);
    };
    awake();
    try {
      let response: Response;
      try {
        response = await this.api.request('GET', `/api/runs/${this.view.id}/stream`, {
          headers: { accept: 'text/event-stream' },
          signal: controller.signal,
        });
      } catch (error) {
        // The run was just read: a 404 here means an API without live streams.
        if (error instanceof ApiError && [404, 405, 406, 501].includes(error.status)) {
          return 'unavailable';
        }
        // The API answers but gives no stream (a proxy in the way, a restart): try again.
        if (controller.signal.aborted || (error instanceof ApiError && transient(error))) {
          return this.dropped(false);
        }
        throw error;
      }
      if (
        !response.headers.get('content-type')?.startsWith('text/event-stream') ||
        !response.body
      ) {
        return 'unavailable';
      }
      const parser = new ServerSentEventParser();
      const decoder = new TextDecoder();
      const reader = response.body.getReader();
      hangUp = () => {
        controller.abort();
        reader.cancel().catch(() => undefined);
      };
      const seen = { snapshot: false };
      for (;;) {
        const chunk = await reader.read().catch(() => null);
        if (chunk === null || chunk.done) return this.dropped(seen.snapshot);
        awake();
        this.lastContact = Date.now();
        for (const event of parser.push(decoder.decode(chunk.value, { stream: true }))) {
          if (event.event === 'snapshot') seen.snapshot = true;
          await this.apply(event.event, event.data);
          if (isFinalState(this.view.state)) return 'final';
        }
      }
    } finally {
      clearTimeout(idle);
      controller.abort();
    }
  }

  private dropped(hadSnapshot: boolean): StreamEnd {
    this.failures = hadSnapshot ? 1 : this.failures + 1;
    this.fruitless = hadSnapshot ? 0 : this.fruitless + 1;
    return 'dropped';
  }

  private async apply(event: string, data: string): Promise<void> {
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      return;
    }
    if (event === 'snapshot') {
      const snapshot = LiveRunSnapshot.safeParse(value);
      if (!snapshot.success) return;
      this.failures = 0;
      this.fruitless = 0;
      applySnapshot(this.view, snapshot.data);
      // Completions and failures are not in the snapshot; the run's record has them.
      await this.refresh(false);
      return;
    }
    const message = LiveRunMessage.safeParse(value);
    if (!message.success) return;
    applyMessage(this.view, message.data);
    this.reporter.render(this.view);
  }
}

/** Worth trying again: the API unreachable, restarting or overloaded. */
function transient(error: unknown): boolean {
  if (error instanceof ApiError) return error.status >= 500 || error.status === 429;
  return error instanceof NetworkError;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
