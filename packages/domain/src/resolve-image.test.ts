import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ImageModule, TARGET_NAMES, type ModuleRef } from './module.js';
import {
  imageForCloud,
  resolveImage,
  type EffectiveImage,
  type ImageLookup,
  type VersionedImage,
} from './resolve-image.js';

type ImageFields = Omit<z.input<typeof ImageModule>, 'path' | 'kind'>;

function image(path: string, fields: ImageFields = {}): ImageModule {
  return ImageModule.parse({ path, kind: 'image', ...fields });
}

function versioned(
  module: ImageModule,
  version = 1,
  builtImageIds?: Record<string, string>,
): VersionedImage {
  return builtImageIds === undefined
    ? { image: module, version }
    : { image: module, version, builtImageIds };
}

/** Like the store: no version means the highest one. */
function catalog(...images: VersionedImage[]): ImageLookup {
  return (ref: ModuleRef) => {
    const candidates = images.filter((entry) => entry.image.path === ref.path);
    const found =
      ref.version === undefined
        ? candidates.sort((a, b) => b.version - a.version)[0]
        : candidates.find((entry) => entry.version === ref.version);
    return found ?? 'does not exist or you cannot read it';
  };
}

function resolved(ref: ModuleRef, lookup: ImageLookup): EffectiveImage {
  const result = resolveImage(ref, lookup);
  if (!result.ok)
    throw new Error(`expected ${ref.path} to resolve: ${JSON.stringify(result.problems)}`);
  return result.value;
}

