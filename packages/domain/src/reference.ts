import { NODE_NAME, PARAMETER_NAME } from './module.js';

/*
 * The reference grammar used by ss-get/ss-set and by mappings:
 *   key            a parameter of the calling instance
 *   node:key       instance 1 of node (or the node-level keys multiplicity and ids)
 *   node-3:key     instance 3 of node; `node.3:key` is accepted as an alias (SlipStream 2.x)
 *   node:*:key     every instance of node, comma-separated (a Slipway extension)
 *   ss:key         a global key of the run
 */

export type Reference =
  | { scope: 'own'; key: string }
  | { scope: 'global'; key: string }
  | { scope: 'node'; node: string; index?: number; key: string }
  | { scope: 'all'; node: string; key: string };

/** Keys that belong to a node rather than to one of its instances. */
export const NODE_KEYS = ['multiplicity', 'ids'] as const;

const MAX_INDEX = 1_000_000;

export class ReferenceError extends Error {
  constructor(
    readonly reference: string,
    readonly reason: string,
  ) {
    super(`"${reference}" is not a valid reference: ${reason}`);
    this.name = 'ReferenceError';
  }
}

function checkKey(text: string, key: string): void {
  if (key.length === 0) throw new ReferenceError(text, 'the key is empty');
  if (!PARAMETER_NAME.test(key)) {
    throw new ReferenceError(
      text,
      `key "${key}" may contain only letters, digits, "_", "." and "-"`,
    );
  }
}

/** Parses `node`, `node-3` or `node.3` (the part before the first colon). */
function parseInstancePart(text: string, part: string): { node: string; index?: number } {
  const match = /^([A-Za-z][A-Za-z0-9_]*)(?:[-.]([0-9]+))?$/.exec(part);
  if (!match) {
    throw new ReferenceError(text, `"${part}" is not a node name, optionally followed by -N or .N`);
  }
  const node = match[1] as string;
  const digits = match[2];
  if (digits === undefined) return { node };
  const index = Number(digits);
  if (!/^[1-9][0-9]*$/.test(digits) || index > MAX_INDEX) {
    throw new ReferenceError(text, `"${digits}" is not an instance number (1, 2, …)`);
  }
  return { node, index };
}

export function parseReference(text: string): Reference {
  const parts = text.split(':');
  if (parts.length === 1) {
    checkKey(text, text);
    return { scope: 'own', key: text };
  }
  if (parts.length === 2) {
    const [head, key] = parts as [string, string];
    checkKey(text, key);
    if (head === 'ss') return { scope: 'global', key };
    const { node, index } = parseInstancePart(text, head);
    if (node === 'ss') throw new ReferenceError(text, '"ss" has no instances');
    return index === undefined ? { scope: 'node', node, key } : { scope: 'node', node, index, key };
  }
  if (parts.length === 3 && parts[1] === '*') {
    const [node, , key] = parts as [string, string, string];
    if (!NODE_NAME.test(node) || node === 'ss') {
      throw new ReferenceError(text, `"${node}" is not a node name`);
    }
    checkKey(text, key);
    return { scope: 'all', node, key };
  }
  throw new ReferenceError(text, 'expected key, node:key, node-N:key, node:*:key or ss:key');
}

/** Like parseReference, but returns the reason instead of throwing. */
export function tryParseReference(text: string): Reference | { error: string } {
  try {
    return parseReference(text);
  } catch (error) {
    if (error instanceof ReferenceError) return { error: error.message };
    throw error;
  }
}

export function formatReference(reference: Reference): string {
  switch (reference.scope) {
    case 'own':
      return reference.key;
    case 'global':
      return `ss:${reference.key}`;
    case 'node':
      return reference.index === undefined
        ? `${reference.node}:${reference.key}`
        : `${reference.node}-${reference.index}:${reference.key}`;
    case 'all':
      return `${reference.node}:*:${reference.key}`;
  }
}

export function instanceName(node: string, index: number): string {
  return `${node}-${index}`;
}

/** `testsuite-3` (or `testsuite.3`) → {node: 'testsuite', index: 3}; null if it is not one. */
export function parseInstanceName(name: string): { node: string; index: number } | null {
  const match = /^([A-Za-z][A-Za-z0-9_]*)[-.]([1-9][0-9]*)$/.exec(name);
  if (!match) return null;
  return { node: match[1] as string, index: Number(match[2]) };
}

export interface InstanceAddress {
  node: string;
  index: number;
}

/**
 * The key a reference names in a run's parameter store, seen from `self` (the instance
 * asking). Store keys are `ss:key`, `node:key` for node-level keys, `node-N:key` for an
 * instance, and `node:*:key` for the all-instances query.
 */
export function qualifyReference(reference: Reference, self?: InstanceAddress): string {
  switch (reference.scope) {
    case 'own':
      if (!self) {
        throw new ReferenceError(
          reference.key,
          'a key without a node needs an instance to be relative to',
        );
      }
      return `${instanceName(self.node, self.index)}:${reference.key}`;
    case 'global':
      return `ss:${reference.key}`;
    case 'node':
      if (reference.index === undefined) {
        return (NODE_KEYS as readonly string[]).includes(reference.key)
          ? `${reference.node}:${reference.key}`
          : `${instanceName(reference.node, 1)}:${reference.key}`;
      }
      return `${instanceName(reference.node, reference.index)}:${reference.key}`;
    case 'all':
      return `${reference.node}:*:${reference.key}`;
  }
}

/** A mapping of an input parameter: a quoted constant or a link to another node's output. */
export type Mapping =
  | { kind: 'constant'; value: string }
  | { kind: 'link'; reference: Extract<Reference, { scope: 'node' | 'all' }> };

export function parseMapping(text: string): Mapping | { error: string } {
  const first = text[0];
  if ((first === "'" || first === '"') && text.length >= 2 && text.endsWith(first)) {
    return { kind: 'constant', value: text.slice(1, -1) };
  }
  const reference = tryParseReference(text);
  if ('error' in reference || reference.scope === 'own') {
    return {
      error: `"${text}" is neither a link (node:output) nor a quoted constant; write "'${text}'" for a constant`,
    };
  }
  if (reference.scope === 'global') {
    return {
      error: `"${text}" links to a global key; a mapping links to a node's output (node:output)`,
    };
  }
  return { kind: 'link', reference };
}
