import type { LaunchRunRequest, RunSummary } from '@slipway/contracts';
import { schema, type Database } from '@slipway/db';
import {
  expandRun,
  imageForCloud,
  imageRunDeployment,
  parseModuleRef,
  validateDeployment,
  type DeploymentModule,
  type KeepRunning,
  type ModuleRef,
  type Problem,
  type RunPlan,
  type ValidatedDeployment,
} from '@slipway/domain';
import { createRunRecords } from '@slipway/engine';
import { eq } from 'drizzle-orm';
import { AppError, invalid } from '../app-error.js';
import {
  exceededQuotas,
  machineLimits,
  machinesInUse,
  type ExceededQuota,
} from '../clouds/quotas.js';
import type { ApiDeps } from '../deps.js';
import { findModuleVersion, loadImages, type Viewer } from '../modules/module-access.js';
import { readRunDefaults } from '../profile/profile.js';
import { enqueueAdvanceRun } from './enqueue-advance-run.js';
import { readRunSummary } from './read-runs.js';

/** A launch that passed every check, ready to be written. */
interface CheckedLaunch {
  kind: 'deployment' | 'image';
  deployment: DeploymentModule;
  moduleVersion: number;
  moduleVersions: Record<string, number>;
  plan: RunPlan;
  warnings: Problem[];
  keepRunning: KeepRunning;
  timeoutMinutes: number;
}

const ownValue = <T>(record: Record<string, T> | undefined, key: string): T | undefined =>
  record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;

/** The deployment to run: the module itself, or a one-node deployment of an image. */
async function findRunnable(
  db: Database,
  viewer: Viewer,
  text: string,
): Promise<{ kind: 'deployment' | 'image'; deployment: DeploymentModule; version: number }> {
  const ref = parseModuleRef(text);
  // Reported at `module`, which names it: "module: X is a project; …".
  const refuse = (message: string) => invalid('invalid_run', [{ at: ['module'], message }]);
  if (typeof ref === 'string') throw refuse(`"${text}" is not a module reference: ${ref}`);
  const view = await findModuleVersion(db, viewer, ref).catch((error: unknown) => {
    if (error instanceof AppError && error.code === 'not_found')
      throw refuse(error.message.replace(/^module /, ''));
    throw error;
  });
  const { document, version } = view;
  if (document.kind === 'project') {
    throw refuse(`${ref.path} is a project; only a deployment or an image can run`);
  }
  return document.kind === 'image'
    ? { kind: 'image', deployment: imageRunDeployment(`${ref.path}@${version}`), version }
    : { kind: 'deployment', deployment: document, version };
}

type KnownClouds = Map<string, { enabled: boolean }>;

interface CloudUse {
  cloud: string;
  at: (string | number)[];
  /** How the problem names it: where the cloud came from. */
  what: string;
}

/**
 * The clouds a launch puts machines on. A cloud that comes from the run's default is
 * listed once, at `cloud`, rather than on every node.
 */
function cloudUses(
  deployment: DeploymentModule,
  request: LaunchRunRequest,
  defaultCloud: string,
): CloudUse[] {
  const perNode = typeof request.cloud === 'object' ? request.cloud : undefined;
  const uses = new Map<string, CloudUse>();
  for (const node of deployment.nodes) {
    if ((ownValue(request.multiplicity, node.name) ?? node.multiplicity) === 0) continue;
    const chosen = ownValue(perNode, node.name) ?? node.cloud;
    if (chosen !== undefined) {
      const what = `cloud "${chosen}" of node "${node.name}"`;
      uses.set(node.name, { cloud: chosen, at: ['nodes', node.name, 'cloud'], what });
    } else if (!uses.has('')) {
      const what =
        typeof request.cloud === 'string'
          ? `cloud "${defaultCloud}"`
          : `your default cloud "${defaultCloud}" (change it in your profile, or choose a cloud)`;
      uses.set('', { cloud: defaultCloud, at: ['cloud'], what });
    }
  }
  return [...uses.values()];
}

/** Every cloud used must exist and be enabled. */
function cloudProblems(module: string, uses: CloudUse[], clouds: KnownClouds): Problem[] {
  const names = [...clouds.keys()].join(', ');
  return uses.flatMap(({ cloud, at, what }): Problem[] => {
    const known = clouds.get(cloud);
    if (!known)
      return [{ module, at, message: `${what} does not exist; the clouds are: ${names}` }];
    if (!known.enabled) return [{ module, at, message: `${what} is disabled by an administrator` }];
    return [];
  });
}

/** A machine can start only from an image id for its cloud (a base image's, or a built one). */
function imageProblems(
  validated: ValidatedDeployment,
  plan: RunPlan,
  clouds: KnownClouds,
): Problem[] {
  const images = new Map(validated.nodes.map(({ node, image }) => [node.name, image]));
  const checked = new Set<string>();
  const problems: Problem[] = [];
  for (const { node, cloud } of plan.instances) {
    const image = images.get(node);
    if (!image || !clouds.get(cloud)?.enabled || checked.has(`${node}\n${cloud}`)) continue;
    checked.add(`${node}\n${cloud}`);
    const found = imageForCloud(image, cloud);
    if (found.ok) continue;
    for (const problem of found.problems) {
      problems.push({
        module: validated.deployment.path,
        at: ['nodes', node, 'image'],
        message: `node "${node}" runs on cloud "${cloud}", but ${problem.message}`,
      });
    }
  }
  return problems;
}

