import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { MAX_LOG_LINE_LENGTH, MAX_LOG_LINES, type LogQuery } from '@slipway/contracts';
import { runChannel, type RunMessage } from '@slipway/engine';
import type { ApiDeps } from '../deps.js';
import type { MachineCaller } from './machine-caller.js';

/** Lines that arrive together are sent to browsers together, at most this often. */
export const LOG_RELAY_INTERVAL_MS = 200;

/**
 * Relays a raw text body to the browsers watching the run while it is still arriving: the
 * bootstrap streams a target's log for as long as the target runs (`tail -f | curl -T -`),
 * so one request carries a whole target's output and a quiet machine costs nothing.
 * Lines are cut at MAX_LOG_LINE_LENGTH; nothing is stored (the report has the whole log).
 */
export async function relayLogStream(
  deps: ApiDeps,
  caller: MachineCaller,
  query: LogQuery,
  body: Readable,
): Promise<number> {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let pending: string[] = [];
  let relayed = 0;
  let lastSent = 0;

  const send = async () => {
    while (pending.length > 0) {
      const lines = pending.slice(0, MAX_LOG_LINES);
      pending = pending.slice(MAX_LOG_LINES);
      const message: RunMessage = {
        type: 'log',
        instance: caller.instance,
        stream: query.stream,
        lines,
      };
      await deps.events.publish(runChannel(caller.runId), message);
      relayed += lines.length;
    }
    lastSent = Date.now();
  };
  const take = (text: string) => {
    const parts = (partial + text).split(/\r?\n/);
    partial = parts.pop() ?? '';
    // A line without an end is cut rather than held without bound.
    if (partial.length > MAX_LOG_LINE_LENGTH) {
      parts.push(partial);
      partial = '';
    }
    for (const line of parts) pending.push(line.slice(0, MAX_LOG_LINE_LENGTH));
  };

  try {
    for await (const chunk of body) {
      take(decoder.write(chunk as Buffer));
      if (pending.length >= MAX_LOG_LINES || Date.now() - lastSent >= LOG_RELAY_INTERVAL_MS) {
        await send();
      }
    }
  } catch {
    // The machine went away mid-stream (its target ended, or it was released): relay what came.
  }
  take(decoder.end());
  if (partial !== '') pending.push(partial);
  partial = '';
  await send();
  return relayed;
}
