import { schema, type Database } from '@slipway/db';
import { and, eq } from 'drizzle-orm';
import { hashToken, newToken } from './tokens.js';

/**
 * Mints the token a machine uses to reach the parameter store. Minting again (a machine
 * provisioned anew after a worker crash) replaces the old token, which stops working.
 */
export async function issueMachineToken(
  db: Database,
  runId: string,
  instance: string,
): Promise<string> {
  const token = newToken('swm');
  const updated = await db
    .update(schema.instances)
    .set({ tokenHash: hashToken(token) })
    .where(and(eq(schema.instances.runId, runId), eq(schema.instances.name, instance)))
    .returning({ name: schema.instances.name });
  if (updated.length === 0) throw new Error(`run ${runId} has no instance ${instance}`);
  return token;
}
