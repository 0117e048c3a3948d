import { runChannel, type EventBus, type RunMessage } from '@slipway/engine';
import type { Draining } from '../live/draining.js';

export interface RunWait<T> {
  /** Looks at one message of the run's channel: an answer ends the wait, undefined goes on. */
  onMessage(message: RunMessage): T | undefined;
  /**
   * Reads the store again once the subscription is live: a write committed between the
   * caller's first read and the subscription published its message too early to be seen.
   */
  recheck(): Promise<T | undefined>;
}

export type WaitResult<T> =
  | { kind: 'answer'; answer: T }
  | { kind: 'timeout' }
  | { kind: 'draining' }
  /** The client went away; nobody is left to answer. */
  | { kind: 'gone' };

export interface WaitLimits {
  seconds: number;
  draining: Draining;
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
}

/**
 * Waits for the run's channel to bring an answer. No polling: the process's one subscriber
 * connection (EventBus) hands each message to every waiter of the run, so a waiter costs a
 * handler and a timer until it is answered.
 */
export function waitOnRun<T>(
  events: EventBus,
  runId: string,
  wait: RunWait<T>,
  limits: WaitLimits,
): Promise<WaitResult<T>> {
  return new Promise((resolve, reject) => {
    let done = false;
    let unsubscribe: (() => void) | undefined;
    const cleanups: (() => void)[] = [];
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      for (const cleanup of cleanups) cleanup();
      unsubscribe?.();
      settle();
    };
    const end = (result: WaitResult<T>) => finish(() => resolve(result));

    const timer = setTimeout(() => end({ kind: 'timeout' }), limits.seconds * 1000);
    cleanups.push(() => clearTimeout(timer));
    const onGone = () => end({ kind: 'gone' });
    limits.signal.addEventListener('abort', onGone, { once: true });
    cleanups.push(() => limits.signal.removeEventListener('abort', onGone));
    if (limits.signal.aborted) return onGone();
    cleanups.push(limits.draining.onBegin(() => end({ kind: 'draining' })));
    if (done) return;

    events
      .subscribe(runChannel(runId), (message) => {
        if (done) return;
        const answer = wait.onMessage(message as RunMessage);
        if (answer !== undefined) end({ kind: 'answer', answer });
      })
      .then(async (stop) => {
        if (done) return stop();
        unsubscribe = stop;
        const answer = await wait.recheck();
        if (answer !== undefined) end({ kind: 'answer', answer });
      })
      .catch((error: unknown) => finish(() => reject(error)));
  });
}
