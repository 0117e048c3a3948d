import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DeploymentModule,
  ImageModule,
  ModuleDocument,
  modulePathProblem,
  parseModuleRef,
  formatModuleRef,
} from './module.js';

describe('module paths', () => {
  it.each(['Public', 'Public/Tutorials/HelloWorld/apache', 'a_b.c-d/x1', 'v1.0/2a'])(
    'accepts %s',
    (path) => {
      expect(modulePathProblem(path)).toBeNull();
    },
  );

  it.each([
    ['', 'empty'],
    ['Public//x', 'empty segment'],
    ['/Public', 'empty segment'],
    ['Public/', 'empty segment'],
    ['Public/Hello World', 'only letters'],
    ['Public/10', 'purely numeric'],
    ['Public/../x', 'not allowed'],
    ['Public/é', 'only letters'],
  ])('refuses %j (%s)', (path, reason) => {
    expect(modulePathProblem(path)).toContain(reason);
  });

  it('reads and writes pinned references', () => {
    expect(parseModuleRef('A/b@3')).toEqual({ path: 'A/b', version: 3 });
    expect(parseModuleRef('A/b')).toEqual({ path: 'A/b' });
    expect(parseModuleRef('A/b@0')).toContain('not a version number');
    expect(parseModuleRef('A/b@x')).toContain('not a version number');
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z][a-z0-9_.-]{0,6}$/), { minLength: 1, maxLength: 4 }),
        fc.option(fc.integer({ min: 1, max: 99999 }), { nil: undefined }),
        (segments, version) => {
          const ref =
            version === undefined
              ? { path: segments.join('/') }
              : { path: segments.join('/'), version };
          expect(parseModuleRef(formatModuleRef(ref))).toEqual(ref);
        },
      ),
    );
  });
});

describe('image documents', () => {
  const base = { path: 'P/apache', kind: 'image' };

  it('fills defaults for what is omitted', () => {
    expect(ImageModule.parse(base)).toEqual({
      ...base,
      description: '',
      cloudImageIds: {},
      instanceType: {},
      packages: [],
      recipe: '',
      parameters: [],
      targets: {},
    });
  });

  it('refuses unknown fields, so typos do not pass silently', () => {
    const result = ImageModule.safeParse({ ...base, paramters: [] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/paramters/);
  });

  it('refuses duplicate, reserved and mis-kinded parameters, each at its index', () => {
    const result = ImageModule.safeParse({
      ...base,
      parameters: [
        { name: 'port', kind: 'output' },
        { name: 'port', kind: 'output' },
        { name: 'state', kind: 'output' },
        { name: 'hostname', kind: 'input' },
        { name: 'url.service', kind: 'input' },
        { name: 'hostname', kind: 'output', description: 'overridden description is fine' },
      ],
    });
    expect(result.success).toBe(false);
    const issues = result.error?.issues.map((issue) => [issue.path.join('.'), issue.message]);
    expect(issues).toEqual([
      ['parameters.1', 'parameter "port" is declared twice'],
      ['parameters.2', '"state" is managed by Slipway and cannot be declared'],
      ['parameters.3', '"hostname" is an output of every machine; it cannot be an input'],
      ['parameters.4', '"url.service" is an output of every machine; it cannot be an input'],
      ['parameters.5', 'parameter "hostname" is declared twice'],
    ]);
  });
});

describe('deployment documents', () => {
  it('defaults multiplicity to 1 and mappings to none', () => {
    const deployment = DeploymentModule.parse({
      path: 'P/d',
      kind: 'deployment',
      nodes: [{ name: 'apache1', image: 'P/apache' }],
    });
    expect(deployment.nodes[0]).toMatchObject({
      multiplicity: 1,
      mappings: {},
      maxProvisioningFailures: 0,
    });
  });

  it.each([
    [{ name: 'apache-1', image: 'P/a' }, 'nodes.0.name', 'no "-" or "."'],
    [{ name: 'ss', image: 'P/a' }, 'nodes.0.name', 'reserved'],
    [{ name: 'a', image: 'P/a', multiplicity: -1 }, 'nodes.0.multiplicity', 'at least 0'],
    [{ name: 'a', image: 'P/a', multiplicity: 1.5 }, 'nodes.0.multiplicity', 'whole number'],
    [{ name: 'a', image: 'P/a@v2' }, 'nodes.0.image', 'not a version number'],
    [
      { name: 'a', image: 'P/a', mappings: { port: 8080 } },
      'nodes.0.mappings.port',
      'quoted constant',
    ],
  ])('refuses node %j at %s', (node, at, message) => {
    const result = DeploymentModule.safeParse({ path: 'P/d', kind: 'deployment', nodes: [node] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path.join('.')).toBe(at);
    expect(result.error?.issues[0]?.message).toContain(message);
  });

  it('refuses two nodes with one name', () => {
    const result = DeploymentModule.safeParse({
      path: 'P/d',
      kind: 'deployment',
      nodes: [
        { name: 'a', image: 'P/x' },
        { name: 'a', image: 'P/y' },
      ],
    });
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([
      'node "a" is declared twice',
    ]);
  });

  it('tells module kinds apart', () => {
    expect(ModuleDocument.parse({ path: 'P', kind: 'project' })).toEqual({
      path: 'P',
      kind: 'project',
      description: '',
    });
    expect(ModuleDocument.safeParse({ path: 'P', kind: 'folder' }).success).toBe(false);
  });
});
