import type { RunDetail, RunInstance, RunParametersResponse } from '@slipway/contracts';
import type { RunState } from '@slipway/domain';
import { isFinalState } from '@slipway/domain';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useRun } from '../api/queries';
import { useApi } from '../api/session';
import { ErrorMessage, Loading } from '../components/error-message';
import { formatDuration } from '../components/runs-table';
import { VirtualTable, type Column } from '../components/virtual-table';
import { ReportsSection } from './run/reports-section';
import { useLiveRun, type LiveRun } from './run/use-live-run';

const TIMELINE: RunState[] = [
  'Initializing',
  'Running',
  'SendingReport',
  'Ready',
  'Done',
  'Aborted',
];

/** Ticks every second while the run is going, so durations grow. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

export function RunPage() {
  const id = useParams().id ?? '';
  const run = useRun(id);
  const live = useLiveRun(id);
  if (run.isPending) return <Loading what={`run ${id}`} />;
  if (run.isError) {
    return (
      <section>
        <h1>Run {id.slice(0, 8)}</h1>
        <ErrorMessage error={run.error} />
      </section>
    );
  }
  return <RunView run={run.data} live={live} />;
}

function RunView({ run, live }: { run: RunDetail; live: LiveRun }) {
  const state = live.state ?? run.state;
  const final = isFinalState(state);
  const now = useNow(!final);
  const abort = live.state ? live.abort : run.abortMessage;
  return (
    <section className="run-page">
      <div className="page-title">
        <h1>
          Run <code>{run.id.slice(0, 8)}</code>
        </h1>
        <p>
          <Link to={`/modules/${run.module}`}>{run.module}</Link>
          <span className="hint">@{run.moduleVersion}</span> · {run.kind} · by {run.owner.email}
        </p>
      </div>
      <div className="run-status" aria-live="polite">
        <span className={`state state-${state.toLowerCase()} outcome-${run.outcome ?? 'none'}`}>
          {state === 'Done' && run.outcome ? `Done (${run.outcome})` : state}
        </span>
        <span className={live.connected ? 'live on' : 'live off'}>
          {live.connected ? 'live' : 'connecting…'}
        </span>
        {abort && (
          <span className="abort-message" role="alert">
            Aborted: {abort}
          </span>
        )}
        <a href="#results">Results</a>
      </div>
      <RunActions run={run} state={state} />
      <Timeline run={run} state={state} now={now} />
      <Instances run={run} live={live} />
      <Parameters run={run} live={live} />
      <Logs run={run} live={live} />
      <ReportsSection runId={run.id} />
    </section>
  );
}

function RunActions({ run, state }: { run: RunDetail; state: RunState }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const final = isFinalState(state);
  async function stop(action: 'abort' | 'terminate') {
    setBusy(true);
    setError(null);
    try {
      await api.request(`/api/runs/${run.id}/${action}`, { method: 'POST', body: {} });
      await queryClient.invalidateQueries({ queryKey: ['runs', 'read', run.id] });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="actions run-actions">
      <button type="button" disabled={final || busy} onClick={() => void stop('abort')}>
        Abort
      </button>
      <button type="button" disabled={final || busy} onClick={() => void stop('terminate')}>
        Terminate
      </button>
      <ErrorMessage error={error} />
    </div>
  );
}

function Timeline({ run, state, now }: { run: RunDetail; state: RunState; now: number }) {
  const entered = new Map<RunState, { at: number; until: number | null }>();
  run.history.forEach((entry, i) => {
    const next = run.history[i + 1];
    entered.set(entry.state, {
      at: Date.parse(entry.at),
      until: next ? Date.parse(next.at) : null,
    });
  });
  if (!entered.has(state)) entered.set(state, { at: now, until: null });
  const finishedAt = run.finishedAt ? Date.parse(run.finishedAt) : null;
  return (
    <ol className="timeline" aria-label="State timeline">
      {TIMELINE.map((step) => {
        const span = entered.get(step);
        const current = step === state;
        const end = span?.until ?? (current && !isFinalState(step) ? now : (finishedAt ?? null));
        const duration =
          span && end !== null && !isFinalState(step) ? formatDuration(end - span.at) : '';
        return (
          <li
            key={step}
            className={span ? (current ? 'step current' : 'step done') : 'step'}
            aria-current={current ? 'step' : undefined}
          >
            <span className="step-name">{step}</span>
            <span className="step-time num">
              {span ? duration || new Date(span.at).toLocaleTimeString() : '—'}
            </span>
          </li>
        );
      })}
    </ol>
  );
}

interface InstanceRow {
  name: string;
  state: string;
  statecustom: string;
  hostname: string;
  urls: [string, string][];
  failed: boolean;
}

function Instances({ run, live }: { run: RunDetail; live: LiveRun }) {
  const rows = useMemo<InstanceRow[]>(() => {
    const byName = new Map<string, RunInstance>(
      run.instances.map((instance) => [instance.name, instance]),
    );
    const names =
      live.instances.size > 0
        ? [...live.instances.keys()]
        : run.instances.map((instance) => instance.name);
    return names.map((name) => {
      const detail = byName.get(name);
      const current = live.instances.get(name);
      const urls = new Map(Object.entries(detail?.urls ?? {}));
      for (const [key, value] of live.parameters) {
        if (value && key.startsWith(`${name}:url.`)) urls.set(key.slice(name.length + 1), value);
      }
      return {
        name,
        state: current?.state ?? detail?.completed ?? '',
        statecustom: current?.statecustom ?? detail?.statecustom ?? '',
        hostname: live.parameters.get(`${name}:hostname`) ?? detail?.hostname ?? '',
        urls: [...urls.entries()],
        failed: detail?.failed ?? false,
      };
    });
  }, [run.instances, live.instances, live.parameters]);

  const columns: Column<InstanceRow>[] = [
    { header: 'Instance', className: 'col-name', render: (row) => <code>{row.name}</code> },
    {
      header: 'State',
      className: 'col-state',
      render: (row) => (row.failed ? `${row.state} (failed)` : row.state),
    },
    {
      header: 'Custom state',
      render: (row) => <span className="truncate">{row.statecustom}</span>,
    },
    {
      header: 'Hostname',
      className: 'col-host',
      render: (row) => <span className="truncate">{row.hostname}</span>,
    },
    {
      header: 'Links',
      className: 'col-links',
      render: (row) =>
        row.urls.map(([key, url]) => (
          <a key={key} href={url} target="_blank" rel="noreferrer" className="url-link">
            {key.replace(/^url\./, '')}
          </a>
        )),
    },
  ];
  return (
    <section className="card" aria-labelledby="instances">
      <h2 id="instances">
        Instances <span className="hint num">({rows.length})</span>
      </h2>
      {rows.length === 0 ? (
        <p className="empty reserved">No instance yet.</p>
      ) : (
        <VirtualTable
          label="Instances"
          rows={rows}
          columns={columns}
          rowKey={(row) => row.name}
          height={Math.min(360, 34 + rows.length * 32)}
        />
      )}
    </section>
  );
}

function Parameters({ run, live }: { run: RunDetail; live: LiveRun }) {
  const api = useApi();
  const [filter, setFilter] = useState('');
  const fetched = useQuery({
    queryKey: ['runs', 'parameters', run.id],
    queryFn: () => api.request<RunParametersResponse>(`/api/runs/${run.id}/parameters`),
  });
  const rows = useMemo(() => {
    const merged = new Map<string, { key: string; value: string | null; follows?: string }>();
    for (const parameter of fetched.data?.parameters ?? []) merged.set(parameter.key, parameter);
    for (const [key, value] of live.parameters) merged.set(key, { ...merged.get(key), key, value });
    const needle = filter.trim().toLowerCase();
    return [...merged.values()]
      .filter((row) => !needle || row.key.toLowerCase().includes(needle))
      .sort((a, b) => a.key.localeCompare(b.key));
  }, [fetched.data, live.parameters, filter]);
  return (
    <section className="card" aria-labelledby="parameters">
      <h2 id="parameters">Parameters</h2>
      <label className="inline">
        Filter parameters
        <input
          type="search"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          placeholder="testclient1-1:"
        />
      </label>
      {fetched.isPending && <Loading what="parameters" />}
      {fetched.isError && <ErrorMessage error={fetched.error} />}
      {fetched.data && (
        <VirtualTable
          label="Parameters"
          rows={rows}
          rowKey={(row) => row.key}
          height={300}
          columns={[
            {
              header: 'Key',
              className: 'col-key',
              render: (row) => <code className="truncate">{row.key}</code>,
            },
            {
              header: 'Value',
              render: (row) => (
                <span className="truncate" title={row.value ?? ''}>
                  {row.value ?? <span className="hint">not set</span>}
                  {row.follows && <span className="hint"> ← {row.follows}</span>}
                </span>
              ),
            },
          ]}
        />
      )}
    </section>
  );
}

function Logs({ run, live }: { run: RunDetail; live: LiveRun }) {
  const names = run.instances.map((instance) => instance.name);
  const [chosen, setChosen] = useState<string>('');
  const instance = chosen || names[0] || '';
  const lines = live.logs.get(instance) ?? [];
  return (
    <section className="card" aria-labelledby="logs">
      <h2 id="logs">Logs</h2>
      <label className="inline">
        Instance
        <select value={instance} onChange={(e) => setChosen(e.target.value)}>
          {names.map((name) => (
            <option key={name} value={name}>
              {name} ({live.logs.get(name)?.length ?? 0} lines)
            </option>
          ))}
        </select>
      </label>
      <pre className="code log" aria-label={`Log of ${instance}`} tabIndex={0} aria-live="off">
        {lines.length === 0 ? (
          <span className="hint">
            No output received since this page opened; the full logs are in the reports.
          </span>
        ) : (
          lines.map((line, i) => (
            <span key={i} className={line.stream === 'stderr' ? 'stderr' : undefined}>
              {line.text}
              {'\n'}
            </span>
          ))
        )}
      </pre>
      {live.events.length > 0 && (
        <details>
          <summary>Events ({live.events.length})</summary>
          <ul className="events">
            {live.events.map((event, i) => (
              <li key={i}>
                <span className="hint">{new Date(event.at).toLocaleTimeString()}</span>{' '}
                {event.instance && <code>{event.instance}</code>} {event.message}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
