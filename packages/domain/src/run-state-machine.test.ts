import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  advanceRun,
  BARRIER_STATES,
  createRunStatus,
  FINAL_STATES,
  isBarrierState,
  isFinalState,
  KeepRunning,
  RunState,
  type RunEffect,
  type RunEvent,
  type RunStatus,
  type RunStatusInput,
} from './run-state-machine.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Every step runs on a frozen status, so any mutation of the input throws. */
function step(status: RunStatus, event: RunEvent) {
  return advanceRun(deepFreeze(status), deepFreeze(event));
}

function play(status: RunStatus, events: RunEvent[]) {
  const effects: RunEffect[] = [];
  for (const event of events) {
    const result = step(status, event);
    status = result.status;
    effects.push(...result.effects);
  }
  return { status, effects };
}

function completeAll(names: string[], state: RunState): RunEvent[] {
  return names.map((instance) => ({ type: 'completed', instance, state }));
}

const everyState = (names: string[]): RunEvent[] =>
  BARRIER_STATES.flatMap((state) => completeAll(names, state));

const enteredStates = (effects: RunEffect[]) =>
  effects.flatMap((effect) => (effect.type === 'enterState' ? [effect.state] : []));

/** apache-1, client-1, client-2. */
function clientServer(input: Partial<RunStatusInput> = {}): RunStatus {
  return createRunStatus({
    instances: [
      { name: 'apache-1', node: 'apache' },
      { name: 'client-1', node: 'client' },
      { name: 'client-2', node: 'client' },
    ],
    keepRunning: 'never',
    ...input,
  });
}
const NAMES = ['apache-1', 'client-1', 'client-2'];

function started(input: Partial<RunStatusInput> = {}): RunStatus {
  return step(clientServer(input), { type: 'start' }).status;
}

function inState(
  state: 'Running' | 'SendingReport' | 'Ready',
  input: Partial<RunStatusInput> = {},
): RunStatus {
  const passed = { Running: 1, SendingReport: 2, Ready: 3 }[state];
  const status = play(started(input), everyState(NAMES).slice(0, passed * NAMES.length)).status;
  expect(status.state).toBe(state);
  return status;
}

describe('states', () => {
  it('names the final and the barrier states', () => {
    expect(FINAL_STATES).toEqual(['Done', 'Aborted']);
    expect(BARRIER_STATES).toEqual(['Initializing', 'Running', 'SendingReport']);
    expect(RunState.options.filter(isFinalState)).toEqual(['Done', 'Aborted']);
    expect(RunState.options.filter(isBarrierState)).toEqual([
      'Initializing',
      'Running',
      'SendingReport',
    ]);
  });
});

describe('createRunStatus', () => {
  it('starts in Initializing with every instance pending and a tolerance of 0 per node', () => {
    expect(clientServer({ maxProvisioningFailures: { client: 1 } })).toEqual({
      state: 'Initializing',
      failing: false,
      abort: null,
      keepRunning: 'never',
      started: false,
      instances: {
        'apache-1': { node: 'apache', completed: null, failed: false, gone: false },
        'client-1': { node: 'client', completed: null, failed: false, gone: false },
        'client-2': { node: 'client', completed: null, failed: false, gone: false },
      },
      maxProvisioningFailures: { apache: 0, client: 1 },
    });
  });

  it('rejects a duplicate instance name', () => {
    expect(() =>
      createRunStatus({
        instances: [
          { name: 'a-1', node: 'a' },
          { name: 'a-1', node: 'a' },
        ],
        keepRunning: 'never',
      }),
    ).toThrow('duplicate instance name "a-1"');
  });
});

describe('start', () => {
  it('provisions every instance once', () => {
    const first = step(clientServer(), { type: 'start' });
    expect(first.effects).toEqual([{ type: 'provision', instances: NAMES }]);
    expect(first.status.started).toBe(true);
    expect(first.status.state).toBe('Initializing');
    const again = step(first.status, { type: 'start' });
    expect(again.effects).toEqual([]);
    expect(again.status).toBe(first.status);
  });

  it('ignores completions that arrive before it', () => {
    const status = clientServer();
    const result = step(status, { type: 'completed', instance: 'apache-1', state: 'Initializing' });
    expect(result.status).toBe(status);
    expect(result.effects).toEqual([]);
  });

  it('runs a deployment with zero instances to its end at once', () => {
    const empty = createRunStatus({ instances: [], keepRunning: 'never' });
    const result = step(empty, { type: 'start' });
    expect(result.effects).toEqual([
      { type: 'enterState', state: 'Running' },
      { type: 'enterState', state: 'SendingReport' },
      { type: 'enterState', state: 'Done' },
      { type: 'finish', state: 'Done', outcome: 'success', message: null },
    ]);
    expect(result.status.state).toBe('Done');
  });

  it('keeps a run with zero instances in Ready when the policy is always', () => {
    const empty = createRunStatus({ instances: [], keepRunning: 'always' });
    const result = step(empty, { type: 'start' });
    expect(enteredStates(result.effects)).toEqual(['Running', 'SendingReport', 'Ready']);
    expect(result.status.state).toBe('Ready');
  });
});

