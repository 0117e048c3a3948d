import { createWriteStream } from 'node:fs';
import { link, mkdir, rename, rm, symlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { CliError } from './cli-error.js';

/** Why an entry would land outside the report's directory, or null when it stays inside. */
export function unsafeEntry(header: {
  name: string;
  type?: string | null;
  linkname?: string | null;
}): string | null {
  const escapes = (path: string) =>
    path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.split(/[\\/]/).includes('..');
  if (escapes(header.name)) return `entry "${header.name}" has an absolute path or ".."`;
  if ((header.type === 'symlink' || header.type === 'link') && escapes(header.linkname ?? '')) {
    return `entry "${header.name}" links outside the report ("${header.linkname}")`;
  }
  if (
    !['file', 'contiguous-file', 'directory', 'symlink', 'link'].includes(header.type ?? 'file')
  ) {
    return `entry "${header.name}" is a ${header.type}; reports hold files and directories`;
  }
  return null;
}

/**
 * Unpacks a report (a tar.gz) into `directory`, replacing what an earlier download left
 * there. An unsafe entry refuses the whole report and leaves nothing behind.
 */
export async function unpackReport(
  archive: Readable,
  directory: string,
): Promise<{ files: number }> {
  const partial = `${directory}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  const extractor = extract();
  const feeding = pipeline(archive, createGunzip(), extractor);
  let files = 0;
  try {
    for await (const entry of extractor) {
      const { header } = entry;
      const problem = unsafeEntry(header);
      const target = resolve(partial, header.name);
      const inside = relative(partial, target);
      if (problem || inside.startsWith('..') || isAbsolute(inside)) {
        entry.resume();
        throw new CliError(`refused: ${problem ?? `entry "${header.name}" leaves the report`}`);
      }
      if (header.type === 'directory') {
        await mkdir(target, { recursive: true });
        entry.resume();
        continue;
      }
      await mkdir(dirname(target), { recursive: true });
      if (header.type === 'symlink') {
        await symlink(header.linkname ?? '', target);
        entry.resume();
      } else if (header.type === 'link') {
        await link(join(partial, header.linkname ?? ''), target);
        entry.resume();
      } else {
        // Executable bits are kept; setuid, setgid and sticky bits are not.
        await pipeline(entry, createWriteStream(target, { mode: (header.mode ?? 0o644) & 0o777 }));
        files += 1;
      }
    }
    await feeding;
  } catch (error) {
    feeding.catch(() => undefined);
    archive.destroy();
    await rm(partial, { recursive: true, force: true });
    if (error instanceof CliError) throw error;
    throw new CliError(`not a valid tar.gz archive (${(error as Error).message})`);
  }
  await rm(directory, { recursive: true, force: true });
  await rename(partial, directory);
  return { files };
}
