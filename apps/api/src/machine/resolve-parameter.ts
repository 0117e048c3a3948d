import { schema, type Database } from '@slipway/db';
import { and, eq, inArray } from 'drizzle-orm';
import { AppError } from '../app-error.js';

/**
 * Where a key of the store takes its value from: a stored key, or every instance of a node
 * (`node:*:key`, the values joined with "," in instance order). An input mapped to another
 * node's output has no value of its own; it resolves to the output it follows.
 */
export type Source = { kind: 'key'; key: string } | { kind: 'all'; members: Source[] };

export interface Resolution {
  source: Source;
  /** The values of the source's stored keys, as read. */
  values: Map<string, string | null>;
  /** ss:abort as read in the same query. */
  abort: string | null;
}

const ALL_INSTANCES = /^([A-Za-z][A-Za-z0-9_]*):\*:(.+)$/;

// Links go from inputs to outputs, so a chain is one step (two through node:*:key); a longer
// one means a corrupted store, not a slow user.
const MAX_DEPTH = 6;

export function valueOf(source: Source, values: ReadonlyMap<string, string | null>): string | null {
  if (source.kind === 'key') return values.get(source.key) ?? null;
  const parts = source.members.map((member) => valueOf(member, values));
  return parts.every((part) => part !== null) ? parts.join(',') : null;
}

export function storedKeysOf(source: Source): string[] {
  return source.kind === 'key' ? [source.key] : source.members.flatMap(storedKeysOf);
}

const unknownKey = (key: string, detail = `this run has no parameter "${key}"`) =>
  new AppError('unknown_key', detail);

/**
 * Resolves a store key (as qualifyReference writes it) to its source and reads the values.
 * A plain key costs one query (ss:abort is read with it); each link or node:*:key level one more.
 */
export async function resolveParameter(
  db: Database,
  runId: string,
  key: string,
): Promise<Resolution> {
  const values = new Map<string, string | null>();
  let abort: string | null = null;

  async function resolveLevel(keys: string[], depth: number): Promise<Source[]> {
    if (depth > MAX_DEPTH)
      throw new Error(`parameter links of run ${runId} form a chain deeper than ${MAX_DEPTH}`);
    const wanted = new Set(
      keys.map((k) => {
        const all = ALL_INSTANCES.exec(k);
        return all ? `${all[1]}:ids` : k;
      }),
    );
    if (depth === 0) wanted.add('ss:abort');
    const { runParameters } = schema;
    const rows = await db
      .select({
        key: runParameters.key,
        value: runParameters.value,
        follows: runParameters.follows,
      })
      .from(runParameters)
      .where(and(eq(runParameters.runId, runId), inArray(runParameters.key, [...wanted])));
    const byKey = new Map(rows.map((row) => [row.key, row]));
    if (depth === 0) abort = byKey.get('ss:abort')?.value ?? null;

    // Each key becomes a leaf now or names the keys it needs from the next level.
    const plans = keys.map((k): { leaf: string } | { follows: string } | { members: string[] } => {
      const all = ALL_INSTANCES.exec(k);
      if (all) {
        const [, node, member] = all as unknown as [string, string, string];
        const ids = byKey.get(`${node}:ids`);
        if (!ids) throw unknownKey(k, `this run has no node "${node}"`);
        const indexes = ids.value ? ids.value.split(',') : [];
        return { members: indexes.map((index) => `${node}-${index}:${member}`) };
      }
      const row = byKey.get(k);
      if (!row) throw unknownKey(k);
      if (row.follows !== null) return { follows: row.follows };
      values.set(k, row.value);
      return { leaf: k };
    });
    const next = plans.flatMap((plan) =>
      'follows' in plan ? [plan.follows] : 'members' in plan ? plan.members : [],
    );
    const resolved = next.length > 0 ? await resolveLevel(next, depth + 1) : [];
    let at = 0;
    return plans.map((plan): Source => {
      if ('leaf' in plan) return { kind: 'key', key: plan.leaf };
      if ('follows' in plan) return resolved[at++] as Source;
      const members = resolved.slice(at, at + plan.members.length);
      at += plan.members.length;
      return { kind: 'all', members };
    });
  }

  const [source] = await resolveLevel([key], 0);
  return { source: source as Source, values, abort };
}

/** Reads the stored keys of a source again, with ss:abort: one query. */
export async function readValues(
  db: Database,
  runId: string,
  keys: string[],
): Promise<{ values: Map<string, string | null>; abort: string | null }> {
  const { runParameters } = schema;
  const rows = await db
    .select({ key: runParameters.key, value: runParameters.value })
    .from(runParameters)
    .where(and(eq(runParameters.runId, runId), inArray(runParameters.key, [...keys, 'ss:abort'])));
  const values = new Map(rows.map((row) => [row.key, row.value]));
  return { values, abort: values.get('ss:abort') ?? null };
}
