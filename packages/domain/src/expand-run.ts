import {
  BUILTIN_OUTPUTS,
  CloudName,
  MAX_VALUE_BYTES,
  Multiplicity,
  parseModuleRef,
  type DeploymentModule,
} from './module.js';
import type { Checked, Problem } from './problem.js';
import { formatReference, instanceName, qualifyReference } from './reference.js';
import type { RunState } from './run-state-machine.js';
import { isNodeKeyLink, type Link, type ValidatedDeployment } from './validate-deployment.js';

/*
 * From a validated deployment and what the user chose at launch to the machines to start
 * and the run's initial parameter store.
 */

export interface LaunchOverrides {
  multiplicity?: Record<string, number>;
  /** node → parameter → value */
  parameters?: Record<string, Record<string, string>>;
  /** node → cloud */
  cloud?: Record<string, string>;
  defaultCloud: string;
  tags?: string[];
}

export interface PlannedInstance {
  name: string;
  node: string;
  index: number;
  cloud: string;
  image: { path: string; version: number };
}

/** `key` is a store key as produced by qualifyReference; `follows` the key whose value it takes. */
export interface InitialParameter {
  key: string;
  value: string | null;
  follows?: string;
}

export interface RunPlan {
  instances: PlannedInstance[];
  parameters: InitialParameter[];
}

const INITIAL_STATE: RunState = 'Initializing';

/** Keys Slipway manages on every instance, whatever its image declares. */
export const INSTANCE_KEYS = [
  ...BUILTIN_OUTPUTS,
  'url.ssh',
  'url.service',
  'statecustom',
  'complete',
  'abort',
  'exitcode',
  'state',
] as const;

/** Bytes in UTF-8, the encoding the store limits; lone surrogates count as U+FFFD would. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

function entries<T>(record: Record<string, T> | undefined): [string, T][] {
  return record === undefined ? [] : Object.entries(record);
}

function ownValue<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** The initial value of one parameter, the same on every instance of a node. */
interface Initial {
  value: string | null;
  follows?: string;
}

