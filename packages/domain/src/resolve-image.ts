import {
  BUILTIN_OUTPUTS,
  TARGET_NAMES,
  formatModuleRef,
  parseModuleRef,
  type ImageModule,
  type ModuleRef,
  type Parameter,
  type TargetName,
} from './module.js';
import type { Checked, Problem } from './problem.js';

/*
 * Image inheritance: an image and its parents, merged into what a machine of that image
 * actually gets. The chain is walked child → parent (that is how references point) and
 * merged root → child (that is the order scripts run in).
 */

export interface VersionedImage {
  image: ImageModule;
  version: number;
  /** image ids produced by "build image" for this version, per cloud */
  builtImageIds?: Record<string, string>;
}

/**
 * Finds an image by reference (no version = latest). Returns a message (e.g. 'does not exist
 * or you cannot read it', 'is a deployment, not an image') when it cannot.
 */
export type ImageLookup = (ref: ModuleRef) => VersionedImage | string;

/** A script and the module it comes from. */
export interface Script {
  module: string;
  script: string;
}

export interface EffectiveImage {
  path: string;
  version: number;
  /** Root ancestor first, the image itself last. */
  chain: VersionedImage[];
  /** Union; the nearest definition wins; the built-in outputs hostname and instanceid are always present. */
  parameters: Parameter[];
  /** Union in order, root first, no duplicates. */
  packages: string[];
  /** Root → child; empty scripts left out. */
  recipes: Script[];
  /** Each target root → child; empty ones left out. */
  targets: Record<TargetName, Script[]>;
  /** Per cloud, the nearest ancestor's. */
  instanceType: Record<string, string>;
}

const BUILTIN_DESCRIPTIONS: Record<(typeof BUILTIN_OUTPUTS)[number], string> = {
  hostname: 'the address other machines reach this one at (set by Slipway)',
  instanceid: "the cloud's id of this machine (set by Slipway)",
};

const BUILTIN_PARAMETERS: Parameter[] = BUILTIN_OUTPUTS.map((name) => ({
  name,
  kind: 'output',
  description: BUILTIN_DESCRIPTIONS[name],
}));

/** Cloud names are plain words, so `constructor` must not find Object.prototype's. */
function ownValue(record: Record<string, string> | undefined, key: string): string | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * `A → B → C`, child first as the parent references point. A version is shown only where one
 * path appears at several versions, since otherwise it is noise.
 */
function chainLabel(levels: { path: string; version?: number }[]): string {
  const versions = new Map<string, Set<number | undefined>>();
  for (const level of levels) {
    const seen = versions.get(level.path) ?? new Set();
    seen.add(level.version);
    versions.set(level.path, seen);
  }
  return levels
    .map((level) =>
      (versions.get(level.path)?.size ?? 0) > 1 ? formatModuleRef(level) : level.path,
    )
    .join(' → ');
}

function levelOf(versioned: VersionedImage): { path: string; version: number } {
  return { path: versioned.image.path, version: versioned.version };
}

function failure<T>(problems: Problem[]): Checked<T> {
  return { ok: false, problems };
}

/** The chain child first, or the reason it cannot be followed. */
function followParents(ref: ModuleRef, lookup: ImageLookup): Checked<VersionedImage[]> {
  const first = lookup(ref);
  if (typeof first === 'string') {
    return failure([
      { module: ref.path, at: [], message: `image "${formatModuleRef(ref)}" ${first}` },
    ]);
  }
  const childFirst = [first];
  // Identity is path and version: a newer version may legitimately inherit from an older one.
  const seen = new Set([formatModuleRef(levelOf(first))]);
  let current = first;
  while (current.image.parent !== undefined) {
    const text = current.image.parent;
    const module = current.image.path;
    const parentRef = parseModuleRef(text);
    if (typeof parentRef === 'string') {
      return failure([
        {
          module,
          at: ['parent'],
          message: `parent "${text}" is not a module reference: ${parentRef}`,
        },
      ]);
    }
    const parent = lookup(parentRef);
    if (typeof parent === 'string') {
      const label = chainLabel([...childFirst.map(levelOf), parentRef]);
      return failure([
        { module, at: ['parent'], message: `parent "${text}" ${parent} (parent chain ${label})` },
      ]);
    }
    const identity = formatModuleRef(levelOf(parent));
    if (seen.has(identity)) {
      const label = chainLabel([...childFirst, parent].map(levelOf));
      return failure([
        {
          module,
          at: ['parent'],
          message: `the parent chain has a cycle: ${label}; an image cannot inherit from itself`,
        },
      ]);
    }
    seen.add(identity);
    childFirst.push(parent);
    current = parent;
  }
  return { ok: true, value: childFirst };
}

