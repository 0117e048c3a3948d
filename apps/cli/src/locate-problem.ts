import type { Problem } from '@slipway/domain';
import { isMap, isNode, isSeq, LineCounter, parseAllDocuments, type Node as YamlNode } from 'yaml';

/**
 * The line of a file a problem is about, for problems the API could not place (those found
 * across documents, such as a parent image that does not exist). `at` names list items by
 * index or, for nodes and parameters, by their `name`.
 */
export function locateProblem(text: string, problem: Problem): number | undefined {
  if (problem.line !== undefined) return problem.line;
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lines });
  const documents = Array.isArray(parsed) ? parsed : [];
  const document =
    documents.find((candidate) => candidate.get('path') === problem.module) ??
    (documents.length === 1 ? documents[0] : undefined);
  if (document === undefined || !isNode(document.contents)) return undefined;
  let node: YamlNode = document.contents;
  for (const segment of problem.at) {
    const next = childOf(node, segment);
    if (next === undefined) break;
    node = next;
  }
  return node.range ? lines.linePos(node.range[0]).line : undefined;
}

function childOf(node: YamlNode, segment: string | number): YamlNode | undefined {
  if (isSeq(node)) {
    const item =
      typeof segment === 'number'
        ? node.items[segment]
        : node.items.find((entry) => isMap(entry) && entry.get('name') === segment);
    return isNode(item) ? item : undefined;
  }
  if (isMap(node)) {
    const pair = node.items.find(
      (entry) => isNode(entry.key) && (entry.key as { value?: unknown }).value === segment,
    );
    if (pair === undefined) return undefined;
    // A missing value (`key:`) still has its key's line.
    return isNode(pair.value) ? pair.value : isNode(pair.key) ? pair.key : undefined;
  }
  return undefined;
}
