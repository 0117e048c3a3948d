import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffLines, foldUnchanged, splitLines, type DiffLine } from './diff-lines';

/** Walks `before` along the diff, checking every kept and removed line, and builds the result. */
function applyDiff(before: readonly string[], diff: readonly DiffLine[]): string[] {
  const result: string[] = [];
  let i = 0;
  for (const line of diff) {
    if (line.kind === 'added') {
      result.push(line.text);
      continue;
    }
    if (before[i] !== line.text) throw new Error(`line ${i + 1} is not "${line.text}"`);
    if (line.kind === 'same') result.push(line.text);
    i += 1;
  }
  if (i !== before.length) throw new Error(`the diff stops at line ${i} of ${before.length}`);
  return result;
}

/** Length of the longest common subsequence, the slow obvious way. */
function lcsLength(a: readonly string[], b: readonly string[]): number {
  let row = new Array<number>(b.length + 1).fill(0);
  for (const line of a) {
    const next = [0];
    for (let j = 0; j < b.length; j += 1)
      next.push(line === b[j] ? row[j]! + 1 : Math.max(row[j + 1]!, next[j]!));
    row = next;
  }
  return row[b.length]!;
}

// Few distinct lines, so that two lists share many of them in many orders.
const lines = fc.array(fc.constantFrom('a', 'b', 'c', 'd', ''), { maxLength: 30 });

const kinds = (diff: DiffLine[]) => diff.map((line) => `${line.kind} ${line.text}`);

describe('diffLines', () => {
  it('shows a changed line as removed then added, with the line numbers of both sides', () => {
    const diff = diffLines(
      ['path: a', 'kind: image', 'recipe: x'],
      ['path: a', 'kind: image', 'recipe: y', 'packages: []'],
    );
    expect(diff).toEqual([
      { kind: 'same', text: 'path: a', before: 1, after: 1 },
      { kind: 'same', text: 'kind: image', before: 2, after: 2 },
      { kind: 'removed', text: 'recipe: x', before: 3 },
      { kind: 'added', text: 'recipe: y', after: 3 },
      { kind: 'added', text: 'packages: []', after: 4 },
    ]);
  });

  it('gives identical texts as unchanged lines only, and empty ones as nothing', () => {
    expect(diffLines(['a', 'b'], ['a', 'b']).every((line) => line.kind === 'same')).toBe(true);
    expect(diffLines([], [])).toEqual([]);
    expect(kinds(diffLines([], ['a']))).toEqual(['added a']);
    expect(kinds(diffLines(['a'], []))).toEqual(['removed a']);
  });

  it('keeps a moved block as the longest unchanged part', () => {
    expect(kinds(diffLines(['x', 'a', 'b', 'c'], ['a', 'b', 'c', 'x']))).toEqual([
      'removed x',
      'same a',
      'same b',
      'same c',
      'added x',
    ]);
  });

  it('shows an item appended to a list as its own lines, not straddling the one before', () => {
    const before = ['parameters:', '- name: port', '  description: ""', 'targets: {}'];
    const after = [...before.slice(0, 3), '- name: docroot', '  description: ""', 'targets: {}'];
    expect(kinds(diffLines(before, after))).toEqual([
      'same parameters:',
      'same - name: port',
      'same   description: ""',
      'added - name: docroot',
      'added   description: ""',
      'same targets: {}',
    ]);
    expect(kinds(diffLines(after, before)).filter((line) => !line.startsWith('same'))).toEqual([
      'removed - name: docroot',
      'removed   description: ""',
    ]);
  });

  it('applied to the old lines, gives the new lines', () => {
    fc.assert(
      fc.property(lines, lines, (before, after) => {
        expect(applyDiff(before, diffLines(before, after))).toEqual(after);
      }),
    );
  });

  it('keeps as many lines unchanged as can be (the longest common subsequence)', () => {
    fc.assert(
      fc.property(lines, lines, (before, after) => {
        const same = diffLines(before, after).filter((line) => line.kind === 'same');
        expect(same.length).toBe(lcsLength(before, after));
      }),
    );
  });

  it('numbers every line by its place in the old and the new text', () => {
    fc.assert(
      fc.property(lines, lines, (before, after) => {
        const diff = diffLines(before, after);
        const numbered = (side: 'before' | 'after') =>
          diff.flatMap((line) => (line[side] === undefined ? [] : [line[side]]));
        expect(numbered('before')).toEqual(before.map((_, i) => i + 1));
        expect(numbered('after')).toEqual(after.map((_, i) => i + 1));
      }),
    );
  });

  it('past the edit limit still gives a correct diff, replacing the differing middle', () => {
    fc.assert(
      fc.property(lines, lines, (before, after) => {
        expect(applyDiff(before, diffLines(before, after, 2))).toEqual(after);
      }),
    );
    expect(kinds(diffLines(['s', 'a', 'b', 'e'], ['s', 'c', 'd', 'e'], 1))).toEqual([
      'same s',
      'removed a',
      'removed b',
      'added c',
      'added d',
      'same e',
    ]);
  });
});

describe('splitLines', () => {
  it('ends the last line at a final newline', () => {
    expect(splitLines('')).toEqual([]);
    expect(splitLines('a\n')).toEqual(['a']);
    expect(splitLines('a\nb')).toEqual(['a', 'b']);
    expect(splitLines('a\n\n')).toEqual(['a', '']);
  });
});

describe('foldUnchanged', () => {
  const numbered = (count: number) => Array.from({ length: count }, (_, i) => `line ${i + 1}`);

  it('keeps three unchanged lines around a change and folds the rest', () => {
    const before = numbered(20);
    const after = before.map((line) => (line === 'line 10' ? 'line ten' : line));
    const rows = foldUnchanged(diffLines(before, after));
    expect(
      rows.map((row) =>
        row.kind === 'fold' ? `fold ${row.lines.length}` : `${row.kind} ${row.text}`,
      ),
    ).toEqual([
      'fold 6',
      'same line 7',
      'same line 8',
      'same line 9',
      'removed line 10',
      'added line ten',
      'same line 11',
      'same line 12',
      'same line 13',
      'fold 7',
    ]);
  });

  it('does not fold a single line: the fold would take as much room', () => {
    const before = numbered(5);
    const after = ['changed', ...before.slice(1, 4), 'changed'];
    const rows = foldUnchanged(diffLines(before, after), 1);
    expect(rows.some((row) => row.kind === 'fold')).toBe(false);
  });

  it('unfolded, gives back every line in order', () => {
    fc.assert(
      fc.property(lines, lines, fc.integer({ min: 0, max: 4 }), (before, after, context) => {
        const diff = diffLines(before, after);
        const rows = foldUnchanged(diff, context);
        expect(rows.flatMap((row) => (row.kind === 'fold' ? row.lines : [row]))).toEqual(diff);
        for (const row of rows)
          if (row.kind === 'fold')
            expect(row.lines.every((line) => line.kind === 'same')).toBe(true);
      }),
    );
  });
});
