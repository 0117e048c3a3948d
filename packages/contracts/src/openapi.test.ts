import { describe, expect, it } from 'vitest';
import { API_CATALOG } from './api-catalog.js';
import { ERROR_STATUS } from './errors.js';
import { openApiDocument } from './openapi.js';

type Json = Record<string, any>;

function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refsIn(item, found);
  else if (value && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') found.push(item);
      else refsIn(item, found);
    }
  return found;
}

function resolve(document: Json, ref: string): unknown {
  expect(ref.startsWith('#/'), ref).toBe(true);
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], document);
}

describe('the OpenAPI document', () => {
  const document = openApiDocument() as Json;

  it('is plain JSON: it survives a round trip unchanged', () => {
    expect(JSON.parse(JSON.stringify(document))).toEqual(document);
    expect(document.openapi).toBe('3.1.0');
  });

  it('has every route of the catalog, once, with a unique operation id', () => {
    const operations = Object.entries(document.paths as Json).flatMap(([path, item]) =>
      Object.entries(item as Json).map(([method, operation]) => ({ path, method, operation })),
    );
    expect(operations).toHaveLength(API_CATALOG.length);
    for (const route of API_CATALOG) {
      expect(document.paths[route.path]?.[route.method]?.operationId, route.path).toBe(route.id);
    }
    const ids = operations.map(({ operation }) => (operation as Json).operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares every path parameter of a path template, and no other', () => {
    for (const [path, item] of Object.entries(document.paths as Json)) {
      const inTemplate = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
      for (const operation of Object.values(item as Json)) {
        const declared = (operation as Json).parameters
          .filter((parameter: Json) => parameter.in === 'path')
          .map((parameter: Json) => parameter.name)
          .sort();
        expect(declared, `${path}`).toEqual(inTemplate);
      }
    }
  });

  it('resolves every reference, and keeps only the schemas something refers to', () => {
    const refs = refsIn(document);
    for (const ref of refs) expect(resolve(document, ref), ref).toBeDefined();
    const used = new Set(refs);
    for (const name of Object.keys(document.components.schemas))
      expect(used.has(`#/components/schemas/${name}`), name).toBe(true);
  });

  it('describes each route’s inputs and answers with its schemas', () => {
    const launch = document.paths['/api/runs'].post;
    expect(launch.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/LaunchRunRequest',
    });
    expect(launch.responses['201'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/LaunchRunResponse',
    });
    expect(launch.responses['429']).toEqual({ $ref: '#/components/responses/Error429' });
    const list = document.paths['/api/runs'].get;
    expect(list.parameters.map((parameter: Json) => parameter.name)).toEqual([
      'module',
      'state',
      'owner',
      'page',
      'pageSize',
    ]);
    // Requests are described as sent: a field with a default is optional.
    expect(document.components.schemas.PutCloudRequest.required).toEqual(['kind']);
    const save = document.paths['/api/modules/{path}'].put.requestBody.content;
    expect(Object.keys(save)).toEqual(expect.arrayContaining(['application/json', 'text/yaml']));
    const stream = document.paths['/api/runs/{id}/stream'].get.responses['200'];
    expect(stream.content['text/event-stream']).toBeDefined();
    expect(stream['x-sse-events'].snapshot).toEqual({
      $ref: '#/components/schemas/LiveRunSnapshot',
    });
    const download = document.paths['/api/runs/{id}/reports/{reportId}'].get.responses['200'];
    expect(Object.keys(download.content)).toEqual(['application/gzip']);
  });

  it('gives each route a schema for every JSON body it takes or answers', () => {
    for (const route of API_CATALOG) {
      const operation = document.paths[route.path][route.method];
      for (const content of route.body ?? [])
        expect(operation.requestBody.content[content.type], route.id).toEqual(
          content.schema ? { schema: expect.any(Object) } : {},
        );
      for (const response of route.responses) {
        expect(route.errors, `${route.id} ${response.status}`).not.toContain(response.status);
        for (const content of response.content ?? [])
          expect(operation.responses[response.status].content[content.type], route.id).toEqual(
            content.schema ? { schema: expect.any(Object) } : {},
          );
      }
    }
  });

  it('answers every error with the ErrorBody, naming the codes of each status', () => {
    const statuses = new Set(API_CATALOG.flatMap((route) => route.errors));
    for (const status of statuses) {
      const response = document.components.responses[`Error${status}`];
      expect(response.content['application/json'].schema).toEqual({
        $ref: '#/components/schemas/ErrorBody',
      });
      for (const [code, codeStatus] of Object.entries(ERROR_STATUS))
        if (codeStatus === status) expect(response.description).toContain(code);
    }
  });

  it('tells who may call each route and how they authenticate', () => {
    const { securitySchemes } = document.components;
    expect(Object.keys(securitySchemes).sort()).toEqual([
      'apiToken',
      'csrfToken',
      'machineToken',
      'session',
    ]);
    expect(securitySchemes.session).toMatchObject({ in: 'cookie', name: 'slipway_session' });
    const launch = document.paths['/api/runs'].post;
    expect(launch['x-slipway-caller']).toBe('user');
    expect(launch.security).toEqual([{ session: [], csrfToken: [] }, { apiToken: [] }]);
    expect(document.paths['/api/runs'].get.security).toEqual([{ session: [] }, { apiToken: [] }]);
    expect(document.paths['/api/machine/complete'].post.security).toEqual([{ machineToken: [] }]);
    expect(document.paths['/api/modules'].get.security).toContainEqual({});
    expect(document.paths['/healthz'].get.security).toEqual([]);
  });
});