describe('the barrier', () => {
  it('advances only when the last instance completes the state', () => {
    let status = started();
    for (const instance of ['apache-1', 'client-2']) {
      const result = step(status, { type: 'completed', instance, state: 'Initializing' });
      expect(result.effects).toEqual([]);
      expect(result.status.state).toBe('Initializing');
      status = result.status;
    }
    const last = step(status, { type: 'completed', instance: 'client-1', state: 'Initializing' });
    expect(last.effects).toEqual([{ type: 'enterState', state: 'Running' }]);
    expect(last.status.state).toBe('Running');
  });

  it('walks a clean run through every state and releases every machine', () => {
    const { status, effects } = play(started(), everyState(NAMES));
    expect(effects).toEqual([
      { type: 'enterState', state: 'Running' },
      { type: 'enterState', state: 'SendingReport' },
      { type: 'release', instances: NAMES },
      { type: 'enterState', state: 'Done' },
      { type: 'finish', state: 'Done', outcome: 'success', message: null },
    ]);
    expect(status.state).toBe('Done');
    expect(Object.values(status.instances).every((instance) => instance.gone)).toBe(true);
  });

  it('ignores a stale completion', () => {
    const running = inState('Running');
    const stale = step(running, { type: 'completed', instance: 'apache-1', state: 'Initializing' });
    expect(stale.status).toBe(running);
    expect(stale.effects).toEqual([]);
    const early = step(running, {
      type: 'completed',
      instance: 'apache-1',
      state: 'SendingReport',
    });
    expect(early.status).toBe(running);
  });

  it('ignores a completion of an unknown instance, even one named like an Object property', () => {
    const status = started();
    for (const instance of ['apache-9', 'constructor', '__proto__', 'toString']) {
      const result = step(status, { type: 'completed', instance, state: 'Initializing' });
      expect(result.status).toBe(status);
      expect(result.effects).toEqual([]);
    }
  });

  it('ignores a completion of Ready, which is not a barrier', () => {
    const ready = inState('Ready', { keepRunning: 'always' });
    const result = step(ready, { type: 'completed', instance: 'apache-1', state: 'Ready' });
    expect(result.status).toBe(ready);
  });
});

describe('failing', () => {
  it('lets the other instances go on and ends Done with outcome failed', () => {
    let status = inState('Running');
    const failed = step(status, {
      type: 'completed',
      instance: 'client-1',
      state: 'Running',
      failed: true,
    });
    expect(failed.status.failing).toBe(true);
    expect(failed.status.instances['client-1']?.failed).toBe(true);
    expect(failed.status.instances['client-2']?.failed).toBe(false);
    expect(failed.effects).toEqual([]);
    status = failed.status;
    const { effects } = play(status, [
      ...completeAll(['apache-1', 'client-2'], 'Running'),
      ...completeAll(NAMES, 'SendingReport'),
    ]);
    expect(effects.at(-1)).toEqual({
      type: 'finish',
      state: 'Done',
      outcome: 'failed',
      message: null,
    });
  });

  it('reads a non-zero exit code as a failure unless failed says otherwise', () => {
    const running = inState('Running');
    const exit3 = step(running, {
      type: 'completed',
      instance: 'client-1',
      state: 'Running',
      exitCode: 3,
    });
    expect(exit3.status.failing).toBe(true);
    const exit0 = step(running, {
      type: 'completed',
      instance: 'client-1',
      state: 'Running',
      exitCode: 0,
    });
    expect(exit0.status.failing).toBe(false);
    const explicit = step(running, {
      type: 'completed',
      instance: 'client-1',
      state: 'Running',
      failed: false,
      exitCode: 3,
    });
    expect(explicit.status.failing).toBe(false);
  });
});

