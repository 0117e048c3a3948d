import {
  AbortRequest,
  CompleteRequest,
  LogLines,
  LogQuery,
  ParameterQuery,
  StateQuery,
} from '@slipway/contracts';
import { MAX_VALUE_BYTES } from '@slipway/domain';
import express, { Router, type RequestHandler, type Response } from 'express';
import { AppError } from '../app-error.js';
import { requireMachine } from '../auth/authenticate.js';
import type { ApiDeps } from '../deps.js';
import { parseRequest } from '../http/parse-request.js';
import type { Draining } from '../live/draining.js';
import { abortFromMachine, cancelAbortFromMachine } from './abort-from-machine.js';
import { completeState } from './complete-state.js';
import { getParameter } from './get-parameter.js';
import { waitForState } from './machine-state.js';
import { publishLogs } from './publish-logs.js';
import { relayLogStream } from './relay-log-stream.js';
import { setParameter } from './set-parameter.js';

const rawValue = express.raw({ type: () => true, limit: MAX_VALUE_BYTES });

/** The value of ss-set, as the request body: any content type, at most 4096 bytes of UTF-8. */
const valueBody: RequestHandler = (req, res, next) => {
  rawValue(req, res, (error?: unknown) => {
    if ((error as { type?: string } | undefined)?.type === 'entity.too.large') {
      return next(
        new AppError('payload_too_large', `a value has at most ${MAX_VALUE_BYTES} bytes (UTF-8)`),
      );
    }
    next(error);
  });
};

function decodeValue(body: unknown): string {
  if (body === undefined) return '';
  if (!Buffer.isBuffer(body)) {
    throw new AppError(
      'invalid_request',
      'send the value itself as the body, with Content-Type text/plain',
    );
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new AppError('invalid_request', 'the value is not valid UTF-8');
  }
}

// Machine commands send free text as it is: escaping JSON in POSIX sh is a trap.
const abortText = express.text({ type: 'text/plain', limit: MAX_VALUE_BYTES });

/** Aborted when the client disconnects, so its long poll stops waiting. */
function clientGone(res: Response): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => controller.abort());
  return controller.signal;
}

/** The parameter store and run events for the machines of a run (ss-get, ss-set, ss-abort, …). */
export function machineRoutes(deps: ApiDeps, draining: Draining): Router {
  const router = Router();

  router.get('/machine/parameters/:reference', async (req, res) => {
    const caller = requireMachine(req);
    const query = parseRequest(ParameterQuery, req.query, 'query');
    const signal = clientGone(res);
    const answer = await getParameter(deps, draining, caller, req.params.reference, query, signal);
    res.set('Cache-Control', 'no-store');
    if (answer.kind === 'value') res.type('text/plain').send(answer.value);
    else if (answer.kind === 'notSet') res.status(204).end();
  });

  router.put('/machine/parameters/:reference', valueBody, async (req, res) => {
    const caller = requireMachine(req);
    await setParameter(deps, caller, String(req.params.reference), decodeValue(req.body));
    res.status(204).end();
  });

  router.post('/machine/abort', abortText, async (req, res) => {
    const caller = requireMachine(req);
    const body: unknown = typeof req.body === 'string' ? { message: req.body } : (req.body ?? {});
    const { message } = parseRequest(AbortRequest, body, 'body');
    res.json(await abortFromMachine(deps, caller, message));
  });

  router.delete('/machine/abort', async (req, res) => {
    res.json(await cancelAbortFromMachine(deps, requireMachine(req)));
  });

  router.post('/machine/complete', async (req, res) => {
    const caller = requireMachine(req);
    res.json(await completeState(deps, caller, parseRequest(CompleteRequest, req.body, 'body')));
  });

  router.get('/machine/state', async (req, res) => {
    const caller = requireMachine(req);
    const query = parseRequest(StateQuery, req.query, 'query');
    const state = await waitForState(deps, draining, caller, query, clientGone(res));
    if (state) res.set('Cache-Control', 'no-store').json(state);
  });

  router.post('/machine/logs', async (req, res) => {
    const caller = requireMachine(req);
    if (req.is('text/plain')) {
      // Raw output, read as it arrives: the bootstrap streams a whole target in one request.
      const query = parseRequest(LogQuery, req.query, 'query');
      res.json({ lines: await relayLogStream(deps, caller, query, req) });
      return;
    }
    res.json(await publishLogs(deps, caller, parseRequest(LogLines, req.body, 'body')));
  });

  return router;
}
