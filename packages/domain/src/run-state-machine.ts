import { z } from 'zod';

/*
 * The run state machine: Initializing → Running → SendingReport → (Ready) → Done | Aborted.
 * A pure transition function; the orchestrator stores the status, feeds it events and
 * carries out the effects. Events that do not apply (stale, unknown, too late) are ignored
 * rather than rejected, because they arrive from many machines and processes in any order.
 */

export const RunState = z.enum([
  'Initializing',
  'Running',
  'SendingReport',
  'Ready',
  'Done',
  'Aborted',
]);
export type RunState = z.infer<typeof RunState>;

export const KeepRunning = z.enum(['never', 'on-success', 'on-error', 'always']);
export type KeepRunning = z.infer<typeof KeepRunning>;

export type Outcome = 'success' | 'failed';

export const FINAL_STATES = ['Done', 'Aborted'] as const satisfies readonly RunState[];
export type FinalState = (typeof FINAL_STATES)[number];

export function isFinalState(state: RunState): state is FinalState {
  return (FINAL_STATES as readonly RunState[]).includes(state);
}

/** The states every instance must complete before the run moves on, in order. */
export const BARRIER_STATES = [
  'Initializing',
  'Running',
  'SendingReport',
] as const satisfies readonly RunState[];
export type BarrierState = (typeof BARRIER_STATES)[number];

export function isBarrierState(state: RunState): state is BarrierState {
  return (BARRIER_STATES as readonly RunState[]).includes(state);
}

export interface InstanceProgress {
  node: string;
  /** The last state this instance completed. */
  completed: RunState | null;
  /** A target exited non-zero. */
  failed: boolean;
  /** Provisioning failed (tolerated) or the machine was released; no barrier waits for it. */
  gone: boolean;
}

export interface RunStatus {
  state: RunState;
  /** Some instance failed; the run goes on but its outcome becomes 'failed'. */
  failing: boolean;
  /** The first abort message; later ones are dropped. */
  abort: string | null;
  keepRunning: KeepRunning;
  started: boolean;
  /** By instance name, e.g. 'testsuite-2'. */
  instances: Record<string, InstanceProgress>;
  /** Per node; a node without an entry tolerates none. */
  maxProvisioningFailures: Record<string, number>;
}

export type RunEvent =
  /** Provision every instance. */
  | { type: 'start' }
  /** `failed` wins over `exitCode`; without it a non-zero `exitCode` means failed. */
  | { type: 'completed'; instance: string; state: RunState; failed?: boolean; exitCode?: number }
  | { type: 'provisioningFailed'; instance: string; message: string }
  /**
   * The run left Initializing (an abort) before these instances got a machine: they are
   * gone, and no barrier waits for them. Ignored in Initializing, where they still may, and
   * for an instance that completed a state (it had a machine).
   */
  | { type: 'provisioningAbandoned'; instances: string[] }
  | { type: 'abort'; message: string }
  | { type: 'cancelAbort' }
  /** The grace deadline of a state ran out: advance without waiting for the stragglers. */
  | { type: 'deadlinePassed'; state: RunState }
  /** The run timeout: abort with "run timed out". */
  | { type: 'timeout' }
  /** The user's Terminate. */
  | { type: 'terminate'; message?: string };

export type RunEffect =
  | { type: 'provision'; instances: string[] }
  /** Publish ss:state; the machines react to it. */
  | { type: 'enterState'; state: RunState }
  /** SIGTERM then SIGKILL the running targets, wake every blocked ss-get with exit 8. */
  | { type: 'stopTargets' }
  | { type: 'release'; instances: string[] }
  | { type: 'finish'; state: FinalState; outcome: Outcome; message: string | null };

export interface RunTransition {
  status: RunStatus;
  effects: RunEffect[];
}

export interface RunStatusInput {
  instances: { name: string; node: string }[];
  keepRunning: KeepRunning;
  maxProvisioningFailures?: Record<string, number>;
}

export const RUN_TIMED_OUT = 'run timed out';
export const RUN_TERMINATED = 'run terminated by user';

