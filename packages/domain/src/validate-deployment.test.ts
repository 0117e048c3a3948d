import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { DeploymentModule, ImageModule, type ModuleRef } from './module.js';
import type { Problem } from './problem.js';
import type { ImageLookup, VersionedImage } from './resolve-image.js';
import { validateDeployment, type ValidatedDeployment } from './validate-deployment.js';

type ImageFields = Omit<z.input<typeof ImageModule>, 'path' | 'kind'>;
type NodeInput = z.input<typeof DeploymentModule>['nodes'];

function image(path: string, fields: ImageFields = {}): VersionedImage {
  return { image: ImageModule.parse({ path, kind: 'image', ...fields }), version: 1 };
}

function catalog(...images: VersionedImage[]): ImageLookup {
  return (ref: ModuleRef) =>
    images.find((entry) => entry.image.path === ref.path) ?? 'does not exist or you cannot read it';
}

function deployment(nodes: NodeInput): DeploymentModule {
  return DeploymentModule.parse({
    path: 'Public/Tutorials/HelloWorld/client_server',
    kind: 'deployment',
    nodes,
  });
}

const PATH = 'Public/Tutorials/HelloWorld/client_server';

const lookup = catalog(
  image('Public/BaseImages/local-host', { cloudImageIds: { local: 'host' } }),
  image('Public/Tutorials/HelloWorld/apache', {
    parent: 'Public/BaseImages/local-host',
    parameters: [
      { name: 'port', kind: 'output', default: '8080' },
      { name: 'ready', kind: 'output' },
      { name: 'docroot', kind: 'input', default: '/srv' },
    ],
  }),
  image('Public/Tutorials/HelloWorld/testclient', {
    parent: 'Public/BaseImages/local-host',
    parameters: [
      { name: 'webserver.hostname', kind: 'input' },
      { name: 'webserver.port', kind: 'input' },
      { name: 'webserver.ready', kind: 'input' },
      { name: 'label', kind: 'input' },
      { name: 'retries', kind: 'input', default: '3' },
      { name: 'result', kind: 'output' },
    ],
  }),
  image('Public/Broken', { parent: 'Public/Missing' }),
);

function valid(nodes: NodeInput): ValidatedDeployment {
  const result = validateDeployment(deployment(nodes), lookup);
  if (!result.ok)
    throw new Error(`expected a valid deployment: ${JSON.stringify(result.problems, null, 2)}`);
  return result.value;
}

