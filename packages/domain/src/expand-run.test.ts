import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  expandRun,
  imageRunDeployment,
  utf8Length,
  type LaunchOverrides,
  type RunPlan,
} from './expand-run.js';
import { DeploymentModule, ImageModule, MAX_VALUE_BYTES, type ModuleRef } from './module.js';
import type { Problem } from './problem.js';
import type { ImageLookup, VersionedImage } from './resolve-image.js';
import { validateDeployment, type ValidatedDeployment } from './validate-deployment.js';

type ImageFields = Omit<z.input<typeof ImageModule>, 'path' | 'kind'>;
type NodeInput = z.input<typeof DeploymentModule>['nodes'];

const PATH = 'Public/Tutorials/HelloWorld/client_server';

function image(path: string, fields: ImageFields = {}, version = 1): VersionedImage {
  return { image: ImageModule.parse({ path, kind: 'image', ...fields }), version };
}

function catalog(...images: VersionedImage[]): ImageLookup {
  return (ref: ModuleRef) =>
    images.find((entry) => entry.image.path === ref.path) ?? 'does not exist or you cannot read it';
}

const lookup = catalog(
  image('Public/BaseImages/local-host', { cloudImageIds: { local: 'host' } }),
  image(
    'Public/Tutorials/HelloWorld/apache',
    {
      parent: 'Public/BaseImages/local-host',
      parameters: [
        { name: 'port', kind: 'output', default: '8080' },
        { name: 'ready', kind: 'output' },
      ],
    },
    4,
  ),
  image(
    'Public/Tutorials/HelloWorld/testclient',
    {
      parent: 'Public/BaseImages/local-host',
      parameters: [
        { name: 'webserver.hostname', kind: 'input' },
        { name: 'webserver.port', kind: 'input' },
        { name: 'webserver.ready', kind: 'input', default: 'false' },
      ],
    },
    2,
  ),
  image('Public/Mixed', {
    cloudImageIds: { local: 'host' },
    parameters: [
      { name: 'overridden', kind: 'input', default: 'default' },
      { name: 'constant', kind: 'input', default: 'default' },
      { name: 'linked', kind: 'input', default: 'default' },
      { name: 'defaulted', kind: 'input', default: 'default' },
      { name: 'unset', kind: 'input' },
      { name: 'url.ssh', kind: 'output', default: 'ssh://here' },
      { name: 'hostname', kind: 'output' },
    ],
  }),
);

function validated(nodes: NodeInput): ValidatedDeployment {
  const result = validateDeployment(
    DeploymentModule.parse({ path: PATH, kind: 'deployment', nodes }),
    lookup,
  );
  if (!result.ok)
    throw new Error(`expected a valid deployment: ${JSON.stringify(result.problems, null, 2)}`);
  return result.value;
}

function plan(nodes: NodeInput, overrides: Partial<LaunchOverrides> = {}): RunPlan {
  const result = expandRun(validated(nodes), { defaultCloud: 'local', ...overrides });
  if (!result.ok) throw new Error(`expected a plan: ${JSON.stringify(result.problems, null, 2)}`);
  return result.value;
}