describe('keep-running', () => {
  type Trouble = 'clean' | 'failing' | 'aborted';
  const cases: [KeepRunning, Trouble, 'Ready' | 'Done' | 'Aborted'][] = [
    ['never', 'clean', 'Done'],
    ['never', 'failing', 'Done'],
    ['never', 'aborted', 'Aborted'],
    ['always', 'clean', 'Ready'],
    ['always', 'failing', 'Ready'],
    ['always', 'aborted', 'Ready'],
    ['on-success', 'clean', 'Ready'],
    ['on-success', 'failing', 'Done'],
    ['on-success', 'aborted', 'Aborted'],
    ['on-error', 'clean', 'Done'],
    ['on-error', 'failing', 'Ready'],
    ['on-error', 'aborted', 'Ready'],
  ];

  it.each(cases)(
    '%s with a %s run after SendingReport goes to %s',
    (keepRunning, trouble, expected) => {
      let status = inState('Running', { keepRunning });
      if (trouble === 'aborted') status = step(status, { type: 'abort', message: 'boom' }).status;
      else {
        status = step(status, {
          type: 'completed',
          instance: 'apache-1',
          state: 'Running',
          failed: trouble === 'failing',
        }).status;
        status = play(status, completeAll(['client-1', 'client-2'], 'Running')).status;
      }
      expect(status.state).toBe('SendingReport');
      const { status: after, effects } = play(status, completeAll(NAMES, 'SendingReport'));
      expect(after.state).toBe(expected);
      if (expected === 'Ready') {
        expect(effects).toEqual([{ type: 'enterState', state: 'Ready' }]);
      } else {
        expect(effects).toEqual([
          { type: 'release', instances: NAMES },
          { type: 'enterState', state: expected },
          {
            type: 'finish',
            state: expected,
            outcome: trouble === 'clean' ? 'success' : 'failed',
            message: trouble === 'aborted' ? 'boom' : null,
          },
        ]);
      }
    },
  );
});

describe('abort', () => {
  it('in Running stops the targets and still collects the reports', () => {
    const result = step(inState('Running'), { type: 'abort', message: 'apache-1: port taken' });
    expect(result.effects).toEqual([
      { type: 'stopTargets' },
      { type: 'enterState', state: 'SendingReport' },
    ]);
    expect(result.status.abort).toBe('apache-1: port taken');
    const end = play(result.status, completeAll(NAMES, 'SendingReport'));
    expect(end.status.state).toBe('Aborted');
    expect(end.effects.at(-1)).toEqual({
      type: 'finish',
      state: 'Aborted',
      outcome: 'failed',
      message: 'apache-1: port taken',
    });
  });

  it('in Initializing stops the targets and goes to SendingReport', () => {
    const result = step(started(), { type: 'abort', message: 'no' });
    expect(result.effects).toEqual([
      { type: 'stopTargets' },
      { type: 'enterState', state: 'SendingReport' },
    ]);
  });

  it('before start ends the run at once with nothing to stop or release', () => {
    const result = step(clientServer(), { type: 'abort', message: 'bad input' });
    expect(result.effects).toEqual([
      { type: 'enterState', state: 'Aborted' },
      { type: 'finish', state: 'Aborted', outcome: 'failed', message: 'bad input' },
    ]);
  });

  it('keeps the first message', () => {
    const first = step(inState('Running'), { type: 'abort', message: 'first' }).status;
    const second = step(first, { type: 'abort', message: 'second' });
    expect(second.status.abort).toBe('first');
    expect(second.effects).toEqual([]);
    const timedOut = step(second.status, { type: 'timeout' });
    expect(timedOut.effects.at(-1)).toEqual({
      type: 'finish',
      state: 'Aborted',
      outcome: 'failed',
      message: 'first',
    });
  });

  it('in SendingReport only records the message', () => {
    const result = step(inState('SendingReport'), { type: 'abort', message: 'late' });
    expect(result.effects).toEqual([]);
    expect(result.status.state).toBe('SendingReport');
    expect(result.status.abort).toBe('late');
  });

  it('in Ready only records the message; terminate then ends Aborted', () => {
    const ready = inState('Ready', { keepRunning: 'always' });
    const aborted = step(ready, { type: 'abort', message: 'debugging done' });
    expect(aborted.effects).toEqual([]);
    expect(aborted.status.state).toBe('Ready');
    const end = step(aborted.status, { type: 'terminate' });
    expect(end.effects).toEqual([
      { type: 'release', instances: NAMES },
      { type: 'enterState', state: 'Aborted' },
      { type: 'finish', state: 'Aborted', outcome: 'failed', message: 'debugging done' },
    ]);
  });

  it('is cancelled in Ready so that terminate ends Done', () => {
    const ready = inState('Ready', { keepRunning: 'always' });
    const aborted = step(ready, { type: 'abort', message: 'ss-abort from a kept machine' }).status;
    const cancelled = step(aborted, { type: 'cancelAbort' });
    expect(cancelled.status.abort).toBeNull();
    expect(cancelled.status.state).toBe('Ready');
    expect(cancelled.effects).toEqual([]);
    const end = step(cancelled.status, { type: 'terminate', message: 'ignored in Ready' });
    expect(end.status.state).toBe('Done');
    expect(end.effects.at(-1)).toEqual({
      type: 'finish',
      state: 'Done',
      outcome: 'success',
      message: null,
    });
  });

  it('cannot be cancelled once the run is final', () => {
    const aborted = step(clientServer(), { type: 'abort', message: 'x' }).status;
    const result = step(aborted, { type: 'cancelAbort' });
    expect(result.status).toBe(aborted);
    expect(result.status.abort).toBe('x');
  });
});