function problemsOf<T>(
  result: { ok: true; value: T } | { ok: false; problems: { message: string }[] },
) {
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

const base = image('Public/Base', {
  cloudImageIds: { local: 'host', ec2: 'ami-base' },
  instanceType: { ec2: 't3.micro', local: 'small' },
  packages: ['curl', 'tar'],
  recipe: 'echo base',
  parameters: [
    { name: 'port', kind: 'output', default: '80' },
    { name: 'greeting', kind: 'input', default: 'hello' },
  ],
  targets: { execute: '#!/bin/sh\necho base-execute', report: '#!/bin/sh\necho base-report' },
});
const middle = image('Public/Middle', {
  parent: 'Public/Base',
  packages: ['nginx', 'curl'],
  recipe: '   \n',
  instanceType: { ec2: 't3.large' },
  parameters: [
    { name: 'port', kind: 'output', default: '8080', description: 'middle port' },
    { name: 'ready', kind: 'output' },
  ],
  targets: { execute: '#!/bin/sh\necho middle-execute', onvmadd: '#!/bin/sh\necho add' },
});
const leaf = image('Public/Leaf', {
  parent: 'Public/Middle',
  packages: ['tar', 'jq'],
  recipe: 'echo leaf',
  parameters: [{ name: 'greeting', kind: 'input', default: 'bonjour' }],
  targets: { execute: '#!/bin/sh\necho leaf-execute', report: '' },
});
const lookup = catalog(versioned(base), versioned(middle, 2), versioned(leaf, 3));

describe('resolveImage', () => {
  it('gives a base image the built-in outputs hostname and instanceid', () => {
    const effective = resolved({ path: 'Public/Base' }, lookup);
    expect(effective.path).toBe('Public/Base');
    expect(effective.version).toBe(1);
    expect(effective.chain.map((level) => level.image.path)).toEqual(['Public/Base']);
    expect(effective.parameters.map((p) => [p.name, p.kind])).toEqual([
      ['hostname', 'output'],
      ['instanceid', 'output'],
      ['port', 'output'],
      ['greeting', 'input'],
    ]);
  });

  it('does not add hostname twice when an image declares it', () => {
    const declares = image('Public/Declares', {
      cloudImageIds: { local: 'host' },
      parameters: [{ name: 'hostname', kind: 'output', description: 'mine' }],
    });
    const effective = resolved({ path: 'Public/Declares' }, catalog(versioned(declares)));
    expect(effective.parameters.filter((p) => p.name === 'hostname')).toEqual([
      { name: 'hostname', kind: 'output', description: 'mine' },
    ]);
  });

  it('merges a chain: the nearest parameter wins, packages root first without duplicates', () => {
    const effective = resolved({ path: 'Public/Leaf' }, lookup);
    expect(effective.version).toBe(3);
    expect(effective.chain.map((level) => [level.image.path, level.version])).toEqual([
      ['Public/Base', 1],
      ['Public/Middle', 2],
      ['Public/Leaf', 3],
    ]);
    expect(effective.parameters).toEqual([
      expect.objectContaining({ name: 'hostname', kind: 'output' }),
      expect.objectContaining({ name: 'instanceid', kind: 'output' }),
      { name: 'port', kind: 'output', default: '8080', description: 'middle port' },
      { name: 'greeting', kind: 'input', default: 'bonjour', description: '' },
      { name: 'ready', kind: 'output', description: '' },
    ]);
    expect(effective.packages).toEqual(['curl', 'tar', 'nginx', 'jq']);
    expect(effective.instanceType).toEqual({ ec2: 't3.large', local: 'small' });
  });

  it('runs recipes and targets root first and leaves empty scripts out', () => {
    const effective = resolved({ path: 'Public/Leaf' }, lookup);
    expect(effective.recipes).toEqual([
      { module: 'Public/Base', script: 'echo base' },
      { module: 'Public/Leaf', script: 'echo leaf' },
    ]);
    expect(effective.targets.execute.map((s) => s.module)).toEqual([
      'Public/Base',
      'Public/Middle',
      'Public/Leaf',
    ]);
    expect(effective.targets.report).toEqual([
      { module: 'Public/Base', script: '#!/bin/sh\necho base-report' },
    ]);
    expect(effective.targets.onvmadd).toEqual([
      { module: 'Public/Middle', script: '#!/bin/sh\necho add' },
    ]);
    expect(effective.targets.onvmremove).toEqual([]);
  });

  it('follows a parent reference with @version at that version', () => {
    const old = image('Public/Base', {
      cloudImageIds: { local: 'old' },
      packages: ['old-package'],
    });
    const child = image('Public/Child', { parent: 'Public/Base@1' });
    const effective = resolved(
      { path: 'Public/Child' },
      catalog(versioned(old, 1), versioned(base, 2), versioned(child)),
    );
    expect(effective.chain.map((level) => level.version)).toEqual([1, 1]);
    expect(effective.packages).toEqual(['old-package']);
  });

  it('follows a reference without a version at the latest version', () => {
    const old = image('Public/Base', {
      cloudImageIds: { local: 'old' },
      packages: ['old-package'],
    });
    const child = image('Public/Child', { parent: 'Public/Base' });
    const effective = resolved(
      { path: 'Public/Child' },
      catalog(versioned(old, 1), versioned(base, 2), versioned(child)),
    );
    expect(effective.chain[0]?.version).toBe(2);
    expect(effective.packages).toEqual(['curl', 'tar']);
  });

  it('reports an image that does not exist with the lookup message', () => {
    const problems = problemsOf(resolveImage({ path: 'Public/Nope', version: 4 }, lookup));
    expect(problems).toEqual([
      {
        module: 'Public/Nope',
        at: [],
        message: 'image "Public/Nope@4" does not exist or you cannot read it',
      },
    ]);
  });

  it('reports a missing parent on the child, naming the chain and the lookup message', () => {
    const orphan = image('Public/Orphan', { parent: 'Public/Gone' });
    const child = image('Public/Child', { parent: 'Public/Orphan' });
    const problems = problemsOf(
      resolveImage({ path: 'Public/Child' }, catalog(versioned(orphan), versioned(child))),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ module: 'Public/Orphan', at: ['parent'] });
    expect(problems[0]?.message).toContain('"Public/Gone" does not exist or you cannot read it');
    expect(problems[0]?.message).toContain('Public/Child → Public/Orphan → Public/Gone');
  });

  it('passes on why a parent is not an image', () => {
    const child = image('Public/Child', { parent: 'Public/Deployment' });
    const notAnImage: ImageLookup = (ref) =>
      ref.path === 'Public/Child' ? versioned(child) : 'is a deployment, not an image';
    const problems = problemsOf(resolveImage({ path: 'Public/Child' }, notAnImage));
    expect(problems[0]?.message).toContain('"Public/Deployment" is a deployment, not an image');
  });

  it('reports a parent reference that does not parse', () => {
    const broken = { ...image('Public/Child'), parent: 'Public/Base@latest' };
    const problems = problemsOf(resolveImage({ path: 'Public/Child' }, catalog(versioned(broken))));
    expect(problems).toEqual([expect.objectContaining({ module: 'Public/Child', at: ['parent'] })]);
    expect(problems[0]?.message).toContain('"latest" after "@" is not a version number');
  });

  it('reports a cycle naming the chain', () => {
    const a = image('Public/A', { parent: 'Public/B' });
    const b = image('Public/B', { parent: 'Public/A' });
    const problems = problemsOf(
      resolveImage({ path: 'Public/A' }, catalog(versioned(a), versioned(b))),
    );
    expect(problems).toEqual([expect.objectContaining({ module: 'Public/B', at: ['parent'] })]);
    expect(problems[0]?.message).toContain('cycle: Public/A → Public/B → Public/A');
  });

  it('reports an image that is its own parent', () => {
    const self = image('Public/Self', { parent: 'Public/Self' });
    const problems = problemsOf(resolveImage({ path: 'Public/Self' }, catalog(versioned(self))));
    expect(problems[0]?.message).toContain('cycle: Public/Self → Public/Self');
  });

  it('lets a version inherit from an older version of the same path, and shows versions in a cycle', () => {
    const first = image('Public/A', { cloudImageIds: { local: 'host' }, packages: ['one'] });
    const second = image('Public/A', { parent: 'Public/A@1', packages: ['two'] });
    const effective = resolved(
      { path: 'Public/A' },
      catalog(versioned(first, 1), versioned(second, 2)),
    );
    expect(effective.packages).toEqual(['one', 'two']);

    const looping = image('Public/A', { parent: 'Public/A' });
    const problems = problemsOf(
      resolveImage(
        { path: 'Public/A', version: 1 },
        catalog(versioned(looping, 1), versioned(second, 2)),
      ),
    );
    expect(problems[0]?.message).toContain('cycle: Public/A@1 → Public/A@2 → Public/A@1');
  });

  it('rejects a child that turns an inherited output into an input, naming both modules', () => {
    const child = image('Public/Child', {
      parent: 'Public/Base',
      parameters: [
        { name: 'fine', kind: 'input' },
        { name: 'port', kind: 'input' },
        { name: 'greeting', kind: 'output' },
      ],
    });
    const problems = problemsOf(
      resolveImage({ path: 'Public/Child' }, catalog(versioned(base), versioned(child))),
    );
    expect(problems).toEqual([
      {
        module: 'Public/Child',
        at: ['parameters', 1],
        message: expect.stringContaining(
          '"port" is an output in Public/Base but an input in Public/Child',
        ) as string,
      },
      {
        module: 'Public/Child',
        at: ['parameters', 2],
        message: expect.stringContaining(
          '"greeting" is an input in Public/Base but an output in Public/Child',
        ) as string,
      },
    ]);
  });

  it('rejects a built-in output declared as an input even when the schema was bypassed', () => {
    const sneaky = image('Public/Sneaky', { cloudImageIds: { local: 'host' } });
    const unchecked = {
      ...sneaky,
      parameters: [{ name: 'hostname', kind: 'input' as const, description: '' }],
    };
    const problems = problemsOf(
      resolveImage({ path: 'Public/Sneaky' }, catalog(versioned(unchecked))),
    );
    expect(problems[0]?.message).toContain('"hostname" is an output of every machine');
  });
});