function problems(nodes: NodeInput, overrides: Partial<LaunchOverrides>): Problem[] {
  const result = expandRun(validated(nodes), { defaultCloud: 'local', ...overrides });
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

function table(runPlan: RunPlan): Map<string, { value: string | null; follows?: string }> {
  return new Map(runPlan.parameters.map(({ key, ...rest }) => [key, rest]));
}

const apache1 = { name: 'apache1', image: 'Public/Tutorials/HelloWorld/apache' };
const testclient1 = {
  name: 'testclient1',
  image: 'Public/Tutorials/HelloWorld/testclient',
  mappings: { 'webserver.hostname': 'apache1:hostname', 'webserver.port': 'apache1:port' },
};

const managed = (instance: string) => [
  { key: `${instance}:instanceid`, value: null },
  { key: `${instance}:url.ssh`, value: null },
  { key: `${instance}:url.service`, value: null },
  { key: `${instance}:statecustom`, value: null },
  { key: `${instance}:complete`, value: null },
  { key: `${instance}:abort`, value: null },
  { key: `${instance}:exitcode`, value: null },
  { key: `${instance}:state`, value: 'Initializing' },
];

describe('expandRun', () => {
  it('expands the tutorial deployment into its instances and parameter table', () => {
    const result = plan([apache1, testclient1]);
    expect(result.instances).toEqual([
      {
        name: 'apache1-1',
        node: 'apache1',
        index: 1,
        cloud: 'local',
        image: { path: 'Public/Tutorials/HelloWorld/apache', version: 4 },
      },
      {
        name: 'testclient1-1',
        node: 'testclient1',
        index: 1,
        cloud: 'local',
        image: { path: 'Public/Tutorials/HelloWorld/testclient', version: 2 },
      },
    ]);
    expect(result.parameters).toEqual([
      { key: 'ss:state', value: 'Initializing' },
      { key: 'ss:abort', value: null },
      { key: 'ss:tags', value: '' },
      { key: 'apache1:multiplicity', value: '1' },
      { key: 'apache1:ids', value: '1' },
      { key: 'apache1-1:hostname', value: null },
      { key: 'apache1-1:instanceid', value: null },
      { key: 'apache1-1:port', value: '8080' },
      { key: 'apache1-1:ready', value: null },
      ...managed('apache1-1').slice(1),
      { key: 'testclient1:multiplicity', value: '1' },
      { key: 'testclient1:ids', value: '1' },
      { key: 'testclient1-1:hostname', value: null },
      { key: 'testclient1-1:instanceid', value: null },
      { key: 'testclient1-1:webserver.hostname', value: null, follows: 'apache1-1:hostname' },
      { key: 'testclient1-1:webserver.port', value: null, follows: 'apache1-1:port' },
      { key: 'testclient1-1:webserver.ready', value: 'false' },
      ...managed('testclient1-1').slice(1),
    ]);
  });

  it('names instances node-1..node-N with the multiplicity override winning', () => {
    const result = plan(
      [
        { ...apache1, multiplicity: 2 },
        { ...testclient1, mappings: {}, multiplicity: 5 },
      ],
      {
        multiplicity: { testclient1: 3, apache1: 0 },
      },
    );
    expect(
      result.instances.map((instance) => [instance.name, instance.node, instance.index]),
    ).toEqual([
      ['testclient1-1', 'testclient1', 1],
      ['testclient1-2', 'testclient1', 2],
      ['testclient1-3', 'testclient1', 3],
    ]);
    const keys = table(result);
    expect(keys.get('apache1:multiplicity')).toEqual({ value: '0' });
    expect(keys.get('apache1:ids')).toEqual({ value: '' });
    expect(keys.get('testclient1:ids')).toEqual({ value: '1,2,3' });
    expect([...keys.keys()].some((key) => key.startsWith('apache1-'))).toBe(false);
  });

  it('picks the cloud: launch override, then the node, then the default', () => {
    const result = plan(
      [
        { ...apache1, cloud: 'ec2' },
        { ...apache1, name: 'apache2', cloud: 'ec2' },
        { ...apache1, name: 'apache3' },
      ],
      { cloud: { apache1: 'ssh' }, defaultCloud: 'openstack' },
    );
    expect(result.instances.map((instance) => instance.cloud)).toEqual(['ssh', 'ec2', 'openstack']);
  });

  it('takes a value from the launch, else a constant, else a link, else the default, else null', () => {
    const result = plan(
      [
        apache1,
        {
          name: 'mixed',
          image: 'Public/Mixed',
          mappings: { overridden: "'constant'", constant: '"constant"', linked: 'apache1:port' },
        },
      ],
      { parameters: { mixed: { overridden: 'launch' } } },
    );
    const keys = table(result);
    expect(keys.get('mixed-1:overridden')).toEqual({ value: 'launch' });
    expect(keys.get('mixed-1:constant')).toEqual({ value: 'constant' });
    expect(keys.get('mixed-1:linked')).toEqual({ value: null, follows: 'apache1-1:port' });
    expect(keys.get('mixed-1:defaulted')).toEqual({ value: 'default' });
    expect(keys.get('mixed-1:unset')).toEqual({ value: null });
  });

  it('lets the launch replace a link, which is then not followed', () => {
    const result = plan([apache1, testclient1], {
      parameters: { testclient1: { 'webserver.port': '9090' } },
    });
    expect(table(result).get('testclient1-1:webserver.port')).toEqual({ value: '9090' });
  });

  it('qualifies every form of link to a store key', () => {
    const result = plan([
      { ...apache1, multiplicity: 3 },
      {
        ...testclient1,
        mappings: {
          'webserver.hostname': 'apache1:*:hostname',
          'webserver.port': 'apache1.2:port',
          'webserver.ready': 'apache1:multiplicity',
        },
      },
    ]);
    const keys = table(result);
    expect(keys.get('testclient1-1:webserver.hostname')).toEqual({
      value: null,
      follows: 'apache1:*:hostname',
    });
    expect(keys.get('testclient1-1:webserver.port')).toEqual({
      value: null,
      follows: 'apache1-2:port',
    });
    expect(keys.get('testclient1-1:webserver.ready')).toEqual({
      value: null,
      follows: 'apache1:multiplicity',
    });
  });

  it('adds an undeclared url.* key that another node links to, so the link can be followed', () => {
    const result = plan([
      { ...apache1, multiplicity: 2 },
      { ...testclient1, mappings: { 'webserver.hostname': 'apache1:url.admin' } },
    ]);
    const keys = table(result);
    expect(keys.get('testclient1-1:webserver.hostname')).toEqual({
      value: null,
      follows: 'apache1-1:url.admin',
    });
    expect(keys.get('apache1-1:url.admin')).toEqual({ value: null });
    expect(keys.get('apache1-2:url.admin')).toEqual({ value: null });
    expect(keys.has('testclient1-1:url.admin')).toBe(false);
  });

  it('lists a key once when the image declares one Slipway manages', () => {
    const result = plan([{ name: 'mixed', image: 'Public/Mixed' }]);
    const keys = result.parameters.map((parameter) => parameter.key);
    expect(keys.filter((key) => key === 'mixed-1:hostname')).toHaveLength(1);
    expect(keys.filter((key) => key === 'mixed-1:url.ssh')).toHaveLength(1);
    expect(table(result).get('mixed-1:url.ssh')).toEqual({ value: 'ssh://here' });
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('joins the tags into ss:tags', () => {
    expect(table(plan([apache1], { tags: ['nightly', 'load test'] })).get('ss:tags')).toEqual({
      value: 'nightly,load test',
    });
  });

  it('reports every launch problem at once, with the node and the parameter', () => {
    const found = problems([apache1, { ...testclient1, multiplicity: 2 }], {
      multiplicity: { ghost: 1, apache1: -1, testclient1: 1.5 },
      parameters: {
        phantom: { x: '1' },
        apache1: { port: 'é'.repeat(2049), nothing: '1', hostname: 'h' },
      },
      cloud: { spectre: 'local', apache1: 'EC2' },
      defaultCloud: 'Local Cloud',
      tags: ['a,b'],
    });
    expect(found.every((problem) => problem.module === PATH)).toBe(true);
    expect(found.map((problem) => [problem.at, problem.message])).toEqual([
      [
        ['nodes', 'ghost', 'multiplicity'],
        expect.stringContaining(
          'node "ghost", which the deployment does not have; its nodes are: apache1, testclient1',
        ),
      ],
      [
        ['nodes', 'phantom', 'parameters'],
        expect.stringContaining('node "phantom", which the deployment does not have'),
      ],
      [
        ['nodes', 'spectre', 'cloud'],
        expect.stringContaining('node "spectre", which the deployment does not have'),
      ],
      [['cloud'], expect.stringContaining('"Local Cloud" is not a cloud name')],
      [['tags', 0], expect.stringContaining('tag "a,b" contains ","')],
      [
        ['nodes', 'apache1', 'multiplicity'],
        expect.stringContaining(
          'multiplicity -1 of node "apache1" is invalid: a multiplicity is at least 0',
        ),
      ],
      [
        ['nodes', 'apache1', 'cloud'],
        expect.stringContaining('"EC2" (cloud of node "apache1") is not a cloud name'),
      ],
      [
        ['nodes', 'testclient1', 'multiplicity'],
        expect.stringContaining(
          'multiplicity 1.5 of node "testclient1" is invalid: a multiplicity is a whole number',
        ),
      ],
      [
        ['nodes', 'apache1', 'parameters', 'port'],
        `the value of "port" for node "apache1" is 4098 bytes; a value has at most ${MAX_VALUE_BYTES} bytes`,
      ],
      [
        ['nodes', 'apache1', 'parameters', 'nothing'],
        expect.stringContaining(
          'its image Public/Tutorials/HelloWorld/apache has no such parameter; it has: hostname, instanceid, port, ready',
        ),
      ],
      [
        ['nodes', 'apache1', 'parameters', 'hostname'],
        expect.stringContaining('"hostname" of node "apache1" is set by Slipway'),
      ],
    ]);
  });

  it('rejects a multiplicity above the maximum', () => {
    const found = problems([apache1], { multiplicity: { apache1: 10_001 } });
    expect(found.map((problem) => problem.message)).toEqual([
      'multiplicity 10001 of node "apache1" is invalid: a multiplicity is at most 10000',
    ]);
  });

  it('limits constants and defaults by UTF-8 bytes, not characters', () => {
    const long = '€'.repeat(1366); // 1366 characters, 4098 bytes
    const found = problems(
      [apache1, { ...testclient1, mappings: { 'webserver.port': `'${long}'` } }],
      {},
    );
    expect(found).toEqual([
      {
        module: PATH,
        at: ['nodes', 'testclient1', 'mappings', 'webserver.port'],
        message: `the constant "webserver.port" of node "testclient1" is 4098 bytes; a value has at most ${MAX_VALUE_BYTES} bytes`,
      },
    ]);
    expect(
      plan([apache1], { parameters: { apache1: { port: 'é'.repeat(2048) } } }).instances,
    ).toHaveLength(1);
  });

  it('rejects links, with the final multiplicities, to instances that will not exist', () => {
    const found = problems(
      [
        { ...apache1, multiplicity: 3 },
        { ...apache1, name: 'idle' },
        {
          ...testclient1,
          mappings: {
            'webserver.hostname': 'apache1-3:hostname',
            'webserver.port': 'idle:port',
            'webserver.ready': 'idle:*:ready',
          },
        },
      ],
      { multiplicity: { apache1: 2, idle: 0 } },
    );
    expect(found).toEqual([
      {
        module: PATH,
        at: ['nodes', 'testclient1', 'mappings', 'webserver.hostname'],
        message:
          '"apache1-3:hostname" links to instance 3 of node "apache1", which has 2 instances in this run',
      },
      {
        module: PATH,
        at: ['nodes', 'testclient1', 'mappings', 'webserver.port'],
        message: '"idle:port" links to node "idle", which has no instances in this run',
      },
    ]);
  });

  it('does not check the links of a node that has no instances, nor links to node keys', () => {
    const nodes = [
      { ...apache1, multiplicity: 3 },
      {
        ...testclient1,
        mappings: { 'webserver.hostname': 'apache1-3:hostname', 'webserver.port': 'apache1:ids' },
      },
    ];
    const result = plan(nodes, { multiplicity: { apache1: 0, testclient1: 0 } });
    expect(result.instances).toEqual([]);
    const withClient = plan(nodes, {
      multiplicity: { apache1: 0 },
      parameters: { testclient1: { 'webserver.hostname': 'elsewhere' } },
    });
    expect(table(withClient).get('testclient1-1:webserver.port')).toEqual({
      value: null,
      follows: 'apache1:ids',
    });
  });
});

describe('imageRunDeployment', () => {
  it('makes a one-node deployment that validates and expands to machine-1', () => {
    const deployment = imageRunDeployment('Public/Tutorials/HelloWorld/apache@4');
    expect(DeploymentModule.parse(deployment)).toEqual(deployment);
    expect(deployment.path).toBe('Public/Tutorials/HelloWorld/apache');
    expect(deployment.nodes).toEqual([
      {
        name: 'machine',
        image: 'Public/Tutorials/HelloWorld/apache@4',
        multiplicity: 1,
        maxProvisioningFailures: 0,
        mappings: {},
      },
    ]);
    const checked = validateDeployment(deployment, lookup);
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    const result = expandRun(checked.value, { defaultCloud: 'local' });
    expect(result.ok && result.value.instances.map((instance) => instance.name)).toEqual([
      'machine-1',
    ]);
  });
});

describe('utf8Length', () => {
  it('counts bytes as UTF-8 encodes them', () => {
    expect(utf8Length('')).toBe(0);
    expect(utf8Length('abc')).toBe(3);
    expect(utf8Length('é')).toBe(2);
    expect(utf8Length('€')).toBe(3);
    expect(utf8Length('😀')).toBe(4);
    expect(utf8Length('\uD800')).toBe(3);
  });
});

describe('expansion properties', () => {
  const names = ['p', 'q', 'r', 's'];
  const nodeSpec = fc.record({
    parameters: fc.uniqueArray(
      fc.record({
        name: fc.constantFrom(...names),
        kind: fc.constantFrom('input' as const, 'output' as const),
      }),
      { selector: (parameter) => parameter.name, maxLength: 4 },
    ),
    multiplicity: fc.integer({ min: 0, max: 50 }),
    /** For each input: which node to link to (modulo the count), whether all instances, a built-in or own output. */
    links: fc.array(fc.record({ target: fc.nat(), all: fc.boolean(), builtin: fc.boolean() }), {
      minLength: 4,
      maxLength: 4,
    }),
  });

  it('creates exactly node-1..node-N per node with each parameter once and followable links', () => {
    fc.assert(
      fc.property(fc.array(nodeSpec, { minLength: 1, maxLength: 5 }), (specs) => {
        const images = specs.map((spec, index) =>
          image(`P/image${index}`, {
            cloudImageIds: { local: 'host' },
            parameters: spec.parameters,
          }),
        );
        let expectError = false;
        const nodes = specs.map((spec, index) => {
          const mappings: Record<string, string> = {};
          spec.parameters
            .filter((parameter) => parameter.kind === 'input')
            .forEach((parameter, position) => {
              const link = spec.links[position];
              if (link === undefined) return;
              const targetIndex = link.target % specs.length;
              const target = specs[targetIndex]!;
              const output = target.parameters.find((candidate) => candidate.kind === 'output');
              const key = link.builtin || output === undefined ? 'hostname' : output.name;
              mappings[parameter.name] = link.all
                ? `n${targetIndex}:*:${key}`
                : `n${targetIndex}:${key}`;
              if (!link.all && target.multiplicity === 0 && spec.multiplicity > 0)
                expectError = true;
            });
          return { name: `n${index}`, image: `P/image${index}`, mappings };
        });
        const checked = validateDeployment(
          DeploymentModule.parse({ path: 'P/deployment', kind: 'deployment', nodes }),
          catalog(...images),
        );
        expect(checked.ok).toBe(true);
        if (!checked.ok) return;
        const multiplicity = Object.fromEntries(
          specs.map((spec, index) => [`n${index}`, spec.multiplicity]),
        );
        const result = expandRun(checked.value, { defaultCloud: 'local', multiplicity });
        if (expectError) {
          expect(result.ok).toBe(false);
          if (!result.ok) {
            for (const problem of result.problems)
              expect(problem.message).toContain('has no instances in this run');
          }
          return;
        }
        if (!result.ok) throw new Error(JSON.stringify(result.problems));
        const { instances, parameters } = result.value;

        expect(instances).toHaveLength(specs.reduce((sum, spec) => sum + spec.multiplicity, 0));
        expect(new Set(instances.map((instance) => instance.name)).size).toBe(instances.length);
        specs.forEach((spec, index) => {
          const own = instances
            .filter((instance) => instance.node === `n${index}`)
            .map((instance) => instance.name);
          expect(own).toEqual(
            Array.from({ length: spec.multiplicity }, (_, offset) => `n${index}-${offset + 1}`),
          );
        });

        const keys = parameters.map((parameter) => parameter.key);
        const counts = new Map<string, number>();
        for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
        expect([...counts.values()].every((count) => count === 1)).toBe(true);
        for (const instance of instances) {
          const spec = specs[Number(instance.node.slice(1))]!;
          for (const key of [
            ...spec.parameters.map((parameter) => parameter.name),
            'hostname',
            'instanceid',
            'state',
          ]) {
            expect(counts.get(`${instance.name}:${key}`)).toBe(1);
          }
        }
        for (const parameter of parameters) {
          if (parameter.follows === undefined) continue;
          expect(
            counts.has(parameter.follows) || /^[A-Za-z][A-Za-z0-9_]*:\*:/.test(parameter.follows),
          ).toBe(true);
        }
      }),
    );
  });
});
