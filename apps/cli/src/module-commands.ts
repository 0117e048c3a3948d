import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ModuleListResponse, ModuleView, SaveModulesResponse } from '@slipway/contracts';
import { formatModuleDocument, modulePathProblem, parseModuleRef } from '@slipway/domain';
import { ApiError, modulePathUrl } from './api-client.js';
import { EXIT, UsageError } from './cli-error.js';
import type { CommandContext } from './command-context.js';
import { formatJson, formatProblemLine, formatTable } from './format-output.js';
import { locateProblem } from './locate-problem.js';
import { defineCommand, parseCommand, wholeNumber } from './parse-command.js';

const help = { type: 'boolean', short: 'h' } as const;
const json = { type: 'boolean' } as const;

export const modulePutCommand = defineCommand({
  usage: 'slipway module put -f FILE… [--comment TEXT]',
  help: `
Saves the module documents of each file (YAML or JSON; several documents in one YAML file
are separated by ---): a new module, or a new version of an existing one. A document equal
to the latest version makes no version. Prints each module saved and its version.

  -f, --file FILE      a file to save; repeat it, or list several files after it
  -m, --comment TEXT   a comment recorded with every version saved

When the API refuses a file, every problem is printed as FILE:LINE: module: at: message,
nothing of that file is saved, and the command exits 3.`,
  options: {
    file: { type: 'string', short: 'f', multiple: true },
    comment: { type: 'string', short: 'm' },
    help,
  },
  positionals: ['FILE…'],
  required: 0,
});

export async function modulePut(context: CommandContext, args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(modulePutCommand, args);
  const files = [...(values.file ?? []), ...positionals];
  if (files.length === 0)
    throw new UsageError('give at least one file with -f FILE', modulePutCommand.usage);
  const api = await context.api();
  let refused = 0;
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(resolve(context.io.cwd, file), 'utf8');
    } catch (error) {
      context.err(`${file}: cannot read: ${(error as Error).message}\n`);
      refused += 1;
      continue;
    }
    try {
      const { saved, warnings } = await api.json('POST', '/api/modules', SaveModulesResponse, {
        body: text,
        contentType: 'application/yaml',
        query: { comment: values.comment },
      });
      for (const module of saved) {
        const what = module.created ? 'created' : module.changed ? 'saved' : 'unchanged';
        context.out(`${what} ${module.path} version ${module.version}\n`);
      }
      for (const warning of warnings) {
        const line = locateProblem(text, warning);
        context.err(`warning: ${formatProblemLine({ ...warning, line }, file)}\n`);
      }
    } catch (error) {
      // Not about this file: the other files would fail the same way.
      if (!(error instanceof ApiError) || error.status === 401 || error.status >= 500) throw error;
      refused += 1;
      if (error.problems.length === 0) context.err(`${file}: ${error.message}\n`);
      for (const problem of error.problems) {
        const line = locateProblem(text, problem);
        context.err(`${formatProblemLine({ ...problem, line }, file)}\n`);
      }
    }
  }
  if (refused > 0) {
    context.err(`${refused} of ${files.length} file${files.length > 1 ? 's' : ''} refused\n`);
    return EXIT.error;
  }
  return EXIT.success;
}

export const moduleGetCommand = defineCommand({
  usage: 'slipway module get PATH[@VERSION] [--version N] [-o yaml|json] [--json]',
  help: `
Prints a module's document (the latest version, or version N), ready for \`module put\`.

  --version N          that version
  -o, --output FORMAT  yaml (the default) or json
  --json               the whole module as the API gives it: versions, owner, dates, document`,
  options: { version: { type: 'string' }, output: { type: 'string', short: 'o' }, json, help },
  positionals: ['PATH'],
  required: 1,
});

export async function moduleGet(context: CommandContext, args: string[]): Promise<number> {
  const { usage } = moduleGetCommand;
  const { values, positionals } = parseCommand(moduleGetCommand, args);
  const ref = parseModuleRef(positionals[0] ?? '');
  if (typeof ref === 'string') throw new UsageError(ref, usage);
  const format = values.output ?? 'yaml';
  if (format !== 'yaml' && format !== 'json') {
    throw new UsageError(`-o is yaml or json, not "${format}"`, usage);
  }
  const version =
    values.version === undefined
      ? ref.version
      : wholeNumber(values.version, '--version', usage, { min: 1 });
  const api = await context.api();
  const view = await api.get(`/api/modules/${modulePathUrl(ref.path)}`, ModuleView, {
    query: { version },
  });
  if (values.json) context.out(formatJson(view));
  else if (format === 'json') context.out(formatJson(view.document));
  else context.out(formatModuleDocument(view.document));
  return EXIT.success;
}

export const moduleLsCommand = defineCommand({
  usage: 'slipway module ls [PATH] [--json]',
  help: `
Lists the modules in the project PATH, or the root projects without PATH: the ones you own
and the public ones.

  --json   the list as the API gives it`,
  options: { json, help },
  positionals: ['PATH'],
  required: 0,
});

export async function moduleLs(context: CommandContext, args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(moduleLsCommand, args);
  const parent = positionals[0];
  const problem = parent === undefined ? null : modulePathProblem(parent);
  if (problem) throw new UsageError(problem, moduleLsCommand.usage);
  const api = await context.api();
  const { modules } = await api.get('/api/modules', ModuleListResponse, { query: { parent } });
  if (values.json) {
    context.out(formatJson({ modules }));
    return EXIT.success;
  }
  if (modules.length === 0) {
    context.err(parent === undefined ? 'no modules\n' : `no modules in ${parent}\n`);
    return EXIT.success;
  }
  const rows = modules.map((module) => [
    module.path,
    module.kind,
    String(module.latestVersion),
    module.publicRead ? 'public' : 'private',
    module.owner,
    oneLine(module.description),
  ]);
  context.out(formatTable(['PATH', 'KIND', 'VERSION', 'ACCESS', 'OWNER', 'DESCRIPTION'], rows));
  return EXIT.success;
}

function oneLine(text: string, max = 60): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
