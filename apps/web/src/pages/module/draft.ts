import type { DeploymentModule, ImageModule, ModuleDocument, ProjectModule } from '@slipway/domain';

/*
 * What the module form edits: the module document, with the defaults filled in so every
 * field has a control. Saving sends the whole document back (PUT /api/modules/<path>).
 */

export type ImageDraft = ImageModule;
export type DeploymentDraft = DeploymentModule;
export type NodeDraft = DeploymentModule['nodes'][number];
export type Draft = ProjectModule | ImageDraft | DeploymentDraft;
export type Kind = Draft['kind'];

export function emptyDraft(kind: Kind, path: string): Draft {
  if (kind === 'project') return { path, kind, description: '' };
  if (kind === 'deployment') return { path, kind, description: '', nodes: [] };
  return {
    path,
    kind,
    description: '',
    cloudImageIds: {},
    instanceType: {},
    packages: [],
    recipe: '',
    parameters: [],
    targets: {},
  };
}

export function draftFromDocument(document: ModuleDocument): Draft {
  return structuredClone(document);
}

/** The document to save: empty optional fields left out rather than sent as "". */
export function documentFromDraft(draft: Draft): Record<string, unknown> {
  if (draft.kind === 'image') {
    const targets = Object.fromEntries(
      Object.entries(draft.targets).filter(([, script]) => script !== undefined && script !== ''),
    );
    const { parent, ...rest } = draft;
    return {
      ...rest,
      ...(parent && parent.trim() !== '' && { parent: parent.trim() }),
      packages: draft.packages.map((name) => name.trim()).filter((name) => name !== ''),
      targets,
    };
  }
  if (draft.kind === 'deployment') {
    return {
      ...draft,
      nodes: draft.nodes.map(({ cloud, mappings, ...node }) => ({
        ...node,
        ...(cloud && cloud !== '' && { cloud }),
        mappings: Object.fromEntries(
          Object.entries(mappings).filter(([, value]) => value.trim() !== ''),
        ),
      })),
    };
  }
  return { ...draft };
}

/** A node name from an image name: a letter first, then letters, digits and "_". */
export function nodeNameFor(imagePath: string, taken: string[]): string {
  const base =
    (imagePath.split('@')[0]?.split('/').at(-1) ?? 'node')
      .replace(/[^A-Za-z0-9_]/g, '_')
      .replace(/^[^A-Za-z]+/, '') || 'node';
  let name = base;
  for (let i = 2; taken.includes(name); i += 1) name = `${base}${i}`;
  return name;
}

/** `apache1:hostname` or `apache1-2:port` → the node it links to, or null for a constant. */
export function linkedNode(mapping: string): { node: string; key: string } | null {
  const match = /^([A-Za-z][A-Za-z0-9_]*)(?:[-.][0-9]+)?(?::\*)?:(.+)$/.exec(mapping.trim());
  if (!match || match[1] === 'ss') return null;
  return { node: match[1] ?? '', key: match[2] ?? '' };
}