/**
 * Resolves and validates everything a launch names: the module the viewer may read, every
 * image version, node names, multiplicities, parameters and clouds. Every problem is
 * reported at once.
 */
async function checkLaunch(
  db: Database,
  viewer: Viewer,
  request: LaunchRunRequest,
): Promise<CheckedLaunch> {
  const { kind, deployment, version } = await findRunnable(db, viewer, request.module);
  const refs = deployment.nodes
    .map((node) => parseModuleRef(node.image))
    .filter((ref): ref is ModuleRef => typeof ref !== 'string');
  const [{ lookup, used }, defaults, cloudRows] = await Promise.all([
    loadImages(db, viewer, refs),
    readRunDefaults(db, viewer.id),
    db.select({ name: schema.clouds.name, enabled: schema.clouds.enabled }).from(schema.clouds),
  ]);
  const clouds: KnownClouds = new Map(cloudRows.map((row) => [row.name, row]));
  const defaultCloud = typeof request.cloud === 'string' ? request.cloud : defaults.defaultCloud;

  const problems: Problem[] = [];
  let checked: CheckedLaunch | undefined;
  const validated = validateDeployment(deployment, lookup);
  if (!validated.ok) problems.push(...validated.problems);
  else {
    const expanded = expandRun(validated.value, {
      multiplicity: request.multiplicity,
      parameters: request.parameters,
      cloud: typeof request.cloud === 'object' ? request.cloud : undefined,
      defaultCloud,
      tags: request.tags,
    });
    if (!expanded.ok) problems.push(...expanded.problems);
    else {
      problems.push(...imageProblems(validated.value, expanded.value, clouds));
      checked = {
        kind,
        deployment,
        moduleVersion: version,
        moduleVersions: { ...Object.fromEntries(used), [deployment.path]: version },
        plan: expanded.value,
        warnings: validated.value.warnings,
        keepRunning: request.keepRunning ?? defaults.keepRunning,
        timeoutMinutes: request.timeoutMinutes ?? defaults.runTimeoutMinutes,
      };
    }
  }
  // expandRun already reports a cloud name that is not even well-formed.
  const reported = new Set(problems.map((problem) => problem.at.join('.')));
  const uses = cloudUses(deployment, request, defaultCloud);
  for (const problem of cloudProblems(deployment.path, uses, clouds)) {
    if (!reported.has(problem.at.join('.'))) problems.push(problem);
  }
  if (problems.length > 0 || !checked) throw invalid('invalid_run', problems);
  return checked;
}

function quotaExceeded(exceeded: ExceededQuota[]): AppError {
  const messages = exceeded.map(
    ({ cloud, max, inUse, requested }) =>
      `cloud "${cloud}" allows you ${max} machine${max === 1 ? '' : 's'} at once: ${inUse} in use, this run asks for ${requested}`,
  );
  return new AppError('quota_exceeded', `quota exceeded: ${messages.join('; ')}`, {
    problems: exceeded.map(({ cloud }, index) => ({
      at: ['cloud', cloud],
      message: messages[index] ?? '',
    })),
  });
}

/**
 * Launches a run: checks it, then writes the run, its instances and its parameter table in
 * one transaction, and only after the commit puts its job on the queue.
 */
export async function launchRun(
  deps: Pick<ApiDeps, 'db' | 'runQueue' | 'logger'>,
  viewer: Viewer,
  request: LaunchRunRequest,
): Promise<{ run: RunSummary; warnings: Problem[] }> {
  const { db } = deps;
  const launch = await checkLaunch(db, viewer, request);
  const requested = new Map<string, number>();
  for (const { cloud } of launch.plan.instances)
    requested.set(cloud, (requested.get(cloud) ?? 0) + 1);
  const { module: _module, ...overrides } = request;

  const runId = await db.transaction(async (tx) => {
    // Launches of one user take turns from here to the commit, so two of them cannot
    // both fit in the same free quota. (No key update: logins and other FK checks on the
    // user row are not blocked.)
    await tx
      .select({ id: schema.users.id })
      .from(schema.users)
      .where(eq(schema.users.id, viewer.id))
      .for('no key update');
    const limits = await machineLimits(tx, viewer.id);
    const exceeded = exceededQuotas(limits, await machinesInUse(tx, viewer.id), requested);
    if (exceeded.length > 0) throw quotaExceeded(exceeded);
    return createRunRecords(tx, {
      ownerId: viewer.id,
      kind: launch.kind,
      modulePath: launch.deployment.path,
      moduleVersion: launch.moduleVersion,
      keepRunning: launch.keepRunning,
      timeoutMinutes: launch.timeoutMinutes,
      tags: request.tags ?? [],
      moduleVersions: launch.moduleVersions,
      overrides,
      plan: launch.plan,
      maxProvisioningFailures: Object.fromEntries(
        launch.deployment.nodes.map((node) => [node.name, node.maxProvisioningFailures]),
      ),
    });
  });

  const warnings = [...launch.warnings];
  try {
    await enqueueAdvanceRun(deps.runQueue, runId);
  } catch (error) {
    // The run is committed and must not be lost: it stays Initializing with no job, and the
    // orchestrator's sweep of Initializing runs without a job re-adds it (the job id is the
    // run id, so a late duplicate adds nothing).
    deps.logger.error({ err: error, runId }, 'run saved but its job could not be queued');
    warnings.push({
      at: ['queue'],
      message:
        'the run is saved but could not be queued yet; it starts once the queue is reachable',
    });
  }
  return { run: await readRunSummary(db, viewer, runId), warnings };
}
