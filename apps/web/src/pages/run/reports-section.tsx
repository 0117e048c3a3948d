import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../../api/session';
import { ErrorMessage, Loading } from '../../components/error-message';

interface Report {
  id: string;
  instance: string;
  fileName: string;
  sizeBytes: number;
  createdAt: string;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Every instance's report: download the tar.gz, or read its files right here. */
export function ReportsSection({ runId }: { runId: string }) {
  const api = useApi();
  const [open, setOpen] = useState<Report | null>(null);
  const reports = useQuery({
    queryKey: ['runs', 'reports', runId],
    queryFn: async () =>
      (await api.request<{ reports: Report[] }>(`/api/runs/${runId}/reports`)).reports,
  });
  return (
    <section aria-labelledby="results" className="card">
      <h2 id="results">Results</h2>
      {reports.isPending && <Loading what="reports" />}
      {reports.isError && <ErrorMessage error={reports.error} />}
      {reports.data?.length === 0 && (
        <p className="empty">
          No report yet: each instance uploads one when the run sends its reports.
        </p>
      )}
      {reports.data && reports.data.length > 0 && (
        <table className="table reports">
          <colgroup>
            <col className="col-name narrow-hide" />
            <col />
            <col className="col-size narrow-hide" />
            <col className="col-read" />
          </colgroup>
          <thead>
            <tr>
              <th scope="col" className="narrow-hide">
                Instance
              </th>
              <th scope="col">Report</th>
              <th scope="col" className="narrow-hide">
                Size
              </th>
              <th scope="col">Files</th>
            </tr>
          </thead>
          <tbody>
            {reports.data.map((report) => (
              <tr key={report.id}>
                <td className="narrow-hide">{report.instance}</td>
                <td>
                  <a href={`/api/runs/${runId}/reports/${report.id}`} download={report.fileName}>
                    {report.fileName}
                  </a>
                </td>
                <td className="num narrow-hide">{formatBytes(report.sizeBytes)}</td>
                <td>
                  <button
                    type="button"
                    aria-pressed={open?.id === report.id}
                    onClick={() => setOpen(open?.id === report.id ? null : report)}
                  >
                    Read {report.instance}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && <ReportFiles runId={runId} report={open} />}
    </section>
  );
}

function ReportFiles({ runId, report }: { runId: string; report: Report }) {
  const api = useApi();
  const [path, setPath] = useState<string | null>(null);
  const base = `/api/runs/${runId}/reports/${report.id}/files`;
  const files = useQuery({
    queryKey: ['runs', 'report-files', runId, report.id],
    queryFn: async () =>
      (await api.request<{ files: { path: string; size: number }[] }>(base)).files,
  });
  const content = useQuery({
    queryKey: ['runs', 'report-file', runId, report.id, path],
    enabled: path !== null,
    queryFn: () => api.text(`${base}/${(path ?? '').split('/').map(encodeURIComponent).join('/')}`),
  });
  return (
    <div className="report-files">
      <h3>Files of {report.fileName}</h3>
      {files.isPending && <Loading what="files" />}
      {files.isError && <ErrorMessage error={files.error} />}
      {files.data && (
        <div className="report-browser">
          <ul aria-label={`Files of ${report.instance}`}>
            {files.data.length === 0 && <li className="empty">The report is empty.</li>}
            {files.data.map((file) => (
              <li key={file.path}>
                <button
                  type="button"
                  className="link-button"
                  aria-pressed={path === file.path}
                  onClick={() => setPath(file.path)}
                >
                  {file.path}
                </button>{' '}
                <span className="hint num">{formatBytes(file.size)}</span>
              </li>
            ))}
          </ul>
          <div className="report-file">
            {path === null && <p className="hint">Choose a file to read it.</p>}
            {path !== null && content.isPending && <Loading what={path} />}
            {content.isError && <ErrorMessage error={content.error} />}
            {path !== null && content.data !== undefined && (
              <pre className="code" aria-label={`Content of ${path}`} tabIndex={0}>
                {content.data}
              </pre>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
