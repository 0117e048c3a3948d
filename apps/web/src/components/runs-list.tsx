import { RunState } from '@slipway/domain';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { useRuns } from '../api/queries';
import { useSession } from '../api/session';
import { ErrorMessage, Loading } from './error-message';
import { RunsTable } from './runs-table';

const PAGE_SIZE = 20;

/** Refreshes run lists whenever one of the user's runs changes state (GET /api/events). */
function useLiveRunList() {
  const { openLive } = useSession();
  const queryClient = useQueryClient();
  useEffect(() => {
    const source = openLive('/api/events');
    let timer: ReturnType<typeof setTimeout> | null = null;
    source.addEventListener('run', () => {
      // Many runs may change at once: refetch at most twice a second.
      timer ??= setTimeout(() => {
        timer = null;
        void queryClient.invalidateQueries({ queryKey: ['runs', 'list'] });
      }, 500);
    });
    return () => {
      if (timer) clearTimeout(timer);
      source.close();
    };
  }, [openLive, queryClient]);
}

/** Runs, filtered and paged; the dashboard shows all of them, a module's Runs tab its own. */
export function RunsList({ module }: { module?: string }) {
  const [moduleFilter, setModuleFilter] = useState('');
  const [state, setState] = useState('');
  const [page, setPage] = useState(1);
  const id = useId();
  const runs = useRuns({
    module: module ?? (moduleFilter.trim() || undefined),
    state: state || undefined,
    page,
    pageSize: PAGE_SIZE,
  });
  useLiveRunList();
  const total = runs.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));

  return (
    <div className="runs-list">
      <form
        className="filters"
        role="search"
        aria-label="Filter runs"
        onSubmit={(e) => e.preventDefault()}
      >
        {module === undefined && (
          <label>
            Module
            <input
              value={moduleFilter}
              placeholder="Public/Tutorials/HelloWorld/client_server"
              onChange={(e) => {
                setModuleFilter(e.target.value);
                setPage(1);
              }}
            />
          </label>
        )}
        <label>
          State
          <select
            value={state}
            onChange={(e) => {
              setState(e.target.value);
              setPage(1);
            }}
          >
            <option value="">any</option>
            {RunState.options.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        </label>
      </form>
      {runs.isPending && <Loading what="runs" />}
      {runs.isError && <ErrorMessage error={runs.error} />}
      {runs.data && runs.data.runs.length === 0 && (
        <p className="empty">No runs{state || moduleFilter ? ' match these filters' : ' yet'}.</p>
      )}
      {runs.data && runs.data.runs.length > 0 && (
        <RunsTable runs={runs.data.runs} showModule={module === undefined} />
      )}
      {runs.data && total > PAGE_SIZE && (
        <nav className="pager" aria-label="Pages of runs">
          <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            Previous page
          </button>
          <span id={id} className="num">
            Page {page} of {pages} ({total} runs)
          </span>
          <button type="button" disabled={page >= pages} onClick={() => setPage(page + 1)}>
            Next page
          </button>
        </nav>
      )}
    </div>
  );
}
