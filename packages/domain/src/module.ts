import { z } from 'zod';

/*
 * Module documents: the YAML/JSON shape of projects, images and deployments that the API,
 * the CLI and the web app all speak. Objects are strict so a misspelt field is an error
 * rather than silently ignored.
 */

const SEGMENT = /^[A-Za-z0-9_.-]+$/;
const MAX_SEGMENT = 100;
const MAX_PATH = 512;

/** Why a module path is invalid, or null when it is valid. */
export function modulePathProblem(path: string): string | null {
  if (path.length === 0) return 'a module path cannot be empty';
  if (path.length > MAX_PATH) return `a module path has at most ${MAX_PATH} characters`;
  for (const segment of path.split('/')) {
    if (segment.length === 0)
      return `"${path}" has an empty segment (leading, trailing or double "/")`;
    if (segment.length > MAX_SEGMENT)
      return `segment "${segment.slice(0, 20)}…" is longer than ${MAX_SEGMENT} characters`;
    if (!SEGMENT.test(segment))
      return `segment "${segment}" may contain only letters, digits, "_", "." and "-"`;
    if (/^[0-9]+$/.test(segment)) return `segment "${segment}" cannot be purely numeric`;
    if (segment === '.' || segment === '..') return `segment "${segment}" is not allowed`;
  }
  return null;
}

export const ModulePath = z.string().superRefine((path, ctx) => {
  const problem = modulePathProblem(path);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
export type ModulePath = z.infer<typeof ModulePath>;

/** `path` (the latest version) or `path@version`. */
export interface ModuleRef {
  path: string;
  version?: number;
}

export function parseModuleRef(text: string): ModuleRef | string {
  const at = text.lastIndexOf('@');
  const path = at === -1 ? text : text.slice(0, at);
  const problem = modulePathProblem(path);
  if (problem) return problem;
  if (at === -1) return { path };
  const version = text.slice(at + 1);
  if (!/^[1-9][0-9]{0,8}$/.test(version)) return `"${version}" after "@" is not a version number`;
  return { path, version: Number(version) };
}

export function formatModuleRef(ref: ModuleRef): string {
  return ref.version === undefined ? ref.path : `${ref.path}@${ref.version}`;
}

export const ModuleRefText = z.string().superRefine((text, ctx) => {
  const ref = parseModuleRef(text);
  if (typeof ref === 'string') ctx.addIssue({ code: 'custom', message: ref });
});

/** The parent path of a module: the project that holds it, or null for a root project. */
export function parentProjectPath(path: string): string | null {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? null : path.slice(0, slash);
}

export function moduleName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export const PARAMETER_NAME = /^[A-Za-z0-9_.-]+$/;
export const ParameterName = z
  .string()
  .min(1, 'a parameter name cannot be empty')
  .max(128, 'a parameter name has at most 128 characters')
  .regex(PARAMETER_NAME, 'a parameter name may contain only letters, digits, "_", "." and "-"');

/** Outputs every image has, filled by Slipway when the machine is provisioned. */
export const BUILTIN_OUTPUTS = ['hostname', 'instanceid'] as const;

/**
 * Per-instance keys Slipway itself manages. Images may not declare them, or a run would
 * have two meanings for one key.
 */
export const RESERVED_INSTANCE_KEYS = [
  'state',
  'statecustom',
  'complete',
  'abort',
  'exitcode',
  'multiplicity',
  'ids',
] as const;

/** Values in the parameter store are limited so that one runaway script cannot flood it. */
export const MAX_VALUE_BYTES = 4096;

export const ParameterKind = z.enum(['input', 'output']);
export type ParameterKind = z.infer<typeof ParameterKind>;

export const Parameter = z.strictObject({
  name: ParameterName,
  kind: ParameterKind,
  description: z.string().max(1000).default(''),
  default: z.string().max(MAX_VALUE_BYTES).optional(),
});
export type Parameter = z.infer<typeof Parameter>;

export const CloudName = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,31}$/,
    'a cloud name is lower-case letters, digits and "-", starting with a letter',
  );
export type CloudName = z.infer<typeof CloudName>;

export const TARGET_NAMES = ['execute', 'report', 'onvmadd', 'onvmremove'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];
const Script = z.string().max(256 * 1024, 'a script has at most 256 KiB');
export const Targets = z.strictObject({
  execute: Script.optional(),
  report: Script.optional(),
  onvmadd: Script.optional(),
  onvmremove: Script.optional(),
});
export type Targets = z.infer<typeof Targets>;