export function createRunStatus(input: RunStatusInput): RunStatus {
  const instances: Record<string, InstanceProgress> = {};
  const maxProvisioningFailures: Record<string, number> = {};
  for (const { name, node } of input.instances) {
    if (Object.hasOwn(instances, name)) throw new Error(`duplicate instance name "${name}"`);
    instances[name] = { node, completed: null, failed: false, gone: false };
    maxProvisioningFailures[node] = 0;
  }
  return {
    state: 'Initializing',
    failing: false,
    abort: null,
    keepRunning: input.keepRunning,
    started: false,
    instances,
    maxProvisioningFailures: { ...maxProvisioningFailures, ...input.maxProvisioningFailures },
  };
}

/**
 * Applies one event. Pure: the input status is never mutated, and on a final state every
 * event returns that very status with no effects.
 */
export function advanceRun(status: RunStatus, event: RunEvent): RunTransition {
  if (isFinalState(status.state)) return ignore(status);
  switch (event.type) {
    case 'start':
      return start(status);
    case 'completed':
      return complete(status, event);
    case 'provisioningFailed':
      return failProvisioning(status, event.instance, event.message);
    case 'provisioningAbandoned':
      return abandonProvisioning(status, event.instances);
    case 'abort':
      return settle(abortRun(begin(status), event.message));
    case 'cancelAbort':
      return status.abort === null
        ? ignore(status)
        : { status: { ...status, abort: null }, effects: [] };
    case 'deadlinePassed':
      return passDeadline(status, event.state);
    case 'timeout':
      return timeOut(status);
    case 'terminate':
      return terminate(status, event.message);
  }
}

function ignore(status: RunStatus): RunTransition {
  return { status, effects: [] };
}

/** A copy to change: status and instance map are new; entries are replaced, never edited. */
function begin(status: RunStatus): RunTransition {
  return { status: { ...status, instances: { ...status.instances } }, effects: [] };
}

function instanceNamed(status: RunStatus, name: string): InstanceProgress | undefined {
  // Own keys only: an unknown name such as "constructor" must not find Object.prototype.
  return Object.hasOwn(status.instances, name) ? status.instances[name] : undefined;
}

function remainingInstances(status: RunStatus): string[] {
  return Object.entries(status.instances)
    .filter(([, instance]) => !instance.gone)
    .map(([name]) => name);
}

function start(status: RunStatus): RunTransition {
  if (status.started || status.state !== 'Initializing') return ignore(status);
  const t = begin(status);
  t.status.started = true;
  const all = Object.keys(t.status.instances);
  if (all.length > 0) t.effects.push({ type: 'provision', instances: all });
  return settle(t);
}

function complete(
  status: RunStatus,
  event: Extract<RunEvent, { type: 'completed' }>,
): RunTransition {
  const instance = instanceNamed(status, event.instance);
  const applies =
    status.started &&
    instance !== undefined &&
    !instance.gone &&
    isBarrierState(status.state) &&
    event.state === status.state;
  if (!applies) return ignore(status);
  const failed = event.failed ?? (event.exitCode !== undefined && event.exitCode !== 0);
  const t = begin(status);
  t.status.instances[event.instance] = {
    ...instance,
    completed: event.state,
    failed: instance.failed || failed,
  };
  if (failed) t.status.failing = true;
  return settle(t);
}

function failProvisioning(status: RunStatus, name: string, message: string): RunTransition {
  const instance = instanceNamed(status, name);
  if (
    !status.started ||
    status.state !== 'Initializing' ||
    instance === undefined ||
    instance.gone
  ) {
    return ignore(status);
  }
  const t = begin(status);
  t.status.instances[name] = { ...instance, gone: true };
  // Nothing is released before the run ends: in Initializing, gone means failed provisioning.
  const lost = Object.values(t.status.instances).filter(
    (other) => other.node === instance.node && other.gone,
  ).length;
  const tolerated = Object.hasOwn(status.maxProvisioningFailures, instance.node)
    ? (status.maxProvisioningFailures[instance.node] ?? 0)
    : 0;
  if (lost > tolerated) abortRun(t, `provisioning failed for node ${instance.node}: ${message}`);
  return settle(t);
}

