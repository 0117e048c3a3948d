import { MODULE_YAML_TYPES, SaveModuleQuery, SaveModuleRequest } from '@slipway/contracts';
import { checkModuleDocument, parseModuleDocuments, type ModuleDocument } from '@slipway/domain';
import type { Request } from 'express';
import { invalid } from '../app-error.js';
import { parseRequest } from '../http/parse-request.js';

export const YAML_TYPES = MODULE_YAML_TYPES;

/**
 * The module documents of a save: one as JSON (`{document, comment?}`), or any number as
 * YAML documents separated by `---` (the comment in `?comment=`), as `slipway module put`
 * sends files. Every problem of every document is reported, with lines for YAML.
 */
export function documentsFromRequest(req: Request): {
  documents: ModuleDocument[];
  comment: string;
} {
  if (typeof req.body === 'string') {
    const { comment } = parseRequest(SaveModuleQuery, req.query, 'query');
    const parsed = parseModuleDocuments(req.body);
    if (!parsed.ok) throw invalid('invalid_module', parsed.problems);
    return { documents: parsed.value, comment: comment ?? '' };
  }
  if (req.body === undefined) {
    throw invalid('invalid_request', [
      {
        at: ['body'],
        message:
          'send {"document": …} as JSON, or YAML documents with Content-Type: application/yaml',
      },
    ]);
  }
  const body = parseRequest(SaveModuleRequest, req.body, 'body');
  const checked = checkModuleDocument(body.document);
  if (!checked.ok) throw invalid('invalid_module', checked.problems);
  return { documents: [checked.value], comment: body.comment ?? '' };
}

/** The one document of a `PUT /modules/<path>`, whose path must be the URL's. */
export function documentFromRequest(
  req: Request,
  path: string,
): { document: ModuleDocument; comment: string } {
  const { documents, comment } = documentsFromRequest(req);
  const [document] = documents;
  if (document === undefined || documents.length > 1) {
    throw invalid('invalid_request', [
      { at: ['body'], message: 'PUT takes one module document; POST /api/modules takes several' },
    ]);
  }
  if (document.path !== path) {
    throw invalid('invalid_module', [
      {
        module: document.path,
        at: ['path'],
        message: `the document's path ${document.path} differs from ${path} in the URL`,
      },
    ]);
  }
  return { document, comment };
}
