import { parentProjectPath } from '@slipway/domain';
import { useState } from 'react';
import { Link } from 'react-router';
import { ModuleChooser } from '../../components/module-chooser';
import type { ImageDraft } from './draft';
import { Field, messagesAt, type TabProps } from './fields';
import { KeyValueEditor } from './key-value-editor';

export function ReferenceTab({ draft, editing, onChange, problems }: TabProps<ImageDraft>) {
  const [choosing, setChoosing] = useState(false);
  const parent = draft.parent ?? '';
  if (!editing) {
    return (
      <div className="tab-content">
        <dl className="facts">
          <dt>Reference image</dt>
          <dd>
            {parent ? (
              <Link to={`/modules/${parent.split('@')[0]}`}>{parent}</Link>
            ) : (
              'none: this is a base image'
            )}
          </dd>
          {Object.entries(draft.cloudImageIds).map(([cloud, id]) => (
            <FactPair key={`id-${cloud}`} term={`Image id on ${cloud}`} value={id} />
          ))}
          {Object.entries(draft.instanceType).map(([cloud, type]) => (
            <FactPair key={`type-${cloud}`} term={`Instance type on ${cloud}`} value={type} />
          ))}
        </dl>
      </div>
    );
  }
  return (
    <div className="tab-content">
      <Field
        label="Reference image"
        hint="(path or path@version; empty for a base image)"
        problems={messagesAt(problems, ['parent'])}
      >
        {(props) => (
          <div className="input-with-button">
            <input
              {...props}
              value={parent}
              onChange={(e) => onChange({ ...draft, parent: e.target.value })}
            />
            <button type="button" onClick={() => setChoosing(true)}>
              Choose Reference
            </button>
          </div>
        )}
      </Field>
      <h3>Image ids per cloud</h3>
      <p className="hint">Only base images need one; built images record theirs.</p>
      <KeyValueEditor
        label="Image id"
        keyLabel="Cloud"
        values={draft.cloudImageIds}
        onChange={(cloudImageIds) => onChange({ ...draft, cloudImageIds })}
        problems={problems}
        at="cloudImageIds"
      />
      <h3>Instance type per cloud</h3>
      <KeyValueEditor
        label="Instance type"
        keyLabel="Cloud"
        values={draft.instanceType}
        onChange={(instanceType) => onChange({ ...draft, instanceType })}
        problems={problems}
        at="instanceType"
      />
      {choosing && (
        <ModuleChooser
          title="Choose the reference image"
          startAt={parent ? parentProjectPath(parent.split('@')[0] ?? '') : null}
          onClose={() => setChoosing(false)}
          onSelect={(path) => {
            onChange({ ...draft, parent: path });
            setChoosing(false);
          }}
        />
      )}
    </div>
  );
}

function FactPair({ term, value }: { term: string; value: string }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>
        <code>{value}</code>
      </dd>
    </>
  );
}
