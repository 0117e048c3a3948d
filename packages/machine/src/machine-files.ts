import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Script, TargetName } from '@slipway/domain';

/** A file of a machine bundle, relative to SLIPWAY_HOME on the machine. */
export interface BundleFile {
  path: string;
  content: string;
  mode: number;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The machine-side commands (ss-get, ss-set, …) and the bootstrap, as shipped in this package. */
export async function machineCommandFiles(): Promise<BundleFile[]> {
  const files: BundleFile[] = [];
  for (const folder of ['bin', 'lib']) {
    for (const name of (await readdir(`${ROOT}${folder}`)).sort()) {
      files.push({
        path: `${folder}/${name}`,
        content: await readFile(`${ROOT}${folder}/${name}`, 'utf8'),
        mode: 0o755,
      });
    }
  }
  return files;
}

/** Targets are files with a shebang; a script without one runs with /bin/sh. */
export function withShebang(script: string): string {
  return script.startsWith('#!') ? script : `#!/bin/sh\n${script}`;
}

function scriptFiles(folder: string, scripts: Script[]): BundleFile[] {
  return scripts.map((script, index) => ({
    // Numbered so the shell's glob order is the chain order, root ancestor first.
    path: `targets/${folder}/${String(index + 1).padStart(2, '0')}-${script.module.replaceAll('/', '_')}`,
    content: withShebang(script.script),
    mode: 0o755,
  }));
}

/** The files describing what one machine runs: its targets, and the build steps still needed. */
export function machineTargetFiles(input: {
  targets: Partial<Record<TargetName, Script[]>>;
  recipes: Script[];
  packages: string[];
}): BundleFile[] {
  return [
    ...scriptFiles('execute', input.targets.execute ?? []),
    ...scriptFiles('report', input.targets.report ?? []),
    ...scriptFiles('recipe', input.recipes),
    { path: 'packages', content: input.packages.map((name) => `${name}\n`).join(''), mode: 0o644 },
  ];
}