export function expandRun(
  validated: ValidatedDeployment,
  overrides: LaunchOverrides,
): Checked<RunPlan> {
  const module = validated.deployment.path;
  const problems: Problem[] = [];
  const nodes = new Map(validated.nodes.map((entry) => [entry.node.name, entry]));
  const nodeList = validated.nodes.map((entry) => entry.node.name).join(', ') || '(none)';

  function checkSize(value: string, at: (string | number)[], what: string): void {
    const bytes = utf8Length(value);
    if (bytes > MAX_VALUE_BYTES) {
      problems.push({
        module,
        at,
        message: `${what} is ${bytes} bytes; a value has at most ${MAX_VALUE_BYTES} bytes`,
      });
    }
  }

  const sections = [
    ['multiplicity', overrides.multiplicity],
    ['parameters', overrides.parameters],
    ['cloud', overrides.cloud],
  ] as const;
  for (const [section, record] of sections) {
    for (const [name] of entries<unknown>(record)) {
      if (nodes.has(name)) continue;
      problems.push({
        module,
        at: ['nodes', name, section],
        message: `the launch sets the ${section} of node "${name}", which the deployment does not have; its nodes are: ${nodeList}`,
      });
    }
  }

  const defaultCloud = CloudName.safeParse(overrides.defaultCloud);
  if (!defaultCloud.success) {
    problems.push({
      module,
      at: ['cloud'],
      message: `the default cloud "${overrides.defaultCloud}" is not a cloud name: ${defaultCloud.error.issues[0]?.message ?? ''}`,
    });
  }

  const tags = overrides.tags ?? [];
  tags.forEach((tag, index) => {
    if (tag.includes(',')) {
      problems.push({
        module,
        at: ['tags', index],
        message: `tag "${tag}" contains ",", which separates the tags in ss:tags`,
      });
    }
  });
  const tagsValue = tags.join(',');
  checkSize(tagsValue, ['tags'], 'the tags joined');

  // null: invalid, so neither instances nor links to the node can be counted.
  const multiplicities = new Map<string, number | null>();
  const clouds = new Map<string, string>();
  for (const { node } of validated.nodes) {
    const requested = ownValue(overrides.multiplicity, node.name) ?? node.multiplicity;
    const multiplicity = Multiplicity.safeParse(requested);
    if (multiplicity.success) {
      multiplicities.set(node.name, multiplicity.data);
    } else {
      multiplicities.set(node.name, null);
      problems.push({
        module,
        at: ['nodes', node.name, 'multiplicity'],
        message: `multiplicity ${String(requested)} of node "${node.name}" is invalid: ${multiplicity.error.issues[0]?.message ?? ''}`,
      });
    }
    const cloud = ownValue(overrides.cloud, node.name) ?? node.cloud;
    if (cloud !== undefined && !CloudName.safeParse(cloud).success) {
      problems.push({
        module,
        at: ['nodes', node.name, 'cloud'],
        message: `"${cloud}" (cloud of node "${node.name}") is not a cloud name: lower-case letters, digits and "-", starting with a letter`,
      });
    }
    clouds.set(node.name, cloud ?? overrides.defaultCloud);
  }

  function checkLink(link: Link, at: (string | number)[]): void {
    const target = multiplicities.get(link.node);
    if (target === null || target === undefined || link.scope === 'all' || isNodeKeyLink(link))
      return;
    const index = link.index ?? 1;
    if (index <= target) return;
    const text = formatReference(link);
    problems.push({
      module,
      at,
      message:
        target === 0
          ? `"${text}" links to node "${link.node}", which has no instances in this run`
          : `"${text}" links to instance ${index} of node "${link.node}", which has ${target} instance${target === 1 ? '' : 's'} in this run`,
    });
  }

  // A url.* key may be linked without being declared; it must exist for the link to be followed.
  const linkedUrlKeys = new Map<string, Set<string>>();
  const initials = new Map<string, Map<string, Initial>>();
  for (const { node, image, mappings } of validated.nodes) {
    const values = ownValue(overrides.parameters, node.name) ?? {};
    for (const [name, value] of entries(values)) {
      const at = ['nodes', node.name, 'parameters', name];
      if ((BUILTIN_OUTPUTS as readonly string[]).includes(name)) {
        problems.push({
          module,
          at,
          message: `"${name}" of node "${node.name}" is set by Slipway; a launch cannot set it`,
        });
      } else if (!image.parameters.some((parameter) => parameter.name === name)) {
        const names = image.parameters.map((parameter) => parameter.name).join(', ');
        problems.push({
          module,
          at,
          message: `the launch sets "${name}" of node "${node.name}", but its image ${image.path} has no such parameter; it has: ${names}`,
        });
      }
      checkSize(value, at, `the value of "${name}" for node "${node.name}"`);
    }

    const linking = (multiplicities.get(node.name) ?? 0) > 0;
    const initial = new Map<string, Initial>();
    for (const parameter of image.parameters) {
      const override = ownValue(values, parameter.name);
      const mapping = ownValue(mappings, parameter.name);
      if (override !== undefined) {
        initial.set(parameter.name, { value: override });
      } else if (mapping?.kind === 'constant') {
        checkSize(
          mapping.value,
          ['nodes', node.name, 'mappings', parameter.name],
          `the constant "${parameter.name}" of node "${node.name}"`,
        );
        initial.set(parameter.name, { value: mapping.value });
      } else if (mapping?.kind === 'link') {
        if (linking) checkLink(mapping.reference, ['nodes', node.name, 'mappings', parameter.name]);
        const { key } = mapping.reference;
        if (key.startsWith('url.')) {
          const keys = linkedUrlKeys.get(mapping.reference.node) ?? new Set();
          keys.add(key);
          linkedUrlKeys.set(mapping.reference.node, keys);
        }
        initial.set(parameter.name, { value: null, follows: qualifyReference(mapping.reference) });
      } else {
        if (parameter.default !== undefined) {
          checkSize(
            parameter.default,
            ['nodes', node.name, 'parameters', parameter.name],
            `the default of "${parameter.name}" in image ${image.path}`,
          );
        }
        initial.set(parameter.name, { value: parameter.default ?? null });
      }
    }
    for (const key of INSTANCE_KEYS) {
      if (!initial.has(key)) initial.set(key, { value: key === 'state' ? INITIAL_STATE : null });
    }
    initials.set(node.name, initial);
  }

  if (problems.length > 0) return { ok: false, problems };

  const instances: PlannedInstance[] = [];
  const parameters: InitialParameter[] = [
    { key: 'ss:state', value: INITIAL_STATE },
    { key: 'ss:abort', value: null },
    { key: 'ss:tags', value: tagsValue },
  ];
  for (const { node, image } of validated.nodes) {
    const count = multiplicities.get(node.name) ?? 0;
    const indexes = Array.from({ length: count }, (_, offset) => offset + 1);
    parameters.push(
      { key: `${node.name}:multiplicity`, value: String(count) },
      { key: `${node.name}:ids`, value: indexes.join(',') },
    );
    const initial = new Map(initials.get(node.name));
    for (const key of linkedUrlKeys.get(node.name) ?? []) {
      if (!initial.has(key)) initial.set(key, { value: null });
    }
    for (const index of indexes) {
      const name = instanceName(node.name, index);
      instances.push({
        name,
        node: node.name,
        index,
        cloud: clouds.get(node.name) ?? overrides.defaultCloud,
        image: { path: image.path, version: image.version },
      });
      for (const [key, { value, follows }] of initial) {
        parameters.push(
          follows === undefined
            ? { key: `${name}:${key}`, value }
            : { key: `${name}:${key}`, value, follows },
        );
      }
    }
  }
  return { ok: true, value: { instances, parameters } };
}

/** A one-node deployment (node `machine`) that runs a single image. */
export function imageRunDeployment(imageRef: string): DeploymentModule {
  const ref = parseModuleRef(imageRef);
  const at = imageRef.lastIndexOf('@');
  const path = typeof ref === 'string' ? (at === -1 ? imageRef : imageRef.slice(0, at)) : ref.path;
  return {
    path,
    kind: 'deployment',
    description: `runs the image ${imageRef} on one machine`,
    nodes: [
      {
        name: 'machine',
        image: imageRef,
        multiplicity: 1,
        maxProvisioningFailures: 0,
        mappings: {},
      },
    ],
  };
}
