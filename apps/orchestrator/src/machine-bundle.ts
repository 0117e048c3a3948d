import type { BundleFile } from '@slipway/machine';
import { machineCommandFiles, machineTargetFiles } from '@slipway/machine';
import {
  imageForCloud,
  resolveImage,
  formatProblem,
  type EffectiveImage,
  type ImageModule,
  type VersionedImage,
} from '@slipway/domain';
import { schema, type Database } from '@slipway/db';
import { eq, inArray } from 'drizzle-orm';

/**
 * Resolves the images of a run exactly as recorded at launch: every module at the version
 * the run used, so a module saved since changes nothing in a run already going.
 */
export async function loadRunImages(
  db: Database,
  moduleVersions: Record<string, number>,
): Promise<(path: string, version: number) => EffectiveImage> {
  const paths = Object.keys(moduleVersions);
  const rows =
    paths.length === 0
      ? []
      : await db
          .select({
            path: schema.modules.path,
            moduleId: schema.modules.id,
            version: schema.moduleVersions.version,
            document: schema.moduleVersions.document,
          })
          .from(schema.moduleVersions)
          .innerJoin(schema.modules, eq(schema.modules.id, schema.moduleVersions.moduleId))
          .where(inArray(schema.modules.path, paths));
  const builds =
    rows.length === 0
      ? []
      : await db
          .select()
          .from(schema.imageBuilds)
          .where(
            inArray(schema.imageBuilds.moduleId, [...new Set(rows.map((row) => row.moduleId))]),
          );
  const images = new Map<string, VersionedImage>();
  for (const row of rows) {
    if ((row.document as { kind: string }).kind !== 'image') continue;
    const builtImageIds = Object.fromEntries(
      builds
        .filter((build) => build.moduleId === row.moduleId && build.version === row.version)
        .map((build) => [build.cloud, build.cloudImageId]),
    );
    images.set(`${row.path}@${row.version}`, {
      image: row.document as ImageModule,
      version: row.version,
      builtImageIds,
    });
  }
  const cache = new Map<string, EffectiveImage>();
  return (path, version) => {
    const key = `${path}@${version}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const resolved = resolveImage({ path, version }, (ref) => {
      const pinned = ref.version ?? moduleVersions[ref.path];
      return (
        (pinned !== undefined && images.get(`${ref.path}@${pinned}`)) ||
        `version ${pinned ?? '?'} is not recorded for this run`
      );
    });
    if (!resolved.ok)
      throw new Error(`image ${key}: ${resolved.problems.map((p) => formatProblem(p)).join('; ')}`);
    cache.set(key, resolved.value);
    return resolved.value;
  };
}

export interface BundleInput {
  image: EffectiveImage;
  cloud: string;
  env: Record<string, string>;
}

/** The files and environment one machine starts with. */
export async function buildMachineBundle(
  input: BundleInput,
): Promise<{ cloudImageId: string; files: BundleFile[]; env: Record<string, string> }> {
  const target = imageForCloud(input.image, input.cloud);
  if (!target.ok) throw new Error(target.problems.map((p) => formatProblem(p)).join('; '));
  return {
    cloudImageId: target.value.cloudImageId,
    files: [
      ...(await machineCommandFiles()),
      ...machineTargetFiles({
        targets: input.image.targets,
        recipes: target.value.recipes,
        packages: target.value.packages,
      }),
    ],
    env: input.env,
  };
}
