import { z } from 'zod';
import { RunIdParam } from './runs.js';

/*
 * Reports: in SendingReport each machine uploads its report dir as one tar.gz
 * (`POST /api/machine/report`, Content-Type application/gzip); the run's owner and
 * administrators list them, download them, and read their files one by one.
 */

const Timestamp = z.iso.datetime();

export const REPORT_CONTENT_TYPE = 'application/gzip';

/** A report file read in the browser is cut at this many bytes (header `X-Slipway-Truncated`). */
export const REPORT_FILE_READ_LIMIT = 1024 * 1024;

export const ReportParams = RunIdParam.extend({ reportId: z.uuid('not a report id') });

/** `GET /api/runs/{id}/reports/{reportId}/files/{path}`: `path` may contain slashes. */
export const ReportFileParams = ReportParams.extend({ path: z.string().min(1) });

export const UploadReportResponse = z.object({
  report: z.object({
    id: z.uuid(),
    instance: z.string(),
    sizeBytes: z.number().int(),
    /** Regular files in the archive. */
    files: z.number().int(),
  }),
});
export type UploadReportResponse = z.infer<typeof UploadReportResponse>;

export const ReportSummary = z.object({
  id: z.uuid(),
  instance: z.string(),
  fileName: z.string(),
  sizeBytes: z.number().int(),
  createdAt: Timestamp,
});
export type ReportSummary = z.infer<typeof ReportSummary>;

/** By instance name, then upload time. */
export const ListReportsResponse = z.object({ reports: z.array(ReportSummary) });
export type ListReportsResponse = z.infer<typeof ListReportsResponse>;

export const ReportFile = z.object({ path: z.string(), size: z.number().int() });
export type ReportFile = z.infer<typeof ReportFile>;

export const ReportFilesResponse = z.object({ files: z.array(ReportFile) });
export type ReportFilesResponse = z.infer<typeof ReportFilesResponse>;
