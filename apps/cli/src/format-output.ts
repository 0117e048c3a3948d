import type { Problem } from '@slipway/domain';

/** Columns padded to their widest cell; the last one is not padded. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].map((text) => `${text}\n`).join('');
}

/** `FILE:LINE: module path: at: message`, leaving out what is unknown. */
export function formatProblemLine(problem: Problem, file?: string): string {
  const place =
    file === undefined ? undefined : problem.line === undefined ? file : `${file}:${problem.line}`;
  const parts = [
    place,
    problem.module,
    problem.at.length > 0 ? problem.at.join('.') : undefined,
    file === undefined && problem.line !== undefined ? `line ${problem.line}` : undefined,
  ].filter((part) => part !== undefined && part !== '');
  return [...parts, problem.message].join(': ');
}

/** `0:07`, `12:30`, `1:02:03`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const seconds = String(total % 60).padStart(2, '0');
  const minutes = Math.floor(total / 60) % 60;
  const hours = Math.floor(total / 3600);
  return hours > 0
    ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}`
    : `${minutes}:${seconds}`;
}

/** A timestamp in the user's time zone, to the minute: `2025-03-14 09:26`. */
export function formatTime(iso: string | null): string {
  if (iso === null) return '';
  const date = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}`;
}

export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
