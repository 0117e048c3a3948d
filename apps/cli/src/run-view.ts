import type { LiveRunMessage, LiveRunSnapshot, RunDetail } from '@slipway/contracts';
import { isBarrierState, isFinalState, type RunState } from '@slipway/domain';
import { EXIT } from './cli-error.js';
import { formatDuration } from './format-output.js';

/*
 * What `slipway run --wait` knows of a run, kept up to date from the live stream's
 * snapshot and messages or from reading the run; the same view whichever way it is fed.
 */

export interface InstanceView {
  name: string;
  /** The last state this instance completed. */
  completed: string | null;
  failed: boolean;
  gone: boolean;
  statecustom: string | null;
}

export interface RunView {
  id: string;
  module: string;
  state: RunState;
  abort: string | null;
  outcome: 'success' | 'failed' | null;
  createdAt: number;
  finishedAt: number | null;
  instances: Map<string, InstanceView>;
}

export function viewOfRun(detail: RunDetail): RunView {
  const view: RunView = {
    id: detail.id,
    module: `${detail.module}@${detail.moduleVersion}`,
    state: detail.state,
    abort: null,
    outcome: null,
    createdAt: 0,
    finishedAt: null,
    instances: new Map(),
  };
  applyDetail(view, detail);
  return view;
}

/** Everything the run's record says; it is as new as the read. */
export function applyDetail(view: RunView, detail: RunDetail): void {
  view.state = detail.state;
  view.abort = detail.abortMessage;
  view.outcome = detail.outcome;
  view.createdAt = Date.parse(detail.createdAt);
  view.finishedAt = detail.finishedAt === null ? null : Date.parse(detail.finishedAt);
  view.instances = new Map(
    detail.instances.map((instance) => [
      instance.name,
      {
        name: instance.name,
        completed: instance.completed,
        failed: instance.failed,
        gone: instance.gone,
        statecustom: instance.statecustom,
      },
    ]),
  );
}

export function applySnapshot(view: RunView, snapshot: LiveRunSnapshot): void {
  view.state = snapshot.state;
  view.abort = snapshot.abort;
  for (const instance of snapshot.instances) {
    const known = view.instances.get(instance.name);
    if (known) known.statecustom = instance.statecustom;
    else
      view.instances.set(instance.name, {
        ...emptyInstance(instance.name),
        statecustom: instance.statecustom,
      });
  }
}

export function applyMessage(view: RunView, message: LiveRunMessage): void {
  switch (message.type) {
    case 'state':
      view.state = message.state;
      return;
    case 'abort':
      view.abort = message.message;
      return;
    case 'parameter':
      applyParameter(view, message.key, message.value);
      return;
    default:
      return;
  }
}

function applyParameter(view: RunView, key: string, value: string | null): void {
  const colon = key.indexOf(':');
  const owner = key.slice(0, colon);
  const name = key.slice(colon + 1);
  if (owner === 'ss') {
    if (name === 'abort') view.abort = value;
    return;
  }
  const instance = view.instances.get(owner);
  if (!instance) return;
  if (name === 'statecustom') instance.statecustom = value;
  else if (name === 'complete') instance.completed = value;
  else if (name === 'exitcode' && value !== null && value !== '0') instance.failed = true;
}

function emptyInstance(name: string): InstanceView {
  return { name, completed: null, failed: false, gone: false, statecustom: null };
}

/**
 * How many instances are where: in a barrier state, working on it or done with it;
 * `3 instances: 2 Running, 1 completed, 1 failed`. Empty once the run has ended.
 */
export function instanceSummary(view: RunView): string {
  if (isFinalState(view.state) || view.instances.size === 0) return '';
  const counts = new Map<string, number>();
  let failed = 0;
  for (const instance of view.instances.values()) {
    const label = instance.gone
      ? 'gone'
      : !isBarrierState(view.state)
        ? 'kept'
        : instance.completed === view.state
          ? 'completed'
          : view.state;
    counts.set(label, (counts.get(label) ?? 0) + 1);
    if (instance.failed) failed += 1;
  }
  const order = [view.state, 'completed', 'kept', 'gone'];
  const parts = order.flatMap((label) => {
    const count = counts.get(label);
    return count === undefined ? [] : [`${count} ${label}`];
  });
  if (failed > 0) parts.push(`${failed} failed`);
  const total = view.instances.size;
  return `${total} instance${total === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

export function elapsed(view: RunView, now: number): string {
  return formatDuration((view.finishedAt ?? now) - view.createdAt);
}

/** The status line a terminal shows in place: `Running 1:02 · 3 instances: …`. */
export function statusLine(view: RunView, now: number): string {
  const summary = instanceSummary(view);
  return [`${view.state} ${elapsed(view, now)}`, summary].filter(Boolean).join(' · ');
}

/** 0 Done/success, 1 Done/failed, 2 Aborted. */
export function exitCodeOf(view: RunView): number {
  if (view.state === 'Aborted') return EXIT.aborted;
  return view.outcome === 'success' ? EXIT.success : EXIT.failed;
}

export function finalLine(view: RunView, now: number): string {
  const end =
    view.state === 'Aborted'
      ? `Aborted: ${view.abort ?? 'no message'}`
      : `Done: ${view.outcome ?? 'no outcome'}`;
  return `run ${view.id} ${end} (${elapsed(view, now)})`;
}