const Description = z.string().max(4000).default('');

export const ProjectModule = z.strictObject({
  path: ModulePath,
  kind: z.literal('project'),
  description: Description,
});
export type ProjectModule = z.infer<typeof ProjectModule>;

export const ImageModule = z
  .strictObject({
    path: ModulePath,
    kind: z.literal('image'),
    description: Description,
    parent: ModuleRefText.optional(),
    cloudImageIds: z.record(CloudName, z.string().min(1).max(256)).default({}),
    instanceType: z.record(CloudName, z.string().min(1).max(64)).default({}),
    packages: z
      .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9+_.:=~@-]*$/, 'not a package name'))
      .default([]),
    recipe: Script.default(''),
    parameters: z.array(Parameter).default([]),
    targets: Targets.default({}),
  })
  .superRefine((image, ctx) => {
    const seen = new Set<string>();
    image.parameters.forEach((parameter, index) => {
      const at = ['parameters', index];
      if (seen.has(parameter.name)) {
        ctx.addIssue({
          code: 'custom',
          path: at,
          message: `parameter "${parameter.name}" is declared twice`,
        });
      }
      seen.add(parameter.name);
      if ((RESERVED_INSTANCE_KEYS as readonly string[]).includes(parameter.name)) {
        ctx.addIssue({
          code: 'custom',
          path: at,
          message: `"${parameter.name}" is managed by Slipway and cannot be declared`,
        });
      }
      const builtin = (BUILTIN_OUTPUTS as readonly string[]).includes(parameter.name);
      if ((builtin || parameter.name.startsWith('url.')) && parameter.kind !== 'output') {
        ctx.addIssue({
          code: 'custom',
          path: at,
          message: `"${parameter.name}" is an output of every machine; it cannot be an input`,
        });
      }
    });
  });
export type ImageModule = z.infer<typeof ImageModule>;

export const NODE_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
export const NodeName = z
  .string()
  .max(64, 'a node name has at most 64 characters')
  .regex(NODE_NAME, 'a node name is a letter, then letters, digits or "_" (no "-" or ".")')
  .refine((name) => name !== 'ss', '"ss" is reserved for the run\'s global parameters');

export const MAX_MULTIPLICITY = 10_000;
export const Multiplicity = z
  .number({ error: 'a multiplicity is a whole number' })
  .int('a multiplicity is a whole number')
  .min(0, 'a multiplicity is at least 0')
  .max(MAX_MULTIPLICITY, `a multiplicity is at most ${MAX_MULTIPLICITY}`);

export const Node = z.strictObject({
  name: NodeName,
  image: ModuleRefText,
  multiplicity: Multiplicity.default(1),
  cloud: CloudName.optional(),
  /** How many of this node's machines may fail to provision before the run aborts. */
  maxProvisioningFailures: z.number().int().min(0).default(0),
  /** Input parameter of the node's image → `'constant'` (quoted) or `node:output`. */
  mappings: z
    .record(
      ParameterName,
      z.string({
        error: `a mapping is a link (node:output) or a quoted constant such as "'8080'"`,
      }),
    )
    .default({}),
});
export type Node = z.infer<typeof Node>;

export const DeploymentModule = z
  .strictObject({
    path: ModulePath,
    kind: z.literal('deployment'),
    description: Description,
    nodes: z.array(Node).default([]),
  })
  .superRefine((deployment, ctx) => {
    const seen = new Set<string>();
    deployment.nodes.forEach((node, index) => {
      if (seen.has(node.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['nodes', index, 'name'],
          message: `node "${node.name}" is declared twice`,
        });
      }
      seen.add(node.name);
    });
  });
export type DeploymentModule = z.infer<typeof DeploymentModule>;

export const ModuleKind = z.enum(['project', 'image', 'deployment']);
export type ModuleKind = z.infer<typeof ModuleKind>;

export const ModuleDocument = z.discriminatedUnion('kind', [
  ProjectModule,
  ImageModule,
  DeploymentModule,
]);
export type ModuleDocument = z.infer<typeof ModuleDocument>;
/** What a user writes: defaults not yet applied. */
export type ModuleDocumentInput = z.input<typeof ModuleDocument>;
