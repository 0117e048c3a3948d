import { REPORT_FILE_READ_LIMIT, ReportParams, RunIdParam } from '@slipway/contracts';
import { schema, type Database } from '@slipway/db';
import { and, eq } from 'drizzle-orm';
import { Router, type Request } from 'express';
import { AppError } from '../app-error.js';
import { requireMachine, requireUser } from '../auth/authenticate.js';
import type { ApiDeps } from '../deps.js';
import { parseRequest } from '../http/parse-request.js';

const { reports, runs } = schema;

/** The run's owner and administrators see its reports; to anyone else the run does not exist. */
async function readableRun(db: Database, req: Request, runId: string): Promise<void> {
  const user = requireUser(req);
  const [run] = await db.select({ ownerId: runs.ownerId }).from(runs).where(eq(runs.id, runId));
  if (!run || (run.ownerId !== user.id && !user.isAdmin)) {
    throw new AppError('not_found', `run ${runId} does not exist or you cannot see it`);
  }
}

async function findReport(db: Database, runId: string, reportId: string) {
  const [report] = await db
    .select()
    .from(reports)
    .where(and(eq(reports.runId, runId), eq(reports.id, reportId)));
  if (!report) throw new AppError('not_found', `report ${reportId} does not exist in run ${runId}`);
  return report;
}

export function reportRoutes(deps: ApiDeps): Router {
  const { db, reportStore } = deps;
  const router = Router();

  router.post('/machine/report', async (req, res) => {
    const machine = requireMachine(req);
    const saved = await reportStore.save(
      machine.runId,
      machine.instance,
      req,
      deps.config.reportMaxBytes,
    );
    const [report] = await db
      .insert(reports)
      .values({
        runId: machine.runId,
        instance: machine.instance,
        fileName: `${machine.instance}.tar.gz`,
        sizeBytes: saved.sizeBytes,
        storageKey: saved.storageKey,
      })
      .returning();
    res.status(201).json({
      report: {
        id: report?.id,
        instance: machine.instance,
        sizeBytes: saved.sizeBytes,
        files: saved.files,
      },
    });
  });

  router.get('/runs/:id/reports', async (req, res) => {
    const { id } = parseRequest(RunIdParam, req.params, 'path');
    await readableRun(db, req, id);
    const rows = await db
      .select()
      .from(reports)
      .where(eq(reports.runId, id))
      .orderBy(reports.instance, reports.createdAt);
    res.json({
      reports: rows.map(({ id: reportId, instance, fileName, sizeBytes, createdAt }) => ({
        id: reportId,
        instance,
        fileName,
        sizeBytes,
        createdAt,
      })),
    });
  });

  router.get('/runs/:id/reports/:reportId', async (req, res) => {
    const { id, reportId } = parseRequest(ReportParams, req.params, 'path');
    await readableRun(db, req, id);
    const report = await findReport(db, id, reportId);
    res.setHeader('Content-Type', 'application/gzip');
    res.setHeader('Content-Disposition', `attachment; filename="${report.fileName}"`);
    res.setHeader('Content-Length', String(report.sizeBytes));
    reportStore.open(report.storageKey).pipe(res);
  });

  router.get('/runs/:id/reports/:reportId/files', async (req, res) => {
    const { id, reportId } = parseRequest(ReportParams, req.params, 'path');
    await readableRun(db, req, id);
    const report = await findReport(db, id, reportId);
    res.json({ files: await reportStore.listFiles(report.storageKey) });
  });

  router.get('/runs/:id/reports/:reportId/files/*path', async (req, res) => {
    const { id, reportId } = parseRequest(ReportParams, req.params, 'path');
    await readableRun(db, req, id);
    const report = await findReport(db, id, reportId);
    const path = (req.params as { path: string[] }).path.join('/');
    const file = await reportStore.readFile(report.storageKey, path, REPORT_FILE_READ_LIMIT);
    if (!file) throw new AppError('not_found', `report ${report.fileName} has no file ${path}`);
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    if (file.truncated) res.setHeader('X-Slipway-Truncated', String(REPORT_FILE_READ_LIMIT));
    res.send(file.content);
  });

  return router;
}