describe('provisioning failures', () => {
  it('are tolerated up to the node count: the instance is left out and never released', () => {
    let status = started({ maxProvisioningFailures: { client: 1 } });
    const lost = step(status, {
      type: 'provisioningFailed',
      instance: 'client-2',
      message: 'no capacity',
    });
    expect(lost.effects).toEqual([]);
    expect(lost.status.instances['client-2']?.gone).toBe(true);
    expect(lost.status.abort).toBeNull();
    status = lost.status;
    const rest = ['apache-1', 'client-1'];
    const { status: end, effects } = play(status, everyState(rest));
    expect(effects).toEqual([
      { type: 'enterState', state: 'Running' },
      { type: 'enterState', state: 'SendingReport' },
      { type: 'release', instances: rest },
      { type: 'enterState', state: 'Done' },
      { type: 'finish', state: 'Done', outcome: 'success', message: null },
    ]);
    expect(end.state).toBe('Done');
  });

  it('beyond the tolerated count abort the run', () => {
    let status = started({ maxProvisioningFailures: { client: 1 } });
    status = step(status, {
      type: 'provisioningFailed',
      instance: 'client-2',
      message: 'no capacity',
    }).status;
    const result = step(status, {
      type: 'provisioningFailed',
      instance: 'client-1',
      message: 'quota exceeded',
    });
    expect(result.status.abort).toBe('provisioning failed for node client: quota exceeded');
    expect(result.effects).toEqual([
      { type: 'stopTargets' },
      { type: 'enterState', state: 'SendingReport' },
    ]);
  });

  it('abort the run by default, since a node tolerates none', () => {
    const result = step(started(), {
      type: 'provisioningFailed',
      instance: 'apache-1',
      message: 'ami not found',
    });
    expect(result.status.abort).toBe('provisioning failed for node apache: ami not found');
    expect(result.status.state).toBe('SendingReport');
  });

  it('release the barrier when the lost instance was the last one pending', () => {
    let status = started({ maxProvisioningFailures: { client: 2 } });
    status = play(status, completeAll(['apache-1', 'client-1'], 'Initializing')).status;
    const result = step(status, {
      type: 'provisioningFailed',
      instance: 'client-2',
      message: 'timeout',
    });
    expect(result.effects).toEqual([{ type: 'enterState', state: 'Running' }]);
  });

  it('are ignored outside Initializing, before start, and for unknown or gone instances', () => {
    const running = inState('Running');
    expect(
      step(running, { type: 'provisioningFailed', instance: 'apache-1', message: 'x' }).status,
    ).toBe(running);
    const fresh = clientServer();
    expect(
      step(fresh, { type: 'provisioningFailed', instance: 'apache-1', message: 'x' }).status,
    ).toBe(fresh);
    const initializing = started({ maxProvisioningFailures: { client: 2 } });
    expect(
      step(initializing, { type: 'provisioningFailed', instance: 'client-7', message: 'x' }).status,
    ).toBe(initializing);
    const once = step(initializing, {
      type: 'provisioningFailed',
      instance: 'client-1',
      message: 'x',
    }).status;
    expect(
      step(once, { type: 'provisioningFailed', instance: 'client-1', message: 'x' }).status,
    ).toBe(once);
    expect(
      step(once, { type: 'completed', instance: 'client-1', state: 'Initializing' }).status,
    ).toBe(once);
  });
});

describe('provisioning abandoned', () => {
  it('after an abort in Initializing, leaves out the instances that never got a machine', () => {
    // apache-1 and client-1 have machines; the run aborts before client-2 gets one.
    const aborted = step(started(), { type: 'abort', message: 'stop' }).status;
    expect(aborted.state).toBe('SendingReport');
    const reported = play(aborted, completeAll(['apache-1', 'client-1'], 'SendingReport'));
    expect(reported.status.state).toBe('SendingReport'); // still waiting for client-2
    const result = step(reported.status, {
      type: 'provisioningAbandoned',
      instances: ['client-2'],
    });
    expect(result.status.instances['client-2']?.gone).toBe(true);
    expect(result.status.state).toBe('Aborted');
    expect(result.effects).toContainEqual({
      type: 'finish',
      state: 'Aborted',
      outcome: 'failed',
      message: 'stop',
    });
  });

  it('is ignored in Initializing, before start, and for unknown, gone or started instances', () => {
    const running = inState('Running');
    expect(step(running, { type: 'provisioningAbandoned', instances: ['apache-1'] }).status).toBe(
      running,
    );
    const initializing = started();
    expect(
      step(initializing, { type: 'provisioningAbandoned', instances: ['client-2'] }).status,
    ).toBe(initializing);
    const fresh = clientServer();
    expect(step(fresh, { type: 'provisioningAbandoned', instances: ['client-2'] }).status).toBe(
      fresh,
    );
    const aborted = step(started(), { type: 'abort', message: 'stop' }).status;
    const once = step(aborted, { type: 'provisioningAbandoned', instances: ['client-2'] }).status;
    expect(once.instances['client-2']?.gone).toBe(true);
    expect(
      step(once, { type: 'provisioningAbandoned', instances: ['client-2', 'x-9'] }).status,
    ).toBe(once);
  });
});

