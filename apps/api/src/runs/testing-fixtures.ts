import { schema, type Database } from '@slipway/db';
import { ModuleDocument, parentProjectPath, type ModuleDocumentInput } from '@slipway/domain';
import { and, eq, isNull, sql } from 'drizzle-orm';

/*
 * Modules written straight into the database, validated as the module API would, so run
 * tests do not depend on module CRUD.
 */

/** Saves a module document as a new version (version 1 for a new path). */
export async function saveModule(
  db: Database,
  ownerId: string,
  input: ModuleDocumentInput,
  options: { publicRead?: boolean } = {},
): Promise<{ moduleId: string; version: number }> {
  const document = ModuleDocument.parse(input);
  return db.transaction(async (tx) => {
    const { modules, moduleVersions } = schema;
    const [existing] = await tx
      .select()
      .from(modules)
      .where(and(eq(modules.path, document.path), isNull(modules.deletedAt)));
    const [module] = existing
      ? await tx
          .update(modules)
          .set({ latestVersion: sql`${modules.latestVersion} + 1`, updatedAt: new Date() })
          .where(eq(modules.id, existing.id))
          .returning()
      : await tx
          .insert(modules)
          .values({
            path: document.path,
            kind: document.kind,
            parentPath: parentProjectPath(document.path),
            ownerId,
            publicRead: options.publicRead ?? false,
            latestVersion: 1,
          })
          .returning();
    if (!module) throw new Error(`saving ${document.path} failed`);
    await tx.insert(moduleVersions).values({
      moduleId: module.id,
      version: module.latestVersion,
      document,
      authorId: ownerId,
    });
    return { moduleId: module.id, version: module.latestVersion };
  });
}

/**
 * The HelloWorld tutorial under `root`: a base image, an apache image and a test client,
 * and the client_server deployment linking them.
 */
export async function saveTutorial(
  db: Database,
  ownerId: string,
  root: string,
  options: { publicRead?: boolean; clouds?: string[] } = {},
): Promise<Record<'project' | 'base' | 'apache' | 'testclient' | 'deployment', string>> {
  const paths = {
    project: root,
    base: `${root}/base`,
    apache: `${root}/apache`,
    testclient: `${root}/testclient`,
    deployment: `${root}/client_server`,
  };
  const cloudImageIds = Object.fromEntries(
    (options.clouds ?? ['local']).map((cloud) => [cloud, 'host']),
  );
  await saveModule(db, ownerId, { path: paths.project, kind: 'project' }, options);
  await saveModule(db, ownerId, { path: paths.base, kind: 'image', cloudImageIds }, options);
  await saveModule(
    db,
    ownerId,
    {
      path: paths.apache,
      kind: 'image',
      parent: paths.base,
      parameters: [
        { name: 'port', kind: 'output', default: '8080' },
        { name: 'ready', kind: 'output' },
      ],
      targets: { execute: '#!/bin/sh\nss-set ready true\n' },
    },
    options,
  );
  await saveModule(
    db,
    ownerId,
    {
      path: paths.testclient,
      kind: 'image',
      parent: paths.base,
      parameters: [
        { name: 'webserver.hostname', kind: 'input' },
        { name: 'webserver.port', kind: 'input' },
        { name: 'webserver.ready', kind: 'input' },
        { name: 'greeting', kind: 'input', default: 'hello' },
      ],
    },
    options,
  );
  await saveModule(
    db,
    ownerId,
    {
      path: paths.deployment,
      kind: 'deployment',
      nodes: [
        { name: 'apache1', image: paths.apache },
        {
          name: 'testclient1',
          image: paths.testclient,
          mappings: {
            'webserver.hostname': 'apache1:hostname',
            'webserver.port': 'apache1:port',
            'webserver.ready': 'apache1:ready',
          },
        },
      ],
    },
    options,
  );
  return paths;
}
