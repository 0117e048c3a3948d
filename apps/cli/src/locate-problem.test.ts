import { describe, expect, it } from 'vitest';
import { locateProblem } from './locate-problem.js';

const text = `path: P/web
kind: image
parent: P/nosuch
parameters:
  - {name: port, kind: output}
---
path: P/d
kind: deployment
nodes:
  - name: web
    image: P/web
  - name: client
    image: P/client
    mappings:
      webserver.port: web:port
`;

describe('locateProblem', () => {
  it('finds the line of a field of the right document', () => {
    expect(locateProblem(text, { module: 'P/web', at: ['parent'], message: 'x' })).toBe(3);
    expect(
      locateProblem(text, { module: 'P/d', at: ['nodes', 'client', 'image'], message: 'x' }),
    ).toBe(13);
    expect(
      locateProblem(text, {
        module: 'P/d',
        at: ['nodes', 'client', 'mappings', 'webserver.port'],
        message: 'x',
      }),
    ).toBe(15);
    expect(locateProblem(text, { module: 'P/web', at: ['parameters', 0], message: 'x' })).toBe(5);
  });

  it('falls back to the nearest place that exists', () => {
    expect(
      locateProblem(text, { module: 'P/d', at: ['nodes', 'web', 'cloud'], message: 'x' }),
    ).toBe(10);
  });

  it('keeps a line the API gave, and knows none for an unknown module', () => {
    expect(locateProblem(text, { module: 'P/d', at: [], line: 42, message: 'x' })).toBe(42);
    expect(locateProblem(text, { module: 'P/other', at: ['kind'], message: 'x' })).toBeUndefined();
  });
});