describe('deadlinePassed', () => {
  it('advances the current state without waiting, leaving the stragglers alone', () => {
    let status = started();
    status = step(status, {
      type: 'completed',
      instance: 'apache-1',
      state: 'Initializing',
    }).status;
    const result = step(status, { type: 'deadlinePassed', state: 'Initializing' });
    expect(result.effects).toEqual([{ type: 'enterState', state: 'Running' }]);
    expect(result.status.instances['client-1']).toEqual({
      node: 'client',
      completed: null,
      failed: false,
      gone: false,
    });
    expect(result.status.abort).toBeNull();
  });

  it('is ignored for another state or before start', () => {
    const running = inState('Running');
    expect(step(running, { type: 'deadlinePassed', state: 'Initializing' }).status).toBe(running);
    expect(step(running, { type: 'deadlinePassed', state: 'SendingReport' }).status).toBe(running);
    const fresh = clientServer();
    expect(step(fresh, { type: 'deadlinePassed', state: 'Initializing' }).status).toBe(fresh);
    const ready = inState('Ready', { keepRunning: 'always' });
    expect(step(ready, { type: 'deadlinePassed', state: 'Ready' }).status).toBe(ready);
  });

  it('in SendingReport ends the run', () => {
    const result = step(inState('SendingReport'), {
      type: 'deadlinePassed',
      state: 'SendingReport',
    });
    expect(result.status.state).toBe('Done');
    expect(result.effects.at(-1)).toEqual({
      type: 'finish',
      state: 'Done',
      outcome: 'success',
      message: null,
    });
  });
});

describe('timeout', () => {
  it('aborts a running run with "run timed out" and still collects the reports', () => {
    const result = step(inState('Running'), { type: 'timeout' });
    expect(result.status.abort).toBe('run timed out');
    expect(result.effects).toEqual([
      { type: 'stopTargets' },
      { type: 'enterState', state: 'SendingReport' },
    ]);
  });

  it('in SendingReport ends the run without waiting for the reports', () => {
    const result = step(inState('SendingReport'), { type: 'timeout' });
    expect(result.effects).toEqual([
      { type: 'release', instances: NAMES },
      { type: 'enterState', state: 'Aborted' },
      { type: 'finish', state: 'Aborted', outcome: 'failed', message: 'run timed out' },
    ]);
  });

  it('in Ready only records the message', () => {
    const result = step(inState('Ready', { keepRunning: 'always' }), { type: 'timeout' });
    expect(result.status.state).toBe('Ready');
    expect(result.status.abort).toBe('run timed out');
    expect(result.effects).toEqual([]);
  });
});

describe('terminate', () => {
  it('in Running stops the targets, releases everything and ends Aborted', () => {
    const result = step(inState('Running'), { type: 'terminate' });
    expect(result.effects).toEqual([
      { type: 'stopTargets' },
      { type: 'release', instances: NAMES },
      { type: 'enterState', state: 'Aborted' },
      { type: 'finish', state: 'Aborted', outcome: 'failed', message: 'run terminated by user' },
    ]);
  });

  it('keeps an earlier abort message, or uses its own', () => {
    const withMessage = step(started(), { type: 'terminate', message: 'wrong cloud' });
    expect(withMessage.status.abort).toBe('wrong cloud');
    const reporting = step(inState('Running'), { type: 'abort', message: 'first' }).status;
    const end = step(reporting, { type: 'terminate', message: 'second' });
    expect(end.effects.at(-1)).toEqual({
      type: 'finish',
      state: 'Aborted',
      outcome: 'failed',
      message: 'first',
    });
  });

  it('in Ready releases the kept machines and ends Done', () => {
    const result = step(inState('Ready', { keepRunning: 'always' }), { type: 'terminate' });
    expect(result.effects).toEqual([
      { type: 'release', instances: NAMES },
      { type: 'enterState', state: 'Done' },
      { type: 'finish', state: 'Done', outcome: 'success', message: null },
    ]);
  });

  it('before start releases nothing, since nothing was provisioned', () => {
    const result = step(clientServer(), { type: 'terminate' });
    expect(result.effects).toEqual([
      { type: 'enterState', state: 'Aborted' },
      { type: 'finish', state: 'Aborted', outcome: 'failed', message: 'run terminated by user' },
    ]);
  });

  it('twice releases once', () => {
    const first = step(inState('Running'), { type: 'terminate' });
    const second = step(first.status, { type: 'terminate' });
    expect(second.effects).toEqual([]);
    expect(second.status).toBe(first.status);
  });
});

