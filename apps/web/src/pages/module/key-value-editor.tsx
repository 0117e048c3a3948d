import type { Problem } from '../../api/api-error';
import { FieldProblems } from '../../components/error-message';
import { messagesAt } from './fields';

interface KeyValueEditorProps {
  label: string;
  keyLabel: string;
  values: Record<string, string>;
  onChange(values: Record<string, string>): void;
  problems: Problem[];
  at: string;
}

/** Rows of cloud → value; the order of entries is kept while a key is being typed. */
export function KeyValueEditor({
  label,
  keyLabel,
  values,
  onChange,
  problems,
  at,
}: KeyValueEditorProps) {
  const entries = Object.entries(values);
  function update(index: number, key: string, value: string) {
    const next = entries.map((entry, i) =>
      i === index ? ([key, value] as [string, string]) : entry,
    );
    onChange(Object.fromEntries(next));
  }
  return (
    <div className="key-values">
      {entries.map(([key, value], index) => (
        <div className="row" key={index}>
          <input
            aria-label={`${keyLabel} ${index + 1}`}
            value={key}
            onChange={(e) => update(index, e.target.value, value)}
          />
          <input
            aria-label={`${label} ${index + 1}`}
            value={value}
            onChange={(e) => update(index, key, e.target.value)}
          />
          <button
            type="button"
            onClick={() => onChange(Object.fromEntries(entries.filter((_, i) => i !== index)))}
          >
            Remove
          </button>
          <FieldProblems messages={messagesAt(problems, [at, key])} />
        </div>
      ))}
      <button type="button" disabled={'' in values} onClick={() => onChange({ ...values, '': '' })}>
        Add {label.toLowerCase()}
      </button>
      <FieldProblems messages={messagesAt(problems, [at]).filter(() => entries.length === 0)} />
    </div>
  );
}
