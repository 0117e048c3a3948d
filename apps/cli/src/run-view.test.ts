import type { RunDetail } from '@slipway/contracts';
import { describe, expect, it } from 'vitest';
import {
  applyMessage,
  applySnapshot,
  exitCodeOf,
  finalLine,
  instanceSummary,
  statusLine,
  viewOfRun,
} from './run-view.js';

const created = '2025-03-14T09:00:00.000Z';

function detail(overrides: Partial<RunDetail> = {}): RunDetail {
  const instance = (name: string, node: string) => ({
    name,
    node,
    index: 1,
    cloud: 'local',
    completed: null,
    failed: false,
    gone: false,
    statecustom: null,
    hostname: null,
    urls: {},
  });
  return {
    id: '0b7f8a86-5e1c-4a53-9c55-3a1f3f2d4c10',
    owner: { id: '6a1b8c1e-6a3e-4b8e-9a0e-0c7a9b1d2e3f', email: 'a@example.org' },
    kind: 'deployment',
    module: 'P/d',
    moduleVersion: 2,
    state: 'Running',
    outcome: null,
    abortMessage: null,
    keepRunning: 'never',
    timeoutMinutes: 60,
    tags: [],
    createdAt: created,
    startedAt: created,
    finishedAt: null,
    moduleVersions: {},
    overrides: {},
    deadlineAt: null,
    instances: [
      instance('web-1', 'web'),
      instance('client-1', 'client'),
      instance('client-2', 'client'),
    ],
    history: [],
    ...overrides,
  };
}

const start = Date.parse(created);

describe('the run view', () => {
  it('counts instances working on the state, done with it, gone and failed', () => {
    const view = viewOfRun(detail());
    expect(instanceSummary(view)).toBe('3 instances: 3 Running');
    applyMessage(view, { type: 'parameter', key: 'client-1:complete', value: 'Running' });
    applyMessage(view, { type: 'parameter', key: 'client-1:exitcode', value: '1' });
    applyMessage(view, { type: 'parameter', key: 'web-1:exitcode', value: '0' });
    expect(instanceSummary(view)).toBe('3 instances: 2 Running, 1 completed, 1 failed');
    applyMessage(view, { type: 'state', state: 'SendingReport' });
    expect(statusLine(view, start + 65_000)).toBe(
      'SendingReport 1:05 · 3 instances: 3 SendingReport, 1 failed',
    );
  });

  it('takes statecustom and the abort from the snapshot and from parameters', () => {
    const view = viewOfRun(detail());
    applySnapshot(view, {
      runId: view.id,
      state: 'Running',
      abort: null,
      instances: [
        { name: 'web-1', node: 'web', index: 1, state: 'Running', statecustom: 'serving' },
      ],
    });
    expect(view.instances.get('web-1')?.statecustom).toBe('serving');
    applyMessage(view, {
      type: 'parameter',
      key: 'client-2:statecustom',
      value: 'waiting for web',
    });
    applyMessage(view, { type: 'parameter', key: 'nosuch-1:statecustom', value: 'x' });
    applyMessage(view, { type: 'abort', message: 'web died' });
    expect(view.instances.get('client-2')?.statecustom).toBe('waiting for web');
    expect(view.instances.has('nosuch-1')).toBe(false);
    expect(view.abort).toBe('web died');
  });

  it('tells the exit code and the last line from the run end', () => {
    const finished = '2025-03-14T09:02:03.000Z';
    const success = viewOfRun(detail({ state: 'Done', outcome: 'success', finishedAt: finished }));
    expect(exitCodeOf(success)).toBe(0);
    expect(finalLine(success, start + 999_999)).toBe(`run ${success.id} Done: success (2:03)`);
    expect(instanceSummary(success)).toBe('');
    expect(exitCodeOf(viewOfRun(detail({ state: 'Done', outcome: 'failed' })))).toBe(1);
    const aborted = viewOfRun(
      detail({
        state: 'Aborted',
        outcome: 'failed',
        abortMessage: 'run timed out',
        finishedAt: finished,
      }),
    );
    expect(exitCodeOf(aborted)).toBe(2);
    expect(finalLine(aborted, start)).toBe(`run ${aborted.id} Aborted: run timed out (2:03)`);
  });
});