// Properties over arbitrary runs: 0..6 instances over 1..3 nodes, any policy, any events.

const NODES = ['apache', 'client', 'db'] as const;

const runInput: fc.Arbitrary<RunStatusInput> = fc
  .record({
    nodeCount: fc.integer({ min: 1, max: 3 }),
    picks: fc.array(fc.nat(), { maxLength: 6 }),
    keepRunning: fc.constantFrom(...KeepRunning.options),
    tolerated: fc.tuple(
      fc.option(fc.integer({ min: 0, max: 2 })),
      fc.option(fc.integer({ min: 0, max: 2 })),
      fc.option(fc.integer({ min: 0, max: 2 })),
    ),
  })
  .map(({ nodeCount, picks, keepRunning, tolerated }) => {
    const nodes = NODES.slice(0, nodeCount);
    const counts = new Map<string, number>();
    const instances = picks.map((pick) => {
      const node = nodes[pick % nodes.length] ?? 'apache';
      const index = (counts.get(node) ?? 0) + 1;
      counts.set(node, index);
      return { name: `${node}-${index}`, node };
    });
    const maxProvisioningFailures: Record<string, number> = {};
    nodes.forEach((node, i) => {
      const count = tolerated[i];
      if (count !== null && count !== undefined) maxProvisioningFailures[node] = count;
    });
    return { instances, keepRunning, maxProvisioningFailures };
  });

/**
 * Events name instances by index, so that they shrink independently of the run; `unknown`
 * names an instance the run does not have. 'current' is resolved to the run's state when the
 * event is applied, so that arbitrary runs often get past their barriers.
 */
type Move =
  | { kind: 'event'; event: RunEvent }
  | {
      kind: 'complete';
      pick: number;
      unknown: boolean;
      state: RunState | 'current';
      failed?: boolean;
      exitCode?: number;
    }
  | { kind: 'provisioningFailed'; pick: number; unknown: boolean; message: string }
  | { kind: 'provisioningAbandoned'; pick: number; unknown: boolean }
  | { kind: 'deadline'; state: RunState | 'current' };

const UNKNOWN = ['ghost-1', 'constructor', '__proto__'];
const START: Move = { kind: 'event', event: { type: 'start' } };
const stateOrCurrent = fc.oneof(
  { weight: 4, arbitrary: fc.constant('current' as const) },
  { weight: 1, arbitrary: fc.constantFrom(...RunState.options) },
);
const pick = fc.nat({ max: 5 });
const unknown = fc.oneof(
  { weight: 9, arbitrary: fc.constant(false) },
  { weight: 1, arbitrary: fc.constant(true) },
);
const message = fc.constantFrom('boom', 'port taken', 'disk full');

const move: fc.Arbitrary<Move> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(START) },
  {
    weight: 24,
    arbitrary: fc.record(
      {
        kind: fc.constant('complete' as const),
        pick,
        unknown,
        state: stateOrCurrent,
        failed: fc.constantFrom(false, false, false, true),
        exitCode: fc.constantFrom(0, 0, 0, 1),
      },
      { requiredKeys: ['kind', 'pick', 'unknown', 'state'] },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('provisioningFailed' as const),
      pick,
      unknown,
      message,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('provisioningAbandoned' as const), pick, unknown }),
  },
  {
    weight: 1,
    arbitrary: message.map((m): Move => ({ kind: 'event', event: { type: 'abort', message: m } })),
  },
  { weight: 1, arbitrary: fc.constant<Move>({ kind: 'event', event: { type: 'cancelAbort' } }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('deadline' as const), state: stateOrCurrent }),
  },
  { weight: 1, arbitrary: fc.constant<Move>({ kind: 'event', event: { type: 'timeout' } }) },
  {
    weight: 1,
    arbitrary: fc.option(message, { nil: undefined }).map((m): Move => ({
      kind: 'event',
      event: m === undefined ? { type: 'terminate' } : { type: 'terminate', message: m },
    })),
  },
);
/** Most runs are started first; the rest show what happens before start. */
const moves = fc
  .tuple(fc.nat({ max: 4 }), fc.array(move, { maxLength: 40 }))
  .map(([n, ms]) => (n === 0 ? ms : [START, ...ms]));

