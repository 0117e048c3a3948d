import {
  DeploymentModule,
  ImageModule,
  KeepRunning,
  ModuleDocument,
  ModuleKind,
  Node,
  Parameter,
  ParameterKind,
  ProjectModule,
  RunState,
  Targets,
} from '@slipway/domain';
import { z } from 'zod';
import * as accounts from './accounts.js';
import { API_CATALOG, type ApiCaller, type ApiContent, type ApiRoute } from './api-catalog.js';
import * as errors from './errors.js';
import { ERROR_STATUS } from './errors.js';
import * as live from './live.js';
import * as machine from './machine.js';
import * as modules from './modules.js';
import * as ops from './ops.js';
import * as profile from './profile.js';
import * as reports from './reports.js';
import * as runs from './runs.js';

type Json = Record<string, unknown>;

const SCHEMAS = '#/components/schemas/';
const ERRORS = '#/components/responses/';

/** Every schema of the wire gets a component named after its export. */
function namedSchemas(): Map<z.ZodType, string> {
  const domain = {
    ModuleDocument,
    ProjectModule,
    ImageModule,
    DeploymentModule,
    Node,
    Parameter,
    Targets,
    ModuleKind,
    ParameterKind,
    RunState,
    KeepRunning,
  };
  const names = new Map<z.ZodType, string>();
  for (const exports of [
    domain,
    errors,
    accounts,
    modules,
    runs,
    profile,
    machine,
    live,
    reports,
    ops,
  ])
    for (const [name, value] of Object.entries(exports))
      if (value instanceof z.ZodType && !names.has(value)) names.set(value, name);
  return names;
}

function routeSchemas(route: ApiRoute): [string, z.ZodType][] {
  const contents = [...(route.body ?? []), ...route.responses.flatMap((r) => r.content ?? [])];
  const parts: [string, z.ZodType | undefined][] = [
    ['params', route.params],
    ['query', route.query],
    ...contents.map((content, i): [string, z.ZodType | undefined] => [
      `content${i}`,
      content.schema,
    ]),
    ...route.responses.flatMap((response) =>
      Object.entries(response.events ?? {}).map(([event, schema]): [string, z.ZodType] => [
        `event-${event}`,
        schema,
      ]),
    ),
  ];
  return parts.filter((part): part is [string, z.ZodType] => part[1] !== undefined);
}

function refsIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) refsIn(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string' && item.startsWith(SCHEMAS))
        found.add(item.slice(SCHEMAS.length));
      else refsIn(item, found);
    }
  }
  return found;
}

/**
 * The JSON Schemas of every schema the catalog reaches, in both directions: requests are
 * described as they are sent (`io: input`: defaults optional, coerced query strings), responses
 * as they arrive. A schema that reads differently as input gets a second component, `<name>Input`.
 */
function convertSchemas(ids: z.core.$ZodRegistry<{ id: string }>) {
  const convert = (io: 'input' | 'output', name: (id: string) => string) => {
    const { schemas } = z.toJSONSchema(ids, {
      io,
      target: 'draft-2020-12',
      // Only ParameterQuery's output (a transform) is unrepresentable, and it is never answered.
      unrepresentable: 'any',
      uri: (id) => SCHEMAS + name(id),
    });
    if ('__shared' in schemas) throw new Error('a wire schema is recursive; give it a name');
    for (const schema of Object.values(schemas)) {
      delete schema.$schema;
      delete schema.$id;
    }
    return schemas as Record<string, Json>;
  };
  const output = convert('output', (id) => id);
  const plainInput = convert('input', (id) => id);
  const differs = new Set(
    Object.keys(output).filter(
      (id) => JSON.stringify(output[id]) !== JSON.stringify(plainInput[id]),
    ),
  );
  for (let grew = true; grew;) {
    grew = false;
    for (const [id, schema] of Object.entries(plainInput)) {
      if (differs.has(id) || ![...refsIn(schema)].some((ref) => differs.has(ref))) continue;
      differs.add(id);
      grew = true;
    }
  }
  const inputName = (id: string) => (differs.has(id) ? `${id}Input` : id);
  return { output, input: convert('input', inputName), inputName };
}

function renamed(schemas: Record<string, Json>, name: (id: string) => string) {
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [name(id), schema]));
}

/** The components the paths refer to, directly or through other components. */
function reachableSchemas(paths: Json, all: Record<string, Json>): Record<string, Json> {
  const reached: Record<string, Json> = {};
  const pending = [...refsIn(paths), 'ErrorBody'];
  for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
    const schema = all[id];
    if (reached[id] || !schema) continue;
    reached[id] = schema;
    pending.push(...refsIn(schema));
  }
  return reached;
}

function renameRefs(value: unknown, names: Map<string, string>): void {
  if (Array.isArray(value)) for (const item of value) renameRefs(item, names);
  else if (value && typeof value === 'object') {
    const object = value as Json;
    for (const [key, item] of Object.entries(object)) {
      const name = typeof item === 'string' && names.get(item.slice(SCHEMAS.length));
      if (key === '$ref' && typeof item === 'string' && item.startsWith(SCHEMAS) && name)
        object[key] = SCHEMAS + name;
      else renameRefs(item, names);
    }
  }
}

const CALLERS: Record<ApiCaller, string> = {
  anonymous: 'Anyone, logged in or not.',
  user: 'A logged-in user (session or API token).',
  admin: 'An administrator (session or API token).',
  machine: 'A machine of a run that has not ended, with its machine token.',
};

function securityOf(route: ApiRoute): Json[] {
  if (!route.path.startsWith('/api/')) return [];
  if (route.caller === 'machine') return [{ machineToken: [] }];
  const unsafe = route.method !== 'get';
  const user = [unsafe ? { session: [], csrfToken: [] } : { session: [] }, { apiToken: [] }];
  return route.caller === 'anonymous' ? [{}, ...user] : user;
}