describe('imageForCloud', () => {
  it("starts from the base image's id and runs every level's steps below it", () => {
    const effective = resolved({ path: 'Public/Leaf' }, lookup);
    expect(imageForCloud(effective, 'ec2')).toEqual({
      ok: true,
      value: {
        cloudImageId: 'ami-base',
        from: 'Public/Base',
        packages: ['nginx', 'jq'],
        recipes: [{ module: 'Public/Leaf', script: 'echo leaf' }],
      },
    });
  });

  it('skips the steps of an ancestor already built for that cloud', () => {
    const lookupBuilt = catalog(
      versioned(base),
      versioned(middle, 2, { ec2: 'ami-middle' }),
      versioned(leaf, 3),
    );
    const effective = resolved({ path: 'Public/Leaf' }, lookupBuilt);
    expect(imageForCloud(effective, 'ec2')).toEqual({
      ok: true,
      value: {
        cloudImageId: 'ami-middle',
        from: 'Public/Middle',
        packages: ['jq'],
        recipes: [{ module: 'Public/Leaf', script: 'echo leaf' }],
      },
    });
    // The build is per cloud: on local the base image's id is still the start.
    const local = imageForCloud(effective, 'local');
    expect(local.ok && local.value).toMatchObject({ cloudImageId: 'host', from: 'Public/Base' });
  });

  it('has nothing left to do when the image itself is built', () => {
    const lookupBuilt = catalog(
      versioned(base),
      versioned(middle, 2),
      versioned(leaf, 3, { ec2: 'ami-leaf' }),
    );
    const result = imageForCloud(resolved({ path: 'Public/Leaf' }, lookupBuilt), 'ec2');
    expect(result).toEqual({
      ok: true,
      value: { cloudImageId: 'ami-leaf', from: 'Public/Leaf', packages: [], recipes: [] },
    });
  });

  it("prefers a level's built id over its cloudImageIds and the nearest level over the root", () => {
    const child = image('Public/Child', {
      parent: 'Public/Base',
      cloudImageIds: { ec2: 'ami-child' },
    });
    const nearest = imageForCloud(
      resolved({ path: 'Public/Child' }, catalog(versioned(base), versioned(child))),
      'ec2',
    );
    expect(nearest.ok && nearest.value.cloudImageId).toBe('ami-child');

    const built = catalog(versioned(base), versioned(child, 1, { ec2: 'ami-built' }));
    const preferred = imageForCloud(resolved({ path: 'Public/Child' }, built), 'ec2');
    expect(preferred.ok && preferred.value.cloudImageId).toBe('ami-built');
  });

  it('reports a chain with no id for the cloud, naming the cloud and the root', () => {
    const effective = resolved({ path: 'Public/Leaf' }, lookup);
    const problems = problemsOf(imageForCloud(effective, 'openstack'));
    expect(problems).toEqual([
      {
        module: 'Public/Base',
        at: ['cloudImageIds', 'openstack'],
        message: expect.stringContaining('cloud "openstack"') as string,
      },
    ]);
    expect(problems[0]?.message).toContain('the base image Public/Base needs one');
    expect(problems[0]?.message).toContain('Public/Leaf → Public/Middle → Public/Base');
  });

  it('does not mistake Object.prototype members for image ids', () => {
    const problems = problemsOf(
      imageForCloud(resolved({ path: 'Public/Leaf' }, lookup), 'constructor'),
    );
    expect(problems[0]?.message).toContain('cloud "constructor"');
  });
});

