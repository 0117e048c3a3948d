import type { RunSummary } from '@slipway/contracts';
import { Link } from 'react-router';

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

export function stateLabel(run: Pick<RunSummary, 'state' | 'outcome'>): string {
  return run.state === 'Done' && run.outcome ? `Done (${run.outcome})` : run.state;
}

/** Runs, newest first, one line each; the columns keep their width as states change. */
export function RunsTable({
  runs,
  showModule = true,
}: {
  runs: RunSummary[];
  showModule?: boolean;
}) {
  return (
    <table className="table runs">
      <colgroup>
        <col className="col-id" />
        {showModule && <col />}
        <col className="col-state" />
        <col className="col-date narrow-hide" />
        <col className="col-duration" />
        <col className="col-owner narrow-hide" />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">Run</th>
          {showModule && <th scope="col">Module</th>}
          <th scope="col">State</th>
          <th scope="col" className="narrow-hide">
            Started
          </th>
          <th scope="col">Duration</th>
          <th scope="col" className="narrow-hide">
            Owner
          </th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => {
          const start = run.startedAt ?? run.createdAt;
          const end = run.finishedAt ? Date.parse(run.finishedAt) : Date.now();
          return (
            <tr key={run.id}>
              <td>
                <Link to={`/runs/${run.id}`} aria-label={`Run ${run.id}`}>
                  <code>{run.id.slice(0, 8)}</code>
                </Link>
              </td>
              {showModule && (
                <td className="truncate">
                  <Link to={`/modules/${run.module}`}>{run.module}</Link>
                  <span className="hint">@{run.moduleVersion}</span>
                </td>
              )}
              <td>
                <span
                  className={`state state-${run.state.toLowerCase()} outcome-${run.outcome ?? 'none'}`}
                >
                  {stateLabel(run)}
                </span>
              </td>
              <td className="narrow-hide">{new Date(run.createdAt).toLocaleString()}</td>
              <td className="num">{formatDuration(end - Date.parse(start))}</td>
              <td className="truncate narrow-hide">{run.owner.email}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
