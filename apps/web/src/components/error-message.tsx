import { ApiError } from '../api/api-error';

/** The API's safe message (and its problems), shown next to what caused it. */
export function ErrorMessage({ error, id }: { error: unknown; id?: string }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const problems = error instanceof ApiError ? error.problems : [];
  return (
    <div className="error" role="alert" id={id}>
      <p>{message}</p>
      {problems.length > 0 && (
        <ul>
          {problems.map((problem, i) => (
            <li key={i}>
              {problem.at.length > 0 && <code>{problem.at.join('.')}</code>} {problem.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Problems about one field, under that field. */
export function FieldProblems({ messages, id }: { messages: string[]; id?: string }) {
  if (messages.length === 0) return null;
  return (
    <ul className="field-problems" id={id} role="alert">
      {messages.map((message, i) => (
        <li key={i}>{message}</li>
      ))}
    </ul>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}
