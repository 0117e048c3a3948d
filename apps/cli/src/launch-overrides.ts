import { MAX_RUN_TIMEOUT_MINUTES, type LaunchRunRequest } from '@slipway/contracts';
import { KeepRunning } from '@slipway/domain';
import { UsageError } from './cli-error.js';
import { wholeNumber } from './parse-command.js';

export interface OverrideOptions {
  set?: string[];
  multiplicity?: string[];
  cloud?: string[];
  'keep-running'?: string;
  timeout?: string;
  tag?: string[];
}

/**
 * The launch-time overrides of `slipway run` as the API takes them. Only their form is
 * checked here; the API checks node and parameter names against the deployment.
 */
export function parseLaunchOverrides(
  options: OverrideOptions,
  usage: string,
): Omit<LaunchRunRequest, 'module'> {
  const request: Omit<LaunchRunRequest, 'module'> = {};

  const parameters = new Map<string, Map<string, string>>();
  for (const text of options.set ?? []) {
    const match = /^([^:=]+):([^=]+)=(.*)$/s.exec(text);
    if (!match) throw new UsageError(`--set takes node:param=value, not "${text}"`, usage);
    const [, node = '', param = '', value = ''] = match;
    const values = parameters.get(node) ?? new Map<string, string>();
    if (values.has(param)) throw new UsageError(`--set ${node}:${param} is given twice`, usage);
    parameters.set(node, values.set(param, value));
  }
  if (parameters.size > 0) {
    request.parameters = Object.fromEntries(
      [...parameters].map(([node, values]) => [node, Object.fromEntries(values)]),
    );
  }

  const multiplicity = new Map<string, number>();
  for (const text of options.multiplicity ?? []) {
    const [node, count] = splitPair(text, '--multiplicity', 'node=N', usage);
    if (multiplicity.has(node))
      throw new UsageError(`--multiplicity ${node} is given twice`, usage);
    multiplicity.set(node, wholeNumber(count, `--multiplicity ${node}`, usage));
  }
  if (multiplicity.size > 0) request.multiplicity = Object.fromEntries(multiplicity);

  const clouds = options.cloud ?? [];
  const perNode = clouds.filter((text) => text.includes('='));
  if (perNode.length > 0 && perNode.length < clouds.length) {
    throw new UsageError('give --cloud NAME (every node) or --cloud node=NAME, not both', usage);
  }
  if (perNode.length > 0) {
    const byNode = new Map<string, string>();
    for (const text of perNode) {
      const [node, cloud] = splitPair(text, '--cloud', 'node=NAME', usage);
      if (byNode.has(node)) throw new UsageError(`--cloud ${node} is given twice`, usage);
      byNode.set(node, cloud);
    }
    request.cloud = Object.fromEntries(byNode);
  } else if (clouds.length > 1) {
    throw new UsageError('--cloud NAME is given twice; use --cloud node=NAME per node', usage);
  } else if (clouds[0] !== undefined) {
    request.cloud = clouds[0];
  }

  const keepRunning = options['keep-running'];
  if (keepRunning !== undefined) {
    const parsed = KeepRunning.safeParse(keepRunning);
    if (!parsed.success) {
      throw new UsageError(
        `--keep-running is one of ${KeepRunning.options.join(', ')}, not "${keepRunning}"`,
        usage,
      );
    }
    request.keepRunning = parsed.data;
  }
  if (options.timeout !== undefined) {
    request.timeoutMinutes = wholeNumber(options.timeout, '--timeout (minutes)', usage, {
      min: 1,
      max: MAX_RUN_TIMEOUT_MINUTES,
    });
  }
  if (options.tag !== undefined && options.tag.length > 0) request.tags = options.tag;
  return request;
}

function splitPair(text: string, option: string, form: string, usage: string): [string, string] {
  const equals = text.indexOf('=');
  if (equals <= 0 || equals === text.length - 1) {
    throw new UsageError(`${option} takes ${form}, not "${text}"`, usage);
  }
  return [text.slice(0, equals), text.slice(equals + 1)];
}
