import { LIVE_KEEP_ALIVE_SECONDS } from '@slipway/contracts';
import type { Response } from 'express';
import type { Draining } from './draining.js';

export interface EventStream {
  send(event: string, data: unknown): void;
  /** Runs `cleanup` when the stream ends (at once if it has). */
  onClose(cleanup: () => void): void;
  readonly closed: boolean;
}

/**
 * Turns a response into a Server-Sent Events stream: keep-alive comments so that proxies
 * keep it open, and an end on client disconnect or API shutdown (the browser's EventSource
 * then reconnects, to another API process).
 */
export function openEventStream(res: Response, draining: Draining): EventStream {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store, no-transform',
    Connection: 'keep-alive',
    // nginx would otherwise buffer the stream.
    'X-Accel-Buffering': 'no',
  });
  res.write(': connected\n\n');
  let closed = false;
  const cleanups: (() => void)[] = [];
  const close = () => {
    if (closed) return;
    closed = true;
    for (const cleanup of cleanups.splice(0)) cleanup();
  };
  const keepAlive = setInterval(
    () => res.write(': keep-alive\n\n'),
    LIVE_KEEP_ALIVE_SECONDS * 1000,
  );
  cleanups.push(() => clearInterval(keepAlive));
  cleanups.push(draining.onBegin(() => res.end()));
  res.once('close', close);
  if (res.destroyed) close();
  return {
    send(event, data) {
      if (closed) return;
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    onClose(cleanup) {
      if (closed) cleanup();
      else cleanups.push(cleanup);
    },
    get closed() {
      return closed;
    },
  };
}
