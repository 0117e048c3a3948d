import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { temporaryDirectory } from './testing/cli-harness.js';
import { unpackReport } from './unpack-report.js';

type Entry = {
  name: string;
  content?: string;
  type?: 'file' | 'directory' | 'symlink';
  linkname?: string;
  mode?: number;
};

async function tarGz(entries: Entry[]): Promise<Buffer> {
  const archive = pack();
  for (const { name, content = '', type = 'file', linkname, mode } of entries) {
    if (type === 'file') archive.entry({ name, mode }, content);
    else archive.entry({ name, type, linkname });
  }
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

describe('unpackReport', () => {
  it('unpacks files, directories and inner links, keeping the executable bit', async () => {
    const root = await temporaryDirectory();
    const target = join(root, 'web-1');
    const archive = await tarGz([
      { name: 'logs', type: 'directory' },
      { name: 'logs/execute.log', content: '+ ss-get port\n' },
      { name: 'run.sh', content: '#!/bin/sh\n', mode: 0o4755 },
      { name: 'latest.log', type: 'symlink', linkname: 'logs/execute.log' },
    ]);
    expect(await unpackReport(Readable.from(archive), target)).toEqual({ files: 2 });
    expect(await readFile(join(target, 'logs/execute.log'), 'utf8')).toBe('+ ss-get port\n');
    expect(await readFile(join(target, 'latest.log'), 'utf8')).toBe('+ ss-get port\n');
    expect((await stat(join(target, 'run.sh'))).mode & 0o7777).toBe(0o755);
    expect(await readdir(root)).toEqual(['web-1']);
  });

  it.each([
    [{ name: '../escaped.txt', content: 'x' }, 'has an absolute path or ".."'],
    [{ name: '/tmp/absolute.txt', content: 'x' }, 'has an absolute path or ".."'],
    [{ name: 'a/../../escaped.txt', content: 'x' }, 'has an absolute path or ".."'],
    [{ name: 'out', type: 'symlink', linkname: '../../etc' }, 'links outside the report'],
    [{ name: 'out', type: 'symlink', linkname: '/etc' }, 'links outside the report'],
  ] as [Entry, string][])('refuses %j and leaves nothing behind', async (entry, message) => {
    const root = await temporaryDirectory();
    const target = join(root, 'reports', 'web-1');
    const archive = await tarGz([{ name: 'first.txt', content: 'fine' }, entry]);
    await expect(unpackReport(Readable.from(archive), target)).rejects.toThrow(message);
    expect(await readdir(join(root, 'reports'))).toEqual([]);
    expect(existsSync(join(root, 'escaped.txt'))).toBe(false);
    expect(existsSync('/tmp/absolute.txt')).toBe(false);
  });

  it('refuses what is not a tar.gz', async () => {
    const root = await temporaryDirectory();
    await expect(
      unpackReport(Readable.from(Buffer.from('not gzip')), join(root, 'x-1')),
    ).rejects.toThrow('not a valid tar.gz archive');
    expect(await readdir(root)).toEqual([]);
  });

  it('replaces an earlier download', async () => {
    const root = await temporaryDirectory();
    const target = join(root, 'web-1');
    await unpackReport(Readable.from(await tarGz([{ name: 'old.txt', content: 'old' }])), target);
    await unpackReport(Readable.from(await tarGz([{ name: 'new.txt', content: 'new' }])), target);
    expect(await readdir(target)).toEqual(['new.txt']);
  });
});
