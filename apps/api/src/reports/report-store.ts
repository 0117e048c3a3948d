import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { extract } from 'tar-stream';
import { AppError } from '../app-error.js';

export interface ReportFile {
  path: string;
  size: number;
}

/** Why an archive entry would escape the directory it is unpacked into, or null when it is safe. */
export function unsafeEntryProblem(
  name: string,
  type: string,
  linkname: string | null | undefined,
): string | null {
  const escapes = (path: string) =>
    path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.split(/[\\/]/).includes('..');
  if (escapes(name)) return `entry "${name}" has an absolute path or ".."`;
  if ((type === 'symlink' || type === 'link') && linkname && escapes(linkname)) {
    return `entry "${name}" links outside the report ("${linkname}")`;
  }
  if (
    ![
      'file',
      'directory',
      'symlink',
      'link',
      'pax-header',
      'pax-global-header',
      'gnu-long-path',
      'gnu-long-link-path',
    ].includes(type)
  ) {
    return `entry "${name}" is a ${type}; reports hold files and directories`;
  }
  return null;
}

function limit(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) {
        callback(new AppError('payload_too_large', `a report is at most ${maxBytes} bytes`));
        return;
      }
      callback(null, chunk);
    },
  });
}

/** Walks a tar.gz stream, calling `onEntry` for each entry; throws on a corrupt archive. */
async function walkArchive(
  source: Readable,
  onEntry: (
    name: string,
    type: string,
    linkname: string | null | undefined,
    size: number,
    body: Readable,
  ) => Promise<void>,
): Promise<void> {
  const tar = extract();
  const done = pipeline(source, createGunzip(), tar);
  // Observed here so a corrupt archive is not an unhandled rejection; awaited below.
  done.catch(() => undefined);
  for await (const entry of tar) {
    const { name, type, linkname, size } = entry.header;
    await onEntry(name, type ?? 'file', linkname, size ?? 0, entry as unknown as Readable);
    entry.resume();
  }
  await done;
}

/**
 * Reports live on disk, outside the database: one tar.gz per instance of a run, under
 * `<root>/<run id>/`. An upload is checked entry by entry while it streams to a temporary
 * file, and only a complete, safe archive takes its place.
 */
export class ReportStore {
  constructor(private readonly root: string) {}

  private pathOf(storageKey: string): string {
    return join(this.root, storageKey);
  }

  async save(
    runId: string,
    instance: string,
    source: Readable,
    maxBytes: number,
  ): Promise<{ storageKey: string; sizeBytes: number; files: number }> {
    const storageKey = `${runId}/${instance}.tar.gz`;
    const target = this.pathOf(storageKey);
    const temporary = `${target}.${randomBytes(4).toString('hex')}.part`;
    await mkdir(dirname(target), { recursive: true });
    try {
      // Write first, then check the file: simple, and backpressure holds the whole way.
      await pipeline(source, limit(maxBytes), createWriteStream(temporary));
      let files = 0;
      let problem: string | null = null;
      await walkArchive(createReadStream(temporary), async (name, type, linkname) => {
        problem ??= unsafeEntryProblem(name, type, linkname);
        if (type === 'file') files += 1;
      }).catch(() => {
        problem ??= 'the report is not a valid tar.gz archive';
      });
      if (problem) throw new AppError('invalid_request', `report refused: ${problem}`);
      await rename(temporary, target);
      return { storageKey, sizeBytes: (await stat(target)).size, files };
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  open(storageKey: string): Readable {
    return createReadStream(this.pathOf(storageKey));
  }

  async listFiles(storageKey: string): Promise<ReportFile[]> {
    const files: ReportFile[] = [];
    await walkArchive(this.open(storageKey), async (name, type, _link, size) => {
      if (type === 'file') files.push({ path: name.replace(/^\.\//, ''), size });
    });
    return files;
  }

  /** One file of a report, up to `maxBytes` (for reading in the browser); null when absent. */
  async readFile(
    storageKey: string,
    path: string,
    maxBytes: number,
  ): Promise<{ content: Buffer; truncated: boolean } | null> {
    let found: { content: Buffer; truncated: boolean } | null = null;
    await walkArchive(this.open(storageKey), async (name, type, _link, size, body) => {
      if (found || type !== 'file' || name.replace(/^\.\//, '') !== path) return;
      const chunks: Buffer[] = [];
      let length = 0;
      for await (const chunk of body) {
        if (length < maxBytes) chunks.push(chunk as Buffer);
        length += (chunk as Buffer).length;
      }
      found = { content: Buffer.concat(chunks).subarray(0, maxBytes), truncated: size > maxBytes };
    });
    return found;
  }
}
