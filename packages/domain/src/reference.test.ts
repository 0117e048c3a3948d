import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatReference,
  parseInstanceName,
  parseMapping,
  parseReference,
  qualifyReference,
  type Reference,
} from './reference.js';

const nodeName = fc
  .tuple(fc.constantFrom(...'abcXYZ'), fc.stringMatching(/^[A-Za-z0-9_]{0,8}$/))
  .map(([first, rest]) => first + rest)
  .filter((name) => name !== 'ss');
const key = fc.stringMatching(/^[A-Za-z0-9_.-]{1,16}$/);
const reference: fc.Arbitrary<Reference> = fc.oneof(
  key.map((k) => ({ scope: 'own' as const, key: k })),
  key.map((k) => ({ scope: 'global' as const, key: k })),
  fc.record({ scope: fc.constant('node' as const), node: nodeName, key }),
  fc.record({
    scope: fc.constant('node' as const),
    node: nodeName,
    index: fc.integer({ min: 1, max: 100_000 }),
    key,
  }),
  fc.record({ scope: fc.constant('all' as const), node: nodeName, key }),
);

describe('parseReference', () => {
  it('parses every form of the grammar', () => {
    expect(parseReference('webserver.hostname')).toEqual({
      scope: 'own',
      key: 'webserver.hostname',
    });
    expect(parseReference('ss:abort')).toEqual({ scope: 'global', key: 'abort' });
    expect(parseReference('apache:port')).toEqual({ scope: 'node', node: 'apache', key: 'port' });
    expect(parseReference('testsuite-3:ready')).toEqual({
      scope: 'node',
      node: 'testsuite',
      index: 3,
      key: 'ready',
    });
    expect(parseReference('testsuite.3:ready')).toEqual({
      scope: 'node',
      node: 'testsuite',
      index: 3,
      key: 'ready',
    });
    expect(parseReference('testsuite:*:ready')).toEqual({
      scope: 'all',
      node: 'testsuite',
      key: 'ready',
    });
  });

  it.each([
    ['', 'the key is empty'],
    ['apache:', 'the key is empty'],
    ['a:b:c', 'expected key'],
    ['1apache:port', 'is not a node name'],
    ['apache-0:port', 'is not an instance number'],
    ['apache-01:port', 'is not an instance number'],
    ['ss-2:port', 'has no instances'],
    ['apache:po rt', 'may contain only'],
    ['ss:*:state', 'is not a node name'],
  ])('refuses %j with a reason', (text, reason) => {
    expect(() => parseReference(text)).toThrow(reason);
  });

  it('parse ∘ format is the identity', () => {
    fc.assert(
      fc.property(reference, (r) => {
        expect(parseReference(formatReference(r))).toEqual(r);
      }),
    );
  });

  it('treats the dotted alias as the dashed form', () => {
    fc.assert(
      fc.property(nodeName, fc.integer({ min: 1, max: 999 }), key, (node, index, k) => {
        expect(parseReference(`${node}.${index}:${k}`)).toEqual(
          parseReference(`${node}-${index}:${k}`),
        );
      }),
    );
  });
});

describe('qualifyReference', () => {
  const self = { node: 'testsuite', index: 2 };
  it('qualifies each scope to a store key', () => {
    expect(qualifyReference(parseReference('webserver.port'), self)).toBe(
      'testsuite-2:webserver.port',
    );
    expect(qualifyReference(parseReference('ss:state'), self)).toBe('ss:state');
    expect(qualifyReference(parseReference('apache:hostname'), self)).toBe('apache-1:hostname');
    expect(qualifyReference(parseReference('apache.4:hostname'), self)).toBe('apache-4:hostname');
    expect(qualifyReference(parseReference('testsuite:multiplicity'), self)).toBe(
      'testsuite:multiplicity',
    );
    expect(qualifyReference(parseReference('testsuite:ids'), self)).toBe('testsuite:ids');
    expect(qualifyReference(parseReference('testsuite:*:ready'), self)).toBe('testsuite:*:ready');
  });

  it('needs an instance for an own key', () => {
    expect(() => qualifyReference(parseReference('port'))).toThrow('needs an instance');
  });
});

describe('parseInstanceName', () => {
  it('splits instance names and refuses others', () => {
    expect(parseInstanceName('testsuite-12')).toEqual({ node: 'testsuite', index: 12 });
    expect(parseInstanceName('testsuite.12')).toEqual({ node: 'testsuite', index: 12 });
    expect(parseInstanceName('testsuite')).toBeNull();
    expect(parseInstanceName('testsuite-0')).toBeNull();
  });
});

describe('parseMapping', () => {
  it('strips either kind of quote from a constant', () => {
    expect(parseMapping("'8080'")).toEqual({ kind: 'constant', value: '8080' });
    expect(parseMapping('"8080"')).toEqual({ kind: 'constant', value: '8080' });
    expect(parseMapping("''")).toEqual({ kind: 'constant', value: '' });
  });

  it('reads an unquoted value as a link', () => {
    expect(parseMapping('apache1:hostname')).toEqual({
      kind: 'link',
      reference: { scope: 'node', node: 'apache1', key: 'hostname' },
    });
  });

  it('refuses an unquoted constant and says how to quote it', () => {
    expect(parseMapping('8080')).toEqual({ error: expect.stringContaining(`write "'8080'"`) });
    expect(parseMapping("'8080")).toHaveProperty('error');
  });

  it('refuses links to global keys', () => {
    expect(parseMapping('ss:tags')).toEqual({ error: expect.stringContaining('global') });
  });
});
