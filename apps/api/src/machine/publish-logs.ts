import { MAX_LOG_LINES, type LogLines, type LogLinesAccepted } from '@slipway/contracts';
import { runChannel, type RunMessage } from '@slipway/engine';
import type { ApiDeps } from '../deps.js';
import type { MachineCaller } from './machine-caller.js';

/**
 * Relays a target's output to the browsers watching the run, in messages of a bounded
 * size. Not stored: the complete logs arrive in the instance's report.
 */
export async function publishLogs(
  deps: ApiDeps,
  caller: MachineCaller,
  logs: LogLines,
): Promise<LogLinesAccepted> {
  for (let start = 0; start < logs.lines.length; start += MAX_LOG_LINES) {
    const message: RunMessage = {
      type: 'log',
      instance: caller.instance,
      stream: logs.stream,
      lines: logs.lines.slice(start, start + MAX_LOG_LINES),
    };
    await deps.events.publish(runChannel(caller.runId), message);
  }
  return { lines: logs.lines.length };
}
