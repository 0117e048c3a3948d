import { useId, type ReactNode } from 'react';
import { problemsAt, type Problem } from '../../api/api-error';
import { FieldProblems } from '../../components/error-message';

export interface TabProps<D> {
  draft: D;
  editing: boolean;
  onChange(draft: D): void;
  problems: Problem[];
}

export function messagesAt(problems: Problem[], ...prefixes: (string | number)[][]): string[] {
  return problemsAt(problems, ...prefixes).map((problem) => problem.message);
}

interface FieldProps {
  label: ReactNode;
  problems?: string[];
  hint?: ReactNode;
  children(props: { id: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string }): ReactNode;
}

/** A labelled control with its problems right under it. */
export function Field({ label, problems = [], hint, children }: FieldProps) {
  const id = useId();
  const problemId = `${id}-problems`;
  const invalid = problems.length > 0;
  return (
    <div className={invalid ? 'field invalid' : 'field'}>
      <label htmlFor={id}>
        {label}
        {hint && <span className="hint"> {hint}</span>}
      </label>
      {children({
        id,
        ...(invalid && { 'aria-invalid': true, 'aria-describedby': problemId }),
      })}
      <FieldProblems messages={problems} id={problemId} />
    </div>
  );
}

/**
 * A script: monospace, no spell check, no soft wrap, grows with its text. Tab is not taken
 * over for indenting: as in every other field it moves the focus on, so the keyboard never
 * gets stuck in the editor (indent with spaces).
 */
export function CodeEditor(props: {
  id?: string;
  value: string;
  onChange(value: string): void;
  readOnly?: boolean;
  'aria-label'?: string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}) {
  const { value, onChange, readOnly, ...rest } = props;
  const rows = Math.min(30, Math.max(6, value.split('\n').length + 1));
  return (
    <textarea
      {...rest}
      className="code"
      spellCheck={false}
      autoCapitalize="off"
      autoCorrect="off"
      wrap="off"
      rows={rows}
      value={value}
      readOnly={readOnly}
      onChange={(event) => onChange(event.target.value)}
    />
  );
}

export function CodeView({ text, label }: { text: string; label: string }) {
  return (
    <pre className="code" aria-label={label} tabIndex={0}>
      {text}
    </pre>
  );
}