interface Definition {
  parameter: Parameter;
  /** undefined for the built-in outputs every image has */
  module: string | undefined;
}

function mergeParameters(rootFirst: VersionedImage[]): Checked<Parameter[]> {
  const problems: Problem[] = [];
  // A Map keeps the position of a name's first definition while later levels replace it.
  const definitions = new Map<string, Definition>(
    BUILTIN_PARAMETERS.map((parameter) => [parameter.name, { parameter, module: undefined }]),
  );
  for (const { image } of rootFirst) {
    image.parameters.forEach((parameter, index) => {
      const inherited = definitions.get(parameter.name);
      if (inherited !== undefined && inherited.parameter.kind !== parameter.kind) {
        problems.push({
          module: image.path,
          at: ['parameters', index],
          message:
            inherited.module === undefined
              ? `"${parameter.name}" is an output of every machine; ${image.path} cannot declare it as an ${parameter.kind}`
              : `parameter "${parameter.name}" is an ${inherited.parameter.kind} in ${inherited.module} but an ${parameter.kind} in ${image.path}; an image cannot turn an inherited ${inherited.parameter.kind} into an ${parameter.kind}`,
        });
        return;
      }
      definitions.set(parameter.name, { parameter, module: image.path });
    });
  }
  if (problems.length > 0) return failure(problems);
  return { ok: true, value: [...definitions.values()].map((definition) => definition.parameter) };
}

function unionPackages(levels: VersionedImage[]): string[] {
  return [...new Set(levels.flatMap((level) => level.image.packages))];
}

function isEmptyScript(script: string | undefined): boolean {
  return script === undefined || script.trim().length === 0;
}

function scripts(
  levels: VersionedImage[],
  pick: (image: ImageModule) => string | undefined,
): Script[] {
  return levels.flatMap(({ image }) => {
    const script = pick(image);
    return script === undefined || isEmptyScript(script) ? [] : [{ module: image.path, script }];
  });
}

export function resolveImage(ref: ModuleRef, lookup: ImageLookup): Checked<EffectiveImage> {
  const followed = followParents(ref, lookup);
  if (!followed.ok) return followed;
  const chain = [...followed.value].reverse();
  const parameters = mergeParameters(chain);
  if (!parameters.ok) return parameters;

  const self = followed.value[0] as VersionedImage;
  const targets = Object.fromEntries(
    TARGET_NAMES.map((target) => [target, scripts(chain, (image) => image.targets[target])]),
  ) as Record<TargetName, Script[]>;
  const instanceType = new Map<string, string>();
  for (const { image } of chain) {
    for (const [cloud, type] of Object.entries(image.instanceType)) instanceType.set(cloud, type);
  }
  return {
    ok: true,
    value: {
      path: self.image.path,
      version: self.version,
      chain,
      parameters: parameters.value,
      packages: unionPackages(chain),
      recipes: scripts(chain, (image) => image.recipe),
      targets,
      instanceType: Object.fromEntries(instanceType),
    },
  };
}

export interface CloudImage {
  cloudImageId: string;
  /** The module path whose id is used. */
  from: string;
  /** Packages still to install: those of the levels below `from`, minus those `from` already has. */
  packages: string[];
  /** Build steps still needed: the recipes of the levels below `from`. */
  recipes: Script[];
}

/**
 * What to start on `cloud` and what is left to do on it: the nearest ancestor-or-self with an
 * id for the cloud (a built id of that version, else its cloudImageIds) already contains its
 * own steps and those of every level above it.
 */
export function imageForCloud(image: EffectiveImage, cloud: string): Checked<CloudImage> {
  const chain = image.chain;
  for (let index = chain.length - 1; index >= 0; index -= 1) {
    const level = chain[index] as VersionedImage;
    const id = ownValue(level.builtImageIds, cloud) ?? ownValue(level.image.cloudImageIds, cloud);
    if (id === undefined) continue;
    const done = new Set(unionPackages(chain.slice(0, index + 1)));
    const below = chain.slice(index + 1);
    return {
      ok: true,
      value: {
        cloudImageId: id,
        from: level.image.path,
        packages: unionPackages(below).filter((name) => !done.has(name)),
        recipes: scripts(below, (module) => module.recipe),
      },
    };
  }
  const root = (chain[0] as VersionedImage).image.path;
  const label = chainLabel([...chain].reverse().map(levelOf));
  return failure([
    {
      module: root,
      at: ['cloudImageIds', cloud],
      message: `no image in ${label} has an image id for cloud "${cloud}"; the base image ${root} needs one in cloudImageIds`,
    },
  ]);
}
