import { parseModuleRef, type DeploymentModule, type Node } from './module.js';
import type { Checked, Problem } from './problem.js';
import { NODE_KEYS, parseMapping, type Mapping } from './reference.js';
import { resolveImage, type EffectiveImage, type ImageLookup } from './resolve-image.js';

/*
 * Checks a deployment against the images its nodes use: every mapping names an input of the
 * node's image and holds a constant or a link to an output that will exist. Every problem is
 * reported at once so a user fixes them all in one pass.
 */

export interface ValidatedNode {
  node: Node;
  image: EffectiveImage;
  /** By input parameter name. */
  mappings: Record<string, Mapping>;
}

export interface ValidatedDeployment {
  deployment: DeploymentModule;
  nodes: ValidatedNode[];
  warnings: Problem[];
}

export type Link = Extract<Mapping, { kind: 'link' }>['reference'];

/**
 * Whether another node may link to `key` of an instance of this image: its outputs, the
 * built-in hostname and instanceid among them, and any `url.*` key (every machine may publish
 * links to itself).
 */
export function isOutputOf(image: EffectiveImage, key: string): boolean {
  return (
    key.startsWith('url.') ||
    image.parameters.some((parameter) => parameter.name === key && parameter.kind === 'output')
  );
}

/** `node:multiplicity` and `node:ids` are the node's own keys, not any instance's. */
export function isNodeKeyLink(link: Link): boolean {
  return (
    link.scope === 'node' &&
    link.index === undefined &&
    (NODE_KEYS as readonly string[]).includes(link.key)
  );
}

function list(names: string[]): string {
  return names.length === 0 ? '(none)' : names.join(', ');
}

function inputNames(image: EffectiveImage): string[] {
  return image.parameters.filter((parameter) => parameter.kind === 'input').map((p) => p.name);
}

function outputNames(image: EffectiveImage): string[] {
  return image.parameters.filter((parameter) => parameter.kind === 'output').map((p) => p.name);
}

export function validateDeployment(
  deployment: DeploymentModule,
  lookup: ImageLookup,
): Checked<ValidatedDeployment> {
  const module = deployment.path;
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const nodes = new Map(deployment.nodes.map((node) => [node.name, node]));
  const nodeNames = deployment.nodes.map((node) => node.name);

  // null: the image did not resolve, so links to or from the node cannot be checked.
  const images = new Map<string, EffectiveImage | null>();
  for (const node of deployment.nodes) {
    const at = ['nodes', node.name, 'image'];
    const ref = parseModuleRef(node.image);
    if (typeof ref === 'string') {
      problems.push({ module, at, message: `"${node.image}" is not an image reference: ${ref}` });
      images.set(node.name, null);
      continue;
    }
    const resolved = resolveImage(ref, lookup);
    if (!resolved.ok) {
      for (const problem of resolved.problems) {
        const inside =
          problem.module !== undefined && problem.module !== ref.path ? `${problem.module}: ` : '';
        problems.push({
          module,
          at: [...at, ...problem.at],
          message: `${inside}${problem.message}`,
        });
      }
      images.set(node.name, null);
      continue;
    }
    images.set(node.name, resolved.value);
  }

  function checkLink(link: Link, text: string, at: (string | number)[]): void {
    const target = nodes.get(link.node);
    if (target === undefined) {
      problems.push({
        module,
        at,
        message: `"${text}" links to node "${link.node}", which does not exist; the nodes are: ${list(nodeNames)}`,
      });
      return;
    }
    if (link.scope === 'node' && link.index !== undefined && link.index > target.multiplicity) {
      problems.push({
        module,
        at,
        message: `"${text}" links to instance ${link.index} of node "${link.node}", which has multiplicity ${target.multiplicity}`,
      });
    }
    const image = images.get(link.node);
    if (image === null || image === undefined || isNodeKeyLink(link) || isOutputOf(image, link.key))
      return;
    const isInput = image.parameters.some((parameter) => parameter.name === link.key);
    problems.push({
      module,
      at,
      message: isInput
        ? `"${text}" links to "${link.key}", which is an input of node "${link.node}" (image ${image.path}), not an output`
        : `"${text}" links to "${link.key}", which is not an output of node "${link.node}" (image ${image.path}); its outputs are: ${list(outputNames(image))} and any url.* key`,
    });
  }

  const validated: ValidatedNode[] = [];
  for (const node of deployment.nodes) {
    const image = images.get(node.name);
    if (image === null || image === undefined) continue;
    const mappings = new Map<string, Mapping>();
    for (const [name, text] of Object.entries(node.mappings)) {
      const at = ['nodes', node.name, 'mappings', name];
      const parameter = image.parameters.find((candidate) => candidate.name === name);
      if (parameter === undefined || parameter.kind !== 'input') {
        problems.push({
          module,
          at,
          message:
            parameter === undefined
              ? `image ${image.path} has no input "${name}"; its inputs are: ${list(inputNames(image))}`
              : `"${name}" is an output of image ${image.path}, not an input; only inputs take a mapping`,
        });
      }
      const mapping = parseMapping(text);
      if ('error' in mapping) {
        problems.push({ module, at, message: mapping.error });
        continue;
      }
      if (mapping.kind === 'link') checkLink(mapping.reference, text, at);
      mappings.set(name, mapping);
    }
    for (const parameter of image.parameters) {
      if (
        parameter.kind !== 'input' ||
        mappings.has(parameter.name) ||
        parameter.default !== undefined
      )
        continue;
      warnings.push({
        module,
        at: ['nodes', node.name, 'mappings', parameter.name],
        message: `input "${parameter.name}" has neither a mapping nor a default; it stays unset unless a launch sets it`,
      });
    }
    validated.push({ node, image, mappings: Object.fromEntries(mappings) });
  }

  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { deployment, nodes: validated, warnings } };
}