function problems(nodes: NodeInput): Problem[] {
  const result = validateDeployment(deployment(nodes), lookup);
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

const apache1 = { name: 'apache1', image: 'Public/Tutorials/HelloWorld/apache' };

describe('validateDeployment', () => {
  it('accepts the tutorial deployment and parses its mappings', () => {
    const validated = valid([
      apache1,
      {
        name: 'testclient1',
        image: 'Public/Tutorials/HelloWorld/testclient',
        mappings: {
          'webserver.hostname': 'apache1:hostname',
          'webserver.port': 'apache1:port',
          'webserver.ready': 'apache1:ready',
          label: "'functional test'",
        },
      },
    ]);
    expect(validated.nodes.map((entry) => [entry.node.name, entry.image.path])).toEqual([
      ['apache1', 'Public/Tutorials/HelloWorld/apache'],
      ['testclient1', 'Public/Tutorials/HelloWorld/testclient'],
    ]);
    expect(validated.nodes[1]?.mappings).toEqual({
      'webserver.hostname': {
        kind: 'link',
        reference: { scope: 'node', node: 'apache1', key: 'hostname' },
      },
      'webserver.port': {
        kind: 'link',
        reference: { scope: 'node', node: 'apache1', key: 'port' },
      },
      'webserver.ready': {
        kind: 'link',
        reference: { scope: 'node', node: 'apache1', key: 'ready' },
      },
      label: { kind: 'constant', value: 'functional test' },
    });
    expect(validated.warnings).toEqual([]);
  });

  it('warns about an input with neither a mapping nor a default, and only about those', () => {
    const validated = valid([
      apache1,
      {
        name: 'testclient1',
        image: 'Public/Tutorials/HelloWorld/testclient',
        mappings: { label: '"x"' },
      },
    ]);
    expect(validated.warnings.map((warning) => warning.at)).toEqual([
      ['nodes', 'testclient1', 'mappings', 'webserver.hostname'],
      ['nodes', 'testclient1', 'mappings', 'webserver.port'],
      ['nodes', 'testclient1', 'mappings', 'webserver.ready'],
    ]);
    expect(validated.warnings[0]).toMatchObject({
      module: PATH,
      message: expect.stringContaining(
        'input "webserver.hostname" has neither a mapping nor a default',
      ) as string,
    });
  });

  it('accepts links to built-in outputs, url.* keys, node keys and every form of instance', () => {
    const validated = valid([
      { ...apache1, multiplicity: 3 },
      {
        name: 'testclient1',
        image: 'Public/Tutorials/HelloWorld/testclient',
        mappings: {
          'webserver.hostname': 'apache1:*:hostname',
          'webserver.port': 'apache1-3:instanceid',
          'webserver.ready': 'apache1.2:url.service',
          label: 'apache1:multiplicity',
        },
      },
    ]);
    expect(validated.nodes[1]?.mappings['webserver.port']).toEqual({
      kind: 'link',
      reference: { scope: 'node', node: 'apache1', index: 3, key: 'instanceid' },
    });
  });

  it('reports every mapping problem at once, each at its node and parameter', () => {
    const found = problems([
      apache1,
      {
        name: 'testclient1',
        image: 'Public/Tutorials/HelloWorld/testclient',
        mappings: {
          'webserver.hostname': 'apache2:hostname',
          'webserver.port': 'apache1:docroot',
          'webserver.ready': 'apache1:nothing',
          label: 'ss:tags',
          retries: 'three',
          result: "'done'",
          unknown: 'apache1-2:port',
        },
      },
    ]);
    const at = (name: string) => ['nodes', 'testclient1', 'mappings', name];
    expect(found.every((problem) => problem.module === PATH)).toBe(true);
    expect(found.map((problem) => problem.at)).toEqual([
      at('webserver.hostname'),
      at('webserver.port'),
      at('webserver.ready'),
      at('label'),
      at('retries'),
      at('result'),
      at('unknown'),
      at('unknown'),
    ]);
    const messages = found.map((problem) => problem.message);
    expect(messages[0]).toContain(
      'node "apache2", which does not exist; the nodes are: apache1, testclient1',
    );
    expect(messages[1]).toContain('"docroot", which is an input of node "apache1"');
    expect(messages[2]).toContain('"nothing", which is not an output of node "apache1"');
    expect(messages[2]).toContain('hostname, instanceid, port, ready and any url.* key');
    expect(messages[3]).toContain('links to a global key');
    expect(messages[4]).toContain(`"three" is neither a link (node:output) nor a quoted constant`);
    expect(messages[5]).toContain(
      '"result" is an output of image Public/Tutorials/HelloWorld/testclient, not an input',
    );
    expect(messages[6]).toContain(
      'has no input "unknown"; its inputs are: webserver.hostname, webserver.port, webserver.ready, label, retries',
    );
    expect(messages[7]).toContain('instance 2 of node "apache1", which has multiplicity 1');
  });

  it('says so when an image has no inputs at all', () => {
    const found = problems([
      { ...apache1, name: 'a', image: 'Public/BaseImages/local-host', mappings: { x: "'1'" } },
    ]);
    expect(found[0]?.message).toContain('its inputs are: (none)');
  });

  it('does not accept node keys through an instance or the all-instances query', () => {
    const found = problems([
      apache1,
      {
        name: 'testclient1',
        image: 'Public/Tutorials/HelloWorld/testclient',
        mappings: { label: 'apache1-1:multiplicity', 'webserver.port': 'apache1:*:ids' },
      },
    ]);
    expect(found.map((problem) => problem.at.at(-1))).toEqual(['label', 'webserver.port']);
  });

  it('reports unresolvable images with the node, and does not check their links further', () => {
    const found = problems([
      { name: 'gone', image: 'Public/Nowhere', mappings: { anything: 'ghost:x' } },
      { name: 'broken', image: 'Public/Broken' },
      { name: 'fine', image: 'Public/Tutorials/HelloWorld/apache' },
      {
        name: 'client',
        image: 'Public/Tutorials/HelloWorld/testclient',
        mappings: {
          'webserver.hostname': 'gone:whatever',
          'webserver.port': 'broken-2:port',
          'webserver.ready': 'nobody:ready',
        },
      },
    ]);
    expect(found).toEqual([
      {
        module: PATH,
        at: ['nodes', 'gone', 'image'],
        message: 'image "Public/Nowhere" does not exist or you cannot read it',
      },
      {
        module: PATH,
        at: ['nodes', 'broken', 'image', 'parent'],
        message: expect.stringContaining(
          '"Public/Missing" does not exist or you cannot read it',
        ) as string,
      },
      // The target node's multiplicity is known even when its image is not.
      {
        module: PATH,
        at: ['nodes', 'client', 'mappings', 'webserver.port'],
        message: expect.stringContaining('instance 2 of node "broken"') as string,
      },
      {
        module: PATH,
        at: ['nodes', 'client', 'mappings', 'webserver.ready'],
        message: expect.stringContaining('node "nobody", which does not exist') as string,
      },
    ]);
  });

  it("names the module inside the chain when an ancestor's problem is reported", () => {
    const withBadChild = catalog(
      image('Public/Base', {
        cloudImageIds: { local: 'host' },
        parameters: [{ name: 'port', kind: 'output' }],
      }),
      image('Public/Child', {
        parent: 'Public/Base',
        parameters: [{ name: 'port', kind: 'input' }],
      }),
      image('Public/Grandchild', { parent: 'Public/Child' }),
    );
    const result = validateDeployment(
      deployment([{ name: 'web', image: 'Public/Grandchild' }]),
      withBadChild,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      {
        module: PATH,
        at: ['nodes', 'web', 'image', 'parameters', 0],
        message: expect.stringMatching(
          /^Public\/Child: parameter "port" is an output in Public\/Base but an input in Public\/Child/,
        ) as string,
      },
    ]);
  });

  it('reports an image reference that does not parse', () => {
    const raw = deployment([apache1]);
    const broken: DeploymentModule = {
      ...raw,
      nodes: [{ ...raw.nodes[0]!, image: 'Public//apache' }],
    };
    const result = validateDeployment(broken, lookup);
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          module: PATH,
          at: ['nodes', 'apache1', 'image'],
          message: expect.stringContaining('"Public//apache" is not an image reference') as string,
        },
      ],
    });
  });

  it('passes a pinned image version to the lookup', () => {
    const asked: ModuleRef[] = [];
    const spy: ImageLookup = (ref) => {
      asked.push(ref);
      return lookup(ref);
    };
    validateDeployment(
      deployment([{ ...apache1, image: 'Public/Tutorials/HelloWorld/apache@7' }]),
      spy,
    );
    expect(asked[0]).toEqual({ path: 'Public/Tutorials/HelloWorld/apache', version: 7 });
  });
});