const SECURITY_SCHEMES = {
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: 'slipway_session',
    description:
      'A browser session from POST /api/auth/login. POST, PUT, PATCH and DELETE also need the X-CSRF-Token header.',
  },
  csrfToken: {
    type: 'apiKey',
    in: 'header',
    name: 'X-CSRF-Token',
    description:
      "The session's csrfToken (from the login, or GET /api/me), on every unsafe method of a session; a mismatch answers 403 csrf.",
  },
  apiToken: {
    type: 'http',
    scheme: 'bearer',
    description: "A user's API token (swu_…) from POST /api/me/tokens, for the CLI and scripts.",
  },
  machineToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'The token (swm_…) each machine of a run receives; it dies with its run.',
  },
};

/** One shared response per error status, naming the codes that answer with it. */
function errorResponses(): Record<string, Json> {
  const codes = new Map<number, string[]>();
  for (const [code, status] of Object.entries(ERROR_STATUS))
    codes.set(status, [...(codes.get(status) ?? []), code]);
  return Object.fromEntries(
    [...codes].map(([status, names]) => [
      `Error${status}`,
      {
        description: `error: ${names.join(', ')}`,
        content: { 'application/json': { schema: { $ref: `${SCHEMAS}ErrorBody` } } },
      },
    ]),
  );
}

/**
 * The API as an OpenAPI 3.1 document, built from the API catalog and the zod schemas of the
 * wire, so it cannot drift from what the API parses and the tests check.
 */
export function openApiDocument(): Json {
  const names = namedSchemas();
  const ids = z.registry<{ id: string }>();
  for (const [schema, name] of names) ids.add(schema, { id: name });
  // A schema written inline in the catalog is converted with the rest, then inlined below.
  const inline = new Set<string>();
  for (const route of API_CATALOG)
    for (const [part, schema] of routeSchemas(route)) {
      if (ids.has(schema)) continue;
      ids.add(schema, { id: `${route.id}.${part}` });
      inline.add(`${route.id}.${part}`);
    }
  const { output, input, inputName } = convertSchemas(ids);
  const idOf = (schema: z.ZodType) => ids.get(schema)?.id ?? '';
  const request = (schema: z.ZodType): Json => {
    const id = idOf(schema);
    return inline.has(id) ? (input[id] ?? {}) : { $ref: SCHEMAS + inputName(id) };
  };
  const response = (schema: z.ZodType): Json => {
    const id = idOf(schema);
    return inline.has(id) ? (output[id] ?? {}) : { $ref: SCHEMAS + id };
  };
  const content = (contents: ApiContent[], schemaOf: (schema: z.ZodType) => Json) =>
    Object.fromEntries(
      contents.map((c) => [c.type, c.schema ? { schema: schemaOf(c.schema) } : {}]),
    );

  const parameters = (schema: z.ZodObject | undefined, where: 'path' | 'query') => {
    if (!schema) return [];
    const json = input[inputName(idOf(schema))] ?? input[idOf(schema)] ?? {};
    const required = new Set((json.required as string[] | undefined) ?? []);
    return Object.entries((json.properties ?? {}) as Record<string, Json>).map(
      ([name, property]) => ({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        ...(typeof property.description === 'string' && { description: property.description }),
        schema: property,
      }),
    );
  };

  const paths: Record<string, Record<string, Json>> = {};
  for (const route of API_CATALOG) {
    const responses: Record<string, Json> = {};
    for (const answer of route.responses) {
      responses[String(answer.status)] = {
        description: answer.description,
        ...(answer.headers && {
          headers: Object.fromEntries(
            Object.entries(answer.headers).map(([name, description]) => [
              name,
              { description, schema: { type: 'string' } },
            ]),
          ),
        }),
        ...(answer.content && { content: content(answer.content, response) }),
        ...(answer.events && {
          'x-sse-events': Object.fromEntries(
            Object.entries(answer.events).map(([event, schema]) => [event, response(schema)]),
          ),
        }),
      };
    }
    for (const status of route.errors)
      responses[String(status)] = { $ref: `${ERRORS}Error${status}` };
    responses.default = { $ref: `${ERRORS}Error500` };
    paths[route.path] ??= {};
    paths[route.path]![route.method] = {
      operationId: route.id,
      tags: [route.tag],
      summary: route.summary,
      description: [route.description, `Who may call: ${CALLERS[route.caller]}`]
        .filter(Boolean)
        .join('\n\n'),
      'x-slipway-caller': route.caller,
      security: securityOf(route),
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      ...(route.body && {
        requestBody: { required: !route.optionalBody, content: content(route.body, request) },
      }),
      responses,
    };
  }

  const components = reachableSchemas(paths, { ...output, ...renamed(input, inputName) });
  // A request schema with no response twin needs no `Input` suffix.
  const suffixed = Object.keys(input).filter(
    (id) => inputName(id) !== id && components[inputName(id)] && !components[id],
  );
  for (const id of suffixed) {
    components[id] = components[inputName(id)]!;
    delete components[inputName(id)];
  }
  renameRefs([paths, components], new Map(suffixed.map((id) => [inputName(id), id])));

  return {
    openapi: '3.1.0',
    info: {
      title: 'Slipway API',
      version: '1',
      description:
        'Deploy and test distributed systems. Errors answer an ErrorBody whose `code` decides the status.',
    },
    tags: [...new Set(API_CATALOG.map((route) => route.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: Object.fromEntries(
        Object.entries(components).sort(([a], [b]) => a.localeCompare(b)),
      ),
      responses: errorResponses(),
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}