describe('inheritance properties', () => {
  const names = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];
  // A name's kind is fixed so the random chains never hit the kind-change error.
  const kindOf = (name: string) => (names.indexOf(name) % 2 === 0 ? 'input' : 'output');
  const level = fc.record({
    parameters: fc.uniqueArray(
      fc.record({
        name: fc.constantFrom(...names),
        default: fc.option(fc.string({ maxLength: 5 }), { nil: undefined }),
      }),
      { selector: (parameter) => parameter.name, maxLength: 6 },
    ),
    packages: fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), { maxLength: 5 }),
    recipe: fc.constantFrom('', ' ', 'echo recipe'),
    targets: fc.record({
      execute: fc.constantFrom('', '#!/bin/sh\necho run'),
      report: fc.constantFrom('', '#!/bin/sh\necho report'),
    }),
  });

  type Level = typeof level extends fc.Arbitrary<infer T> ? T : never;

  function buildChain(levels: Level[]): VersionedImage[] {
    return levels.map((fields, index) =>
      versioned(
        image(`P/L${index}`, {
          ...(index === 0 ? { cloudImageIds: { local: 'host' } } : { parent: `P/L${index - 1}` }),
          parameters: fields.parameters.map(({ name, default: value }) =>
            value === undefined
              ? { name, kind: kindOf(name) }
              : { name, kind: kindOf(name), default: value },
          ),
          packages: fields.packages,
          recipe: fields.recipe,
          targets: fields.targets,
        }),
      ),
    );
  }

  it('merges random chains root first, nearest parameter winning', () => {
    fc.assert(
      fc.property(fc.array(level, { minLength: 1, maxLength: 6 }), (levels) => {
        const chain = buildChain(levels);
        const effective = resolved({ path: `P/L${levels.length - 1}` }, catalog(...chain));
        const position = (module: string) => Number(module.slice('P/L'.length));

        expect(effective.chain.map((entry) => entry.image.path)).toEqual(
          chain.map((entry) => entry.image.path),
        );
        expect(new Set(effective.packages).size).toBe(effective.packages.length);
        expect(effective.packages).toEqual([
          ...new Set(levels.flatMap((fields) => fields.packages)),
        ]);

        const recipeLevels = effective.recipes.map((script) => position(script.module));
        expect(recipeLevels).toEqual(
          levels.flatMap((fields, index) => (fields.recipe.trim() === '' ? [] : [index])),
        );
        for (const target of TARGET_NAMES) {
          const targetLevels = effective.targets[target].map((script) => position(script.module));
          expect(targetLevels).toEqual([...targetLevels].sort((a, b) => a - b));
          expect(effective.targets[target].every((script) => script.script.trim() !== '')).toBe(
            true,
          );
        }

        for (const name of names) {
          const nearest = [...levels]
            .reverse()
            .find((fields) => fields.parameters.some((p) => p.name === name));
          const found = effective.parameters.filter((parameter) => parameter.name === name);
          if (nearest === undefined) {
            expect(found).toEqual([]);
          } else {
            expect(found).toHaveLength(1);
            expect(found[0]?.default).toBe(
              nearest.parameters.find((p) => p.name === name)?.default,
            );
          }
        }
        expect(
          effective.parameters.filter((p) => p.name === 'hostname' || p.name === 'instanceid'),
        ).toHaveLength(2);
      }),
    );
  });

  it('names the whole chain in every problem of a cycle', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((length) =>
          fc.record({
            length: fc.constant(length),
            loopTo: fc.integer({ min: 0, max: length - 1 }),
          }),
        ),
        ({ length, loopTo }) => {
          const chain = Array.from({ length }, (_, index) =>
            versioned(
              image(`P/L${index}`, { parent: index === 0 ? `P/L${loopTo}` : `P/L${index - 1}` }),
            ),
          );
          const problems = problemsOf(
            resolveImage({ path: `P/L${length - 1}` }, catalog(...chain)),
          );
          // Followed from the top: L(n-1) → … → L0 → L(loopTo).
          const walk = [
            ...Array.from({ length }, (_, index) => `P/L${length - 1 - index}`),
            `P/L${loopTo}`,
          ];
          expect(problems.length).toBeGreaterThan(0);
          for (const problem of problems) expect(problem.message).toContain(walk.join(' → '));
        },
      ),
    );
  });
});