function abandonProvisioning(status: RunStatus, names: string[]): RunTransition {
  if (!status.started || status.state === 'Initializing') return ignore(status);
  const abandoned = names.filter((name) => {
    const instance = instanceNamed(status, name);
    // One that completed a state had a machine: not abandoned, whatever the caller thinks.
    return instance !== undefined && !instance.gone && instance.completed === null;
  });
  if (abandoned.length === 0) return ignore(status);
  const t = begin(status);
  for (const name of abandoned) {
    t.status.instances[name] = { ...(t.status.instances[name] as InstanceProgress), gone: true };
  }
  return settle(t);
}

function passDeadline(status: RunStatus, state: RunState): RunTransition {
  if (!status.started || state !== status.state || !isBarrierState(state)) return ignore(status);
  const t = begin(status);
  passBarrier(t);
  return settle(t);
}

function timeOut(status: RunStatus): RunTransition {
  const t = begin(status);
  const reporting = status.state === 'SendingReport';
  abortRun(t, RUN_TIMED_OUT);
  // A timed-out run must end: it does not wait for reports a second time.
  if (reporting) passBarrier(t);
  return settle(t);
}

function terminate(status: RunStatus, message: string | undefined): RunTransition {
  const t = begin(status);
  if (status.state !== 'Ready') {
    recordAbort(t, message ?? RUN_TERMINATED);
    if (status.started) t.effects.push({ type: 'stopTargets' });
  }
  finish(t);
  return t;
}

function recordAbort(t: RunTransition, message: string): void {
  if (t.status.abort === null) t.status.abort = message;
}

/** Mutates t: records the abort and stops what is running. */
function abortRun(t: RunTransition, message: string): RunTransition {
  recordAbort(t, message);
  const { state, started } = t.status;
  if (state === 'Initializing' && !started) {
    // Nothing was provisioned: there is no target to stop and no report to wait for.
    finish(t);
  } else if (state === 'Initializing' || state === 'Running') {
    t.effects.push({ type: 'stopTargets' });
    enter(t, 'SendingReport');
  }
  // In SendingReport the reports are being collected anyway; in Ready the kept machines stay.
  return t;
}

/** Mutates t: advances while the current barrier is satisfied. */
function settle(t: RunTransition): RunTransition {
  while (
    t.status.started &&
    isBarrierState(t.status.state) &&
    barrierSatisfied(t.status, t.status.state)
  ) {
    passBarrier(t);
  }
  return t;
}

function barrierSatisfied(status: RunStatus, state: BarrierState): boolean {
  return Object.values(status.instances).every(
    (instance) => instance.gone || instance.completed === state,
  );
}

function passBarrier(t: RunTransition): void {
  switch (t.status.state) {
    case 'Initializing':
      enter(t, 'Running');
      return;
    case 'Running':
      enter(t, 'SendingReport');
      return;
    case 'SendingReport':
      if (keepsMachines(t.status)) enter(t, 'Ready');
      else finish(t);
      return;
    default:
      return;
  }
}

function troubled(status: RunStatus): boolean {
  return status.failing || status.abort !== null;
}

function keepsMachines(status: RunStatus): boolean {
  switch (status.keepRunning) {
    case 'never':
      return false;
    case 'always':
      return true;
    case 'on-success':
      return !troubled(status);
    case 'on-error':
      return troubled(status);
  }
}

function enter(t: RunTransition, state: RunState): void {
  t.status.state = state;
  t.effects.push({ type: 'enterState', state });
}

/** Mutates t: releases what is left (once each, since released means gone) and ends the run. */
function finish(t: RunTransition): void {
  const remaining = t.status.started ? remainingInstances(t.status) : [];
  if (remaining.length > 0) {
    for (const name of remaining) {
      const instance = t.status.instances[name];
      if (instance) t.status.instances[name] = { ...instance, gone: true };
    }
    t.effects.push({ type: 'release', instances: remaining });
  }
  const state: FinalState = t.status.abort === null ? 'Done' : 'Aborted';
  enter(t, state);
  t.effects.push({
    type: 'finish',
    state,
    outcome: troubled(t.status) ? 'failed' : 'success',
    message: t.status.abort,
  });
}