function toEvent(m: Move, status: RunStatus): RunEvent {
  const names = Object.keys(status.instances);
  const instanceAt = (index: number, unknown: boolean) =>
    (unknown ? undefined : names[index % names.length]) ??
    UNKNOWN[index % UNKNOWN.length] ??
    'ghost-1';
  const stateOf = (state: RunState | 'current') => (state === 'current' ? status.state : state);
  switch (m.kind) {
    case 'event':
      return m.event;
    case 'complete': {
      const event: RunEvent = {
        type: 'completed',
        instance: instanceAt(m.pick, m.unknown),
        state: stateOf(m.state),
      };
      if (m.failed !== undefined) event.failed = m.failed;
      if (m.exitCode !== undefined) event.exitCode = m.exitCode;
      return event;
    }
    case 'provisioningFailed':
      return {
        type: 'provisioningFailed',
        instance: instanceAt(m.pick, m.unknown),
        message: m.message,
      };
    case 'provisioningAbandoned':
      return { type: 'provisioningAbandoned', instances: [instanceAt(m.pick, m.unknown)] };
    case 'deadline':
      return { type: 'deadlinePassed', state: stateOf(m.state) };
  }
}

interface Step {
  before: RunStatus;
  event: RunEvent;
  after: RunStatus;
  effects: RunEffect[];
}

function simulate(
  status: RunStatus,
  events: (RunEvent | Move)[],
): { status: RunStatus; trace: Step[] } {
  const trace: Step[] = [];
  for (const next of events) {
    const event = 'kind' in next ? toEvent(next, status) : next;
    const result = step(status, event);
    trace.push({ before: status, event, after: result.status, effects: result.effects });
    status = result.status;
  }
  return { status, trace };
}

/** The instances an event says never got (or will never get) a machine. */
function lostBy(event: RunEvent): string[] {
  if (event.type === 'provisioningFailed') return [event.instance];
  if (event.type === 'provisioningAbandoned') return event.instances;
  return [];
}

const ORDER: Record<RunState, number> = {
  Initializing: 0,
  Running: 1,
  SendingReport: 2,
  Ready: 3,
  Done: 4,
  Aborted: 4,
};

