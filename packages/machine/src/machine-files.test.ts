import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { machineCommandFiles, machineTargetFiles, withShebang } from './machine-files.js';

describe('machine command files', () => {
  it('ships every command of DESIGN.md and the bootstrap, executable', async () => {
    const files = await machineCommandFiles();
    expect(files.map((file) => file.path)).toEqual(
      expect.arrayContaining([
        'bin/ss-get',
        'bin/ss-set',
        'bin/ss-display',
        'bin/ss-abort',
        'bin/ss-random',
        'bin/ss-get-all',
        'bin/ss-install-package',
        'lib/bootstrap.sh',
        'lib/slipway.sh',
      ]),
    );
    expect(files.every((file) => file.mode === 0o755)).toBe(true);
  });

  it('is POSIX sh that parses (sh -n)', async () => {
    for (const file of await machineCommandFiles()) {
      expect(() => execFileSync('sh', ['-n', '-c', file.content]), file.path).not.toThrow();
    }
  });

  it('maps HTTP statuses to the exit codes of packages/contracts', async () => {
    const { STATUS_TO_EXIT } = await import('@slipway/contracts');
    const lib = (await machineCommandFiles()).find(
      (file) => file.path === 'lib/slipway.sh',
    )!.content;
    for (const [status, exit] of Object.entries(STATUS_TO_EXIT)) {
      const out = execFileSync('sh', ['-c', `${lib}\nslipway_exit_code ${status}`])
        .toString()
        .trim();
      expect(`${status} → ${out}`).toBe(`${status} → ${exit}`);
    }
    const network = execFileSync('sh', ['-c', `${lib}\nslipway_exit_code 000`])
      .toString()
      .trim();
    expect(network).toBe('4');
  });
});

describe('machine target files', () => {
  it('numbers scripts in chain order and gives a shebang to scripts without one', () => {
    const files = machineTargetFiles({
      targets: {
        execute: [
          { module: 'Public/base', script: 'echo base' },
          { module: 'P/child', script: '#!/bin/sh -xe\necho child' },
        ],
        report: [{ module: 'P/child', script: '#!/bin/sh -x\ncp a $SLIPSTREAM_REPORT_DIR' }],
      },
      recipes: [],
      packages: ['apache2', 'curl'],
    });
    expect(files.map((file) => [file.path, file.content])).toEqual([
      ['targets/execute/01-Public_base', '#!/bin/sh\necho base'],
      ['targets/execute/02-P_child', '#!/bin/sh -xe\necho child'],
      ['targets/report/01-P_child', '#!/bin/sh -x\ncp a $SLIPSTREAM_REPORT_DIR'],
      ['packages', 'apache2\ncurl\n'],
    ]);
    expect(withShebang('#!/usr/bin/env python3\nprint(1)')).toBe(
      '#!/usr/bin/env python3\nprint(1)',
    );
  });
});
