export type DiffKind = 'same' | 'removed' | 'added';

/** One line of a diff, with its number in the old text (removed, same) and the new one (added, same). */
export interface DiffLine {
  kind: DiffKind;
  text: string;
  before?: number;
  after?: number;
}

/** Lines of a text; a final newline ends the last line rather than starting an empty one. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * Past this many removed plus added lines the middle part is given as all removed then all
 * added: still a correct diff, just not the shortest. Myers' time grows with the length
 * times the edits and its memory (one row per edit) with the square of the edits; two
 * unrelated big documents must not hang the tab.
 */
const MAX_EDITS = 2000;

/**
 * The shortest line diff from `before` to `after` (Myers' O(ND) algorithm): keeping every
 * `same` and `removed` line gives `before`, every `same` and `added` line gives `after`.
 * Within a change, removed lines come before added ones.
 */
export function diffLines(
  before: readonly string[],
  after: readonly string[],
  maxEdits = MAX_EDITS,
): DiffLine[] {
  // A common start and end cost nothing to match and shrink the search a lot (an edit
  // of one field leaves the rest of the document alone).
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start])
    start += 1;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
    endBefore -= 1;
    endAfter -= 1;
  }
  const middle = middleDiff(before.slice(start, endBefore), after.slice(start, endAfter), maxEdits);
  const kinds = groupChanges(
    slideDown(
      [
        ...new Array<DiffKind>(start).fill('same'),
        ...middle,
        ...new Array<DiffKind>(before.length - endBefore).fill('same'),
      ],
      before,
      after,
    ),
  );
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  for (const kind of kinds) {
    if (kind === 'same') {
      lines.push({ kind, text: before[i] ?? '', before: i + 1, after: j + 1 });
      i += 1;
      j += 1;
    } else if (kind === 'removed') {
      lines.push({ kind, text: before[i] ?? '', before: i + 1 });
      i += 1;
    } else {
      lines.push({ kind, text: after[j] ?? '', after: j + 1 });
      j += 1;
    }
  }
  return lines;
}

/** The edit script of two line lists that share neither their first nor their last line. */
function middleDiff(a: readonly string[], b: readonly string[], maxEdits: number): DiffKind[] {
  const n = a.length;
  const m = b.length;
  const replaceAll = (): DiffKind[] => [
    ...new Array<DiffKind>(n).fill('removed'),
    ...new Array<DiffKind>(m).fill('added'),
  ];
  if (n === 0 || m === 0) return replaceAll();
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  // v[k + offset]: the furthest x reached on diagonal k = x - y.
  const v = new Int32Array(2 * max + 3);
  // Before step d, the diagonals -d-1 … d+1 of v (all that step d reads), for walking back.
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found === -1; d += 1) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!);
      let x = down ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x += 1;
        y += 1;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found === -1) return replaceAll();

  const script: DiffKind[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d -= 1) {
    const row = trace[d]!;
    const at = (k: number) => row[k + d + 1]!;
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const previousK = down ? k + 1 : k - 1;
    const previousX = at(previousK);
    const previousY = previousX - previousK;
    while (x > previousX && y > previousY) {
      script.push('same');
      x -= 1;
      y -= 1;
    }
    script.push(down ? 'added' : 'removed');
    x = previousX;
    y = previousY;
  }
  for (; x > 0; x -= 1) script.push('same');
  script.reverse();
  return script;
}

/**
 * Moves each block of only added (or only removed) lines down past unchanged lines equal to
 * its first line. Both places are equally short, but the lowest one reads right: a parameter
 * appended to a YAML list shows as its own lines, not as the tail of the one before plus the
 * head of its own (each ends with the same `description: ""`).
 */
function slideDown(kinds: DiffKind[], before: readonly string[], after: readonly string[]) {
  const slid = [...kinds];
  let i = 0;
  let j = 0;
  let p = 0;
  while (p < slid.length) {
    const kind = slid[p]!;
    if (kind === 'same') {
      i += 1;
      j += 1;
      p += 1;
      continue;
    }
    let q = p;
    while (q < slid.length && slid[q] !== 'same') q += 1;
    if (slid.slice(p, q).some((other) => other !== kind)) {
      // A block of both stays where it is.
      for (; p < q; p += 1) {
        if (slid[p] === 'removed') i += 1;
        else j += 1;
      }
      continue;
    }
    const lines = kind === 'added' ? after : before;
    let first = kind === 'added' ? j : i;
    const length = q - p;
    while (q < slid.length && slid[q] === 'same' && lines[first] === lines[first + length]) {
      slid[p] = 'same';
      slid[q] = kind;
      p += 1;
      q += 1;
      first += 1;
      i += 1;
      j += 1;
    }
    if (kind === 'removed') i += length;
    else j += length;
    p = q;
  }
  return slid;
}

/** Within each run of changes, removed lines first: the way people read a replaced block. */
function groupChanges(script: DiffKind[]): DiffKind[] {
  const grouped: DiffKind[] = [];
  let removed = 0;
  let added = 0;
  const flush = () => {
    for (; removed > 0; removed -= 1) grouped.push('removed');
    for (; added > 0; added -= 1) grouped.push('added');
  };
  for (const kind of script) {
    if (kind === 'removed') removed += 1;
    else if (kind === 'added') added += 1;
    else {
      flush();
      grouped.push(kind);
    }
  }
  flush();
  return grouped;
}

/** A run of unchanged lines folded away, or one line of the diff. */
export type DiffRow = { kind: 'fold'; lines: DiffLine[] } | DiffLine;

/**
 * Keeps `context` unchanged lines around each change and folds longer unchanged runs, so a
 * one-line edit in a long document reads as that line and its surroundings.
 */
export function foldUnchanged(lines: readonly DiffLine[], context = 3): DiffRow[] {
  const rows: DiffRow[] = [];
  let i = 0;
  while (i < lines.length) {
    if (lines[i]!.kind !== 'same') {
      rows.push(lines[i]!);
      i += 1;
      continue;
    }
    let end = i;
    while (end < lines.length && lines[end]!.kind === 'same') end += 1;
    const keepBefore = i === 0 ? 0 : context;
    const keepAfter = end === lines.length ? 0 : context;
    if (end - i > keepBefore + keepAfter + 1) {
      rows.push(...lines.slice(i, i + keepBefore));
      rows.push({ kind: 'fold', lines: lines.slice(i + keepBefore, end - keepAfter) });
      rows.push(...lines.slice(end - keepAfter, end));
    } else {
      rows.push(...lines.slice(i, end));
    }
    i = end;
  }
  return rows;
}