describe('properties', () => {
  it('no event moves a run out of Done or Aborted', () => {
    fc.assert(
      fc.property(runInput, moves, moves, (input, prefix, suffix) => {
        const { status: final } = simulate(createRunStatus(input), [
          ...prefix,
          { type: 'terminate' },
        ]);
        expect(FINAL_STATES).toContain(final.state);
        const snapshot = JSON.stringify(final);
        for (const m of [...suffix, START]) {
          const result = step(final, toEvent(m, final));
          expect(result.status).toBe(final);
          expect(result.effects).toEqual([]);
        }
        expect(JSON.stringify(final)).toBe(snapshot);
      }),
      { numRuns: 300 },
    );
  });

  it('an abort always ends Aborted with the first message once the user terminates', () => {
    const noCancel = moves.map((ms) =>
      ms.filter((m) => !(m.kind === 'event' && m.event.type === 'cancelAbort')),
    );
    const noEnd = moves.map((ms) =>
      ms.filter((m) => !(m.kind === 'event' && m.event.type === 'terminate')),
    );
    fc.assert(
      fc.property(
        runInput,
        noEnd,
        message,
        noCancel,
        (input, prefix, abortMessage, continuation) => {
          const before = simulate(createRunStatus(input), prefix).status;
          fc.pre(!isFinalState(before.state));
          const first = before.abort ?? abortMessage;
          const { status, trace } = simulate(before, [
            { type: 'abort', message: abortMessage },
            ...continuation,
            { type: 'terminate' },
          ]);
          expect(trace.map((s) => s.after.abort)).toEqual(trace.map(() => first));
          expect(status.state).toBe('Aborted');
          expect(status.abort).toBe(first);
          const finishes = trace.flatMap((s) => s.effects.filter((e) => e.type === 'finish'));
          expect(finishes).toEqual([
            { type: 'finish', state: 'Aborted', outcome: 'failed', message: first },
          ]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the barrier never advances past an incomplete instance unless forced', () => {
    fc.assert(
      fc.property(runInput, moves, (input, ms) => {
        const { trace } = simulate(createRunStatus(input), ms);
        for (const { before, event, after } of trace) {
          // A provisioning failure beyond the tolerated count aborts the run: that is forced too.
          const forced =
            ['abort', 'deadlinePassed', 'timeout', 'terminate'].includes(event.type) ||
            after.abort !== before.abort;
          if (forced || !isBarrierState(before.state) || after.state === before.state) continue;
          const barrier = before.state;
          for (const [name, instance] of Object.entries(before.instances)) {
            if (instance.gone) continue;
            const subject =
              ('instance' in event && event.instance === name) || lostBy(event).includes(name);
            if (subject && event.type === 'completed') expect(event.state).toBe(barrier);
            else if (!subject) expect(instance.completed).toBe(barrier);
            // An instance lost in provisioning is gone: no barrier waits for it any more.
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('advanceRun never mutates its input', () => {
    fc.assert(
      fc.property(runInput, moves, (input, ms) => {
        let status = createRunStatus(input);
        for (const m of ms) {
          const event = toEvent(m, status);
          const snapshot = JSON.stringify({ status, event });
          // Frozen input: a mutation throws in the strict-mode module under test.
          const result = advanceRun(deepFreeze(status), deepFreeze(event));
          expect(JSON.stringify({ status, event })).toBe(snapshot);
          status = result.status;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a final run released every provisioned instance once, bar failed provisioning', () => {
    fc.assert(
      fc.property(runInput, moves, (input, ms) => {
        const { status, trace } = simulate(createRunStatus(input), [...ms, { type: 'terminate' }]);
        expect(FINAL_STATES).toContain(status.state);
        const provisioned: string[] = [];
        const released: string[] = [];
        const lostInProvisioning = new Set<string>();
        for (const { before, event, after, effects } of trace) {
          for (const effect of effects) {
            if (effect.type === 'provision') provisioned.push(...effect.instances);
            if (effect.type === 'release') {
              released.push(...effect.instances);
              // Released only as the run ends, never while it goes on or sits in Ready.
              expect(isFinalState(after.state) && !isFinalState(before.state)).toBe(true);
            }
          }
          for (const name of lostBy(event)) {
            if (before.instances[name]?.gone === false && after.instances[name]?.gone)
              lostInProvisioning.add(name);
          }
        }
        expect(new Set(provisioned).size).toBe(provisioned.length);
        expect(new Set(released).size).toBe(released.length);
        const expected = provisioned.filter((name) => !lostInProvisioning.has(name));
        expect([...released].sort()).toEqual([...expected].sort());
      }),
      { numRuns: 300 },
    );
  });

  it('completing every state without trouble ends Done/success, or Ready when kept', () => {
    const order = fc.array(fc.double({ noNaN: true }), { minLength: 6, maxLength: 6 });
    fc.assert(
      fc.property(runInput, fc.tuple(order, order, order), (input, orders) => {
        const names = input.instances.map((i) => i.name);
        const events: RunEvent[] = [{ type: 'start' }];
        BARRIER_STATES.forEach((state, i) => {
          const keys = orders[i] ?? [];
          const shuffled = names
            .map((name, j) => ({ name, key: keys[j] ?? 0 }))
            .sort((a, b) => a.key - b.key);
          events.push(
            ...completeAll(
              shuffled.map((s) => s.name),
              state,
            ),
          );
        });
        const { status, trace } = simulate(createRunStatus(input), events);
        const effects = trace.flatMap((s) => s.effects);
        const kept = input.keepRunning === 'always' || input.keepRunning === 'on-success';
        const clean: RunEffect[] = [
          ...(names.length > 0 ? [{ type: 'release' as const, instances: names }] : []),
          { type: 'enterState', state: 'Done' },
          { type: 'finish', state: 'Done', outcome: 'success', message: null },
        ];
        if (kept) {
          expect(status.state).toBe('Ready');
          expect(enteredStates(effects)).toEqual(['Running', 'SendingReport', 'Ready']);
          expect(step(status, { type: 'terminate' }).effects).toEqual(clean);
        } else {
          expect(status.state).toBe('Done');
          expect(enteredStates(effects)).toEqual(['Running', 'SendingReport', 'Done']);
          expect(effects.slice(-clean.length)).toEqual(clean);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('terminate ends any run, and the effects tell every state change exactly once', () => {
    fc.assert(
      fc.property(runInput, moves, (input, ms) => {
        const { status, trace } = simulate(createRunStatus(input), [...ms, { type: 'terminate' }]);
        expect(FINAL_STATES).toContain(status.state);
        let finishes = 0;
        for (const { before, after, effects } of trace) {
          expect(ORDER[after.state]).toBeGreaterThanOrEqual(ORDER[before.state]);
          const entered = enteredStates(effects);
          expect(entered.length > 0).toBe(after.state !== before.state);
          if (entered.length > 0) expect(entered.at(-1)).toBe(after.state);
          const finish = effects.filter((e) => e.type === 'finish');
          if (isFinalState(after.state) && !isFinalState(before.state)) {
            expect(finish).toEqual([
              {
                type: 'finish',
                state: after.state,
                outcome: after.failing || after.abort !== null ? 'failed' : 'success',
                message: after.abort,
              },
            ]);
            expect(effects.at(-1)).toEqual(finish[0]);
            expect(after.state).toBe(after.abort === null ? 'Done' : 'Aborted');
          } else {
            expect(finish).toEqual([]);
          }
          finishes += finish.length;
        }
        expect(finishes).toBe(1);
      }),
      { numRuns: 300 },
    );
  });
});
