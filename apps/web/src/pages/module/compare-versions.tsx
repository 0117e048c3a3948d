import type { ModuleVersionsResponse } from '@slipway/contracts';
import { formatModuleDocument } from '@slipway/domain';
import { useId, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useModule } from '../../api/queries';
import { ErrorMessage, Loading } from '../../components/error-message';
import { diffLines, foldUnchanged, splitLines, type DiffLine } from './diff-lines';

type VersionItem = ModuleVersionsResponse['versions'][number];

/** `?diff=2..5`, when both are versions of the module; null otherwise. */
function linkedPair(value: string | null, known: Set<number>): [number, number] | null {
  const match = /^(\d+)\.\.(\d+)$/.exec(value ?? '');
  if (!match) return null;
  const pair: [number, number] = [Number(match[1]), Number(match[2])];
  return pair.every((version) => known.has(version)) ? pair : null;
}

/**
 * Two versions of a module side by side as one line diff of their YAML documents. The pair
 * is kept in the address (`?diff=FROM..TO`), so a reload or a shared link shows the same.
 */
export function CompareVersions({ path, versions }: { path: string; versions: VersionItem[] }) {
  const [params, setParams] = useSearchParams();
  const headingId = useId();
  const numbers = versions.map((item) => item.version).sort((a, b) => a - b);
  const latest = numbers.at(-1);
  const previous = numbers.at(-2);
  if (latest === undefined || previous === undefined) {
    return <p className="hint">There is only one version: nothing to compare yet.</p>;
  }
  const linked = params.get('diff');
  const pair = linkedPair(linked, new Set(numbers));
  const [from, to] = pair ?? [previous, latest];

  function choose(nextFrom: number, nextTo: number) {
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        next.set('diff', `${nextFrom}..${nextTo}`);
        return next;
      },
      { replace: true },
    );
  }

  const option = (item: VersionItem) => (
    <option key={item.version} value={item.version}>
      {item.version}
      {item.comment && ` — ${item.comment}`}
    </option>
  );
  return (
    <section className="compare-versions" aria-labelledby={headingId}>
      <h3 id={headingId}>Compare versions</h3>
      {linked !== null && pair === null && (
        <p className="notice" role="status">
          “{linked}” in the address is not two versions of this module; showing {from} and {to}.
        </p>
      )}
      <div className="compare-pickers">
        <label className="inline">
          From
          <select value={from} onChange={(event) => choose(Number(event.target.value), to)}>
            {versions.map(option)}
          </select>
        </label>
        <label className="inline">
          To
          <select value={to} onChange={(event) => choose(from, Number(event.target.value))}>
            {versions.map(option)}
          </select>
        </label>
      </div>
      {from === to ? (
        <p className="hint">Pick two different versions to see what changed.</p>
      ) : (
        <VersionDiff key={`${from}..${to}`} path={path} from={from} to={to} />
      )}
    </section>
  );
}

function VersionDiff({ path, from, to }: { path: string; from: number; to: number }) {
  const before = useModule(path, from);
  const after = useModule(path, to);
  const [unfolded, setUnfolded] = useState(new Set<number>());
  const diff = useMemo(
    () =>
      before.data && after.data
        ? diffLines(
            splitLines(formatModuleDocument(before.data.document)),
            splitLines(formatModuleDocument(after.data.document)),
          )
        : null,
    [before.data, after.data],
  );

  if (before.isError || after.isError) return <ErrorMessage error={before.error ?? after.error} />;
  if (!diff) return <Loading what={`versions ${from} and ${to}`} />;

  const added = diff.filter((line) => line.kind === 'added').length;
  const removed = diff.filter((line) => line.kind === 'removed').length;
  if (added === 0 && removed === 0) {
    return (
      <p className="hint">
        Versions {from} and {to} have the same document.
      </p>
    );
  }
  const caption = `Changes from version ${from} to version ${to}`;
  return (
    <>
      <p className="diff-summary">
        {count(added, 'line')} added, {count(removed, 'line')} removed.
      </p>
      <div className="diff-scroll">
        <table className="table diff">
          <caption className="visually-hidden">{caption}</caption>
          <colgroup>
            <col className="col-line" />
            <col className="col-line" />
            <col className="col-marker" />
            <col />
          </colgroup>
          <thead className="visually-hidden">
            <tr>
              <th scope="col">Line in version {from}</th>
              <th scope="col">Line in version {to}</th>
              <th scope="col">Change</th>
              <th scope="col">Text</th>
            </tr>
          </thead>
          <tbody>
            {foldUnchanged(diff).flatMap((row, index) => {
              if (row.kind !== 'fold') return [<DiffRow key={index} line={row} />];
              if (unfolded.has(index))
                return row.lines.map((line, i) => <DiffRow key={`${index}.${i}`} line={line} />);
              return [
                <tr key={index} className="diff-fold">
                  <td colSpan={4}>
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => setUnfolded(new Set(unfolded).add(index))}
                    >
                      Show {count(row.lines.length, 'unchanged line')}
                    </button>
                  </td>
                </tr>,
              ];
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

const MARKER = { same: ' ', added: '+', removed: '-' } as const;

function DiffRow({ line }: { line: DiffLine }) {
  return (
    <tr className={`diff-${line.kind}`}>
      <td className="num">{line.before}</td>
      <td className="num">{line.after}</td>
      <td className="diff-marker">
        <span aria-hidden="true">{MARKER[line.kind]}</span>
        {line.kind !== 'same' && <span className="visually-hidden">{line.kind}</span>}
      </td>
      <td className="diff-text">{line.text}</td>
    </tr>
  );
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
