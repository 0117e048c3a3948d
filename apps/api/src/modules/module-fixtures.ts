import type { ModuleDocumentInput } from '@slipway/domain';
import { schema } from '@slipway/db';
import type { TestApi, TestClient } from '../testing/test-api.js';

/** Rows of the module tables, to show a refusal wrote nothing. */
export async function countModuleRows(
  api: TestApi,
): Promise<{ modules: number; versions: number; builds: number }> {
  const { db } = api.database;
  return {
    modules: (await db.select().from(schema.modules)).length,
    versions: (await db.select().from(schema.moduleVersions)).length,
    builds: (await db.select().from(schema.imageBuilds)).length,
  };
}

/** Saves a module as its author would from the web app. */
export function putModule(client: TestClient, document: ModuleDocumentInput, comment?: string) {
  return client.put(`/api/modules/${document.path}`, { document, comment });
}

/** The same, but insisting it worked. */
export async function givenModule(
  client: TestClient,
  document: ModuleDocumentInput,
  options: { publicRead?: boolean } = {},
): Promise<void> {
  const response = await putModule(client, document);
  if (response.status >= 300)
    throw new Error(`saving ${document.path} failed: ${JSON.stringify(response.body)}`);
  if (options.publicRead) {
    const patched = await client.patch(`/api/modules/${document.path}`, { publicRead: true });
    if (patched.status !== 200)
      throw new Error(`publishing ${document.path} failed: ${JSON.stringify(patched.body)}`);
  }
}

export const baseImage = (path: string): ModuleDocumentInput => ({
  path,
  kind: 'image',
  cloudImageIds: { local: 'host' },
});
