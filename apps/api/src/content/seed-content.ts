import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { formatProblem, parseModuleDocuments, type ModuleDocument } from '@slipway/domain';
import { schema, type Database } from '@slipway/db';
import { eq, inArray } from 'drizzle-orm';
import { saveModules } from '../modules/save-modules.js';

const CONTENT = fileURLToPath(new URL('../../content', import.meta.url));

/** The modules Slipway ships: base images and the SlipStream tutorials. */
export async function shippedModules(): Promise<ModuleDocument[]> {
  const documents: ModuleDocument[] = [];
  for (const file of (await readdir(CONTENT)).filter((name) => name.endsWith('.yaml')).sort()) {
    const parsed = parseModuleDocuments(await readFile(`${CONTENT}/${file}`, 'utf8'));
    if (!parsed.ok)
      throw new Error(`${file}: ${parsed.problems.map((p) => formatProblem(p)).join('; ')}`);
    documents.push(...parsed.value);
  }
  return documents;
}

/**
 * Writes the shipped modules that are not there yet, owned by the administrator and
 * readable by everyone. A module an administrator changed or deleted is left as it is.
 */
export async function seedContent(db: Database, adminEmail: string): Promise<string[]> {
  const [admin] = await db.select().from(schema.users).where(eq(schema.users.email, adminEmail));
  if (!admin) return [];
  const documents = await shippedModules();
  const present = new Set(
    (
      await db
        .select({ path: schema.modules.path })
        .from(schema.modules)
        .where(
          inArray(
            schema.modules.path,
            documents.map((document) => document.path),
          ),
        )
    ).map((row) => row.path),
  );
  const missing = documents.filter((document) => !present.has(document.path));
  if (missing.length === 0) return [];
  await saveModules(db, { id: admin.id, isAdmin: true }, missing, {
    comment: 'shipped with Slipway',
    mode: 'create',
  });
  await db
    .update(schema.modules)
    .set({ publicRead: true })
    .where(
      inArray(
        schema.modules.path,
        missing.map((document) => document.path),
      ),
    );
  return missing.map((document) => document.path);
}
