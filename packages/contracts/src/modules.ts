import { ModuleDocument, ModuleKind, ModulePath, Parameter } from '@slipway/domain';
import { z } from 'zod';
import { ProblemBody } from './errors.js';

/*
 * The modules API (/api/modules). A module document in a request is checked by the domain's
 * checkModuleDocument, not by these schemas, so that every problem of a document comes back
 * with its module path (and its line, for YAML).
 */

/** Content types of a YAML save: any number of module documents separated by `---`. */
export const MODULE_YAML_TYPES = [
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
  'text/x-yaml',
];

/** The module documents of a YAML save, as written in files. */
export const ModuleDocumentsYaml = z.string();

/**
 * `{path}` of `/api/modules/{path}`: a module path such as `Tutorials/HelloWorld/apache`, with
 * its slashes as they are. A trailing `:versions` or `:copy` names an action.
 */
export const ModulePathParam = z.object({ path: z.string().min(1) });

const Comment = z.string().max(1000, 'a comment has at most 1000 characters');

/**
 * `POST /api/modules` and `PUT /api/modules/<path>` with a JSON body. The same endpoints take
 * YAML (Content-Type application/yaml or text/yaml), with the comment in `?comment=`.
 */
export const SaveModuleRequest = z.strictObject({
  document: z.record(z.string(), z.unknown(), { error: 'a module document is an object' }),
  comment: Comment.optional(),
});
export type SaveModuleRequest = z.infer<typeof SaveModuleRequest>;

export const SaveModuleQuery = z.object({ comment: Comment.optional() });

export const SavedModule = z.object({
  path: z.string(),
  kind: ModuleKind,
  /** The module's latest version after the save. */
  version: z.number().int(),
  /** A new module (version 1), as opposed to a new version of an existing one. */
  created: z.boolean(),
  /** False when the document equals the latest version's: no version was made. */
  changed: z.boolean(),
});
export type SavedModule = z.infer<typeof SavedModule>;

/** `POST /api/modules`: every document of the request, in the order they were written. */
export const SaveModulesResponse = z.object({
  saved: z.array(SavedModule),
  /** Inputs of deployment nodes with neither a mapping nor a default. */
  warnings: z.array(ProblemBody),
});
export type SaveModulesResponse = z.infer<typeof SaveModulesResponse>;

/** `PUT /api/modules/<path>`. */
export const SaveModuleResponse = z.object({
  saved: SavedModule,
  warnings: z.array(ProblemBody),
});
export type SaveModuleResponse = z.infer<typeof SaveModuleResponse>;

const Version = z.coerce
  .number({ error: 'a version is a whole number from 1' })
  .int('a version is a whole number from 1')
  .min(1, 'a version is a whole number from 1');

/**
 * `GET /api/modules/<path>`: the latest version, `?version=N`, or `?run=<id>`: the version
 * that run used, readable by whoever sees the run even after the module was deleted.
 */
export const ReadModuleQuery = z.object({
  version: Version.optional(),
  run: z.uuid('not a run id').optional(),
});
export type ReadModuleQuery = z.infer<typeof ReadModuleQuery>;

export const ModuleView = z.object({
  path: z.string(),
  kind: ModuleKind,
  version: z.number().int(),
  latestVersion: z.number().int(),
  /** The owner's e-mail address. */
  owner: z.string(),
  publicRead: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** Set only when read through a run that used the module before it was deleted. */
  deletedAt: z.iso.datetime().nullable(),
  versionCreatedAt: z.iso.datetime(),
  comment: z.string(),
  /** The e-mail address of whoever saved this version. */
  author: z.string(),
  document: ModuleDocument,
  /** Images whose parent chain resolves: every parameter of the effective image, inherited ones included. */
  effectiveParameters: z.array(Parameter).optional(),
  /** Images whose parent chain does not resolve for the caller: why. */
  effectiveProblems: z.array(ProblemBody).optional(),
});
export type ModuleView = z.infer<typeof ModuleView>;

/** `GET /api/modules/<path>:versions`, newest first. */
export const ModuleVersionsResponse = z.object({
  path: z.string(),
  versions: z.array(
    z.object({
      version: z.number().int(),
      comment: z.string(),
      author: z.string(),
      createdAt: z.iso.datetime(),
    }),
  ),
});
export type ModuleVersionsResponse = z.infer<typeof ModuleVersionsResponse>;

/** `POST /api/modules/<path>:copy`: the latest version, or `version`, to a new private module. */
export const CopyModuleRequest = z.strictObject({
  to: ModulePath,
  version: z.number().int().min(1).optional(),
});
export type CopyModuleRequest = z.infer<typeof CopyModuleRequest>;

/** `PATCH /api/modules/<path>`. */
export const UpdateModuleRequest = z.strictObject({ publicRead: z.boolean() });
export type UpdateModuleRequest = z.infer<typeof UpdateModuleRequest>;

/** `GET /api/modules` (root projects) and `GET /api/modules?parent=<path>` (its children). */
export const ListModulesQuery = z.object({ parent: ModulePath.optional() });
export type ListModulesQuery = z.infer<typeof ListModulesQuery>;

export const ModuleListItem = z.object({
  path: z.string(),
  kind: ModuleKind,
  description: z.string(),
  latestVersion: z.number().int(),
  publicRead: z.boolean(),
  owner: z.string(),
  updatedAt: z.iso.datetime(),
});
export type ModuleListItem = z.infer<typeof ModuleListItem>;

export const ModuleListResponse = z.object({ modules: z.array(ModuleListItem) });
export type ModuleListResponse = z.infer<typeof ModuleListResponse>;

export const ModuleSummaryResponse = z.object({ module: ModuleListItem });
export type ModuleSummaryResponse = z.infer<typeof ModuleSummaryResponse>;
