import type { RunDetail } from '@slipway/contracts';
import { describe, expect, it } from 'vitest';
import { ProgressReporter } from './progress-reporter.js';
import { applyMessage, viewOfRun } from './run-view.js';
import { CapturedStream } from './testing/cli-harness.js';

const created = Date.parse('2025-03-14T09:00:00.000Z');

function view() {
  return viewOfRun({
    id: '0b7f8a86-5e1c-4a53-9c55-3a1f3f2d4c10',
    module: 'P/d',
    moduleVersion: 1,
    state: 'Initializing',
    outcome: null,
    abortMessage: null,
    createdAt: new Date(created).toISOString(),
    finishedAt: null,
    instances: [
      { name: 'web-1', completed: null, failed: false, gone: false, statecustom: null },
      { name: 'web-2', completed: null, failed: false, gone: false, statecustom: 'booting' },
    ],
  } as unknown as RunDetail);
}

describe('ProgressReporter', () => {
  it('writes plain lines for changes when stderr is not a terminal', () => {
    const stream = new CapturedStream(false);
    let now = created + 3_000;
    const reporter = new ProgressReporter(stream, () => now);
    const run = view();
    reporter.render(run);
    now += 10_000;
    applyMessage(run, { type: 'state', state: 'Running' });
    applyMessage(run, { type: 'parameter', key: 'web-1:statecustom', value: 'serving on 8080' });
    reporter.render(run);
    applyMessage(run, { type: 'abort', message: 'web-2 failed' });
    reporter.render(run);
    reporter.close();
    expect(stream.text).toBe(
      [
        `[0:03] run ${run.id} of P/d@1: Initializing`,
        '[0:03] 2 instances: 2 Initializing',
        '[0:13] Running',
        '[0:13] web-1: serving on 8080',
        '[0:13] 2 instances: 2 Running',
        '[0:13] abort: web-2 failed',
        '',
      ].join('\n'),
    );
    expect(stream.text).not.toContain('\r');
  });

  it('redraws one status line in place on a terminal', () => {
    const stream = new CapturedStream(true, 100);
    const now = created + 65_000;
    const reporter = new ProgressReporter(stream, () => now);
    const run = view();
    reporter.render(run);
    applyMessage(run, { type: 'parameter', key: 'web-1:complete', value: 'Initializing' });
    reporter.render(run);
    reporter.close();
    expect(stream.text).toBe(
      `[1:05] run ${run.id} of P/d@1: Initializing\n` +
        '\r\x1b[2KInitializing 1:05 · 2 instances: 2 Initializing' +
        '\r\x1b[2KInitializing 1:05 · 2 instances: 1 Initializing, 1 completed' +
        '\r\x1b[2K',
    );
  });
});
