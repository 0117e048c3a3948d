import type { ErrorBody } from '@slipway/contracts';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../app-error.js';

function bodyOf(error: AppError): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.problems && { problems: error.problems }),
    },
  };
}

export const notFoundRoute: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', `no route ${req.method} ${req.path}`));
};

/** Maps every error to the JSON error body. Unknown errors are logged and answered with a plain 500. */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    if (error instanceof AppError) {
      if (error.options.detail !== undefined)
        logger.warn({ detail: error.options.detail, code: error.code }, error.message);
      res.status(error.status).json(bodyOf(error));
      return;
    }
    // Errors raised by Express's own parsers carry a status and a type.
    const http = error as { status?: number; type?: string; expose?: boolean; message?: string };
    if (http.type === 'entity.too.large') {
      res
        .status(413)
        .json(bodyOf(new AppError('payload_too_large', 'the request body is too large')));
      return;
    }
    if (http.type === 'entity.parse.failed') {
      res
        .status(400)
        .json(bodyOf(new AppError('invalid_request', 'the request body is not valid JSON')));
      return;
    }
    logger.error({ err: error, method: req.method, path: req.path }, 'unexpected error');
    res.status(500).json(bodyOf(new AppError('internal', 'internal error; it has been logged')));
  };
}
