import { TARGET_NAMES, type TargetName } from '@slipway/domain';
import { useState } from 'react';
import type { ImageDraft } from './draft';
import { CodeEditor, CodeView, Field, messagesAt, type TabProps } from './fields';

const DESCRIPTIONS: Record<TargetName, string> = {
  execute: 'runs on every machine of the run, ancestors first',
  report: 'runs before the report is uploaded; copy files to $SLIPSTREAM_REPORT_DIR',
  onvmadd: 'runs when machines are added',
  onvmremove: 'runs when machines are removed',
};

export function TargetsTab({ draft, editing, onChange, problems }: TabProps<ImageDraft>) {
  const defined = TARGET_NAMES.filter((name) => draft.targets[name] !== undefined);
  const missing = TARGET_NAMES.filter((name) => draft.targets[name] === undefined);
  const [toAdd, setToAdd] = useState<TargetName | ''>('');
  const adding = toAdd && missing.includes(toAdd) ? toAdd : (missing[0] ?? '');

  function setTarget(name: TargetName, script: string | undefined) {
    const targets = { ...draft.targets };
    if (script === undefined) delete targets[name];
    else targets[name] = script;
    onChange({ ...draft, targets });
  }

  if (!editing) {
    return (
      <div className="tab-content">
        {defined.map((name) => (
          <section key={name} aria-label={`Target ${name}`}>
            <h3>{name}</h3>
            <CodeView text={draft.targets[name] ?? ''} label={`${name} script`} />
          </section>
        ))}
      </div>
    );
  }

  return (
    <div className="tab-content">
      {defined.length === 0 && (
        <p className="hint">No target yet: add execute to run a script on every machine.</p>
      )}
      {defined.map((name) => (
        <section key={name} aria-label={`Target ${name}`} className="target">
          <Field
            label={name}
            hint={`— ${DESCRIPTIONS[name]}`}
            problems={messagesAt(problems, ['targets', name])}
          >
            {(props) => (
              <CodeEditor
                {...props}
                value={draft.targets[name] ?? ''}
                onChange={(script) => setTarget(name, script)}
              />
            )}
          </Field>
          <button type="button" onClick={() => setTarget(name, undefined)}>
            Remove target {name}
          </button>
        </section>
      ))}
      {missing.length > 0 && (
        <div className="add-row">
          <label>
            Target
            <select value={adding} onChange={(e) => setToAdd(e.target.value as TargetName)}>
              {missing.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={() => adding && setTarget(adding, '#!/bin/sh -xe\n')}>
            Add Target
          </button>
        </div>
      )}
    </div>
  );
}
