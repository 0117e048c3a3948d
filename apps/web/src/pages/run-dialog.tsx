import type { LaunchRunRequest, LaunchRunResponse, ModuleView } from '@slipway/contracts';
import { KeepRunning } from '@slipway/domain';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { problemsOf } from '../api/api-error';
import { useClouds, useProfile } from '../api/queries';
import { useApi } from '../api/session';
import { Dialog } from '../components/dialog';
import { ErrorMessage } from '../components/error-message';
import { Field, messagesAt } from './module/fields';
import { useImageParameters } from './module/nodes-tab';

interface RunDialogProps {
  module: ModuleView;
  onClose(): void;
  onLaunched(runId: string): void;
}

/** Launch-time overrides: multiplicity and parameter values per node, cloud, keep-running, timeout. */
export function RunDialog({ module, onClose, onLaunched }: RunDialogProps) {
  const api = useApi();
  const queryClient = useQueryClient();
  const clouds = useClouds();
  const profile = useProfile();
  const document = module.document;
  const nodes =
    document.kind === 'deployment'
      ? document.nodes.map((node) => ({
          name: node.name,
          image: node.image,
          multiplicity: node.multiplicity,
          mappings: node.mappings,
        }))
      : [
          {
            name: 'machine',
            image: `${module.path}@${module.version}`,
            multiplicity: 1,
            mappings: {} as Record<string, string>,
          },
        ];
  const images = useImageParameters(nodes.map((node) => node.image));
  const [multiplicity, setMultiplicity] = useState<Record<string, string>>(
    Object.fromEntries(nodes.map((node) => [node.name, String(node.multiplicity)])),
  );
  const [values, setValues] = useState<Record<string, Record<string, string>>>({});
  const [cloud, setCloud] = useState('');
  const [keepRunning, setKeepRunning] = useState('');
  const [timeout, setTimeoutMinutes] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const problems = problemsOf(error);

  async function launch(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const request: LaunchRunRequest = { module: `${module.path}@${module.version}` };
    if (document.kind === 'deployment') {
      const changed = nodes.filter((node) => multiplicity[node.name] !== String(node.multiplicity));
      if (changed.length > 0)
        request.multiplicity = Object.fromEntries(
          changed.map((node) => [node.name, Number(multiplicity[node.name])]),
        );
    }
    const parameters = Object.fromEntries(
      Object.entries(values)
        .map(
          ([node, byName]) =>
            [
              node,
              Object.fromEntries(Object.entries(byName).filter(([, value]) => value !== '')),
            ] as const,
        )
        .filter(([, byName]) => Object.keys(byName).length > 0),
    );
    if (Object.keys(parameters).length > 0) request.parameters = parameters;
    if (cloud) request.cloud = cloud;
    if (keepRunning) request.keepRunning = keepRunning as LaunchRunRequest['keepRunning'];
    if (timeout) request.timeoutMinutes = Number(timeout);
    try {
      const { run } = await api.request<LaunchRunResponse>('/api/runs', {
        method: 'POST',
        body: request,
      });
      await queryClient.invalidateQueries({ queryKey: ['runs'] });
      onLaunched(run.id);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={`Run ${module.path}`} onClose={onClose} wide>
      <form className="form run-form" onSubmit={(event) => void launch(event)}>
        {nodes.map((node) => {
          const inputs = (images.get(node.image)?.parameters ?? []).filter(
            (parameter) => parameter.kind === 'input',
          );
          return (
            <fieldset key={node.name} aria-label={`Node ${node.name}`}>
              <legend>
                Node {node.name} <span className="hint">({node.image})</span>
              </legend>
              {document.kind === 'deployment' && (
                <Field
                  label={`Multiplicity of ${node.name}`}
                  problems={messagesAt(
                    problems,
                    ['multiplicity', node.name],
                    ['nodes', node.name, 'multiplicity'],
                  )}
                >
                  {(props) => (
                    <input
                      {...props}
                      type="number"
                      min={0}
                      step={1}
                      className="num"
                      value={multiplicity[node.name] ?? ''}
                      onChange={(e) =>
                        setMultiplicity({ ...multiplicity, [node.name]: e.target.value })
                      }
                    />
                  )}
                </Field>
              )}
              {inputs.map((parameter) => (
                <Field
                  key={parameter.name}
                  label={`${node.name}: ${parameter.name}`}
                  problems={messagesAt(problems, ['parameters', node.name, parameter.name])}
                >
                  {(props) => (
                    <input
                      {...props}
                      placeholder={node.mappings[parameter.name] ?? parameter.default ?? ''}
                      value={values[node.name]?.[parameter.name] ?? ''}
                      onChange={(e) =>
                        setValues({
                          ...values,
                          [node.name]: { ...values[node.name], [parameter.name]: e.target.value },
                        })
                      }
                    />
                  )}
                </Field>
              ))}
            </fieldset>
          );
        })}
        <div className="form-row">
          <Field label="Cloud" problems={messagesAt(problems, ['cloud'])}>
            {(props) => (
              <select {...props} value={cloud} onChange={(e) => setCloud(e.target.value)}>
                <option value="">
                  {profile.data ? `my default (${profile.data.defaultCloud})` : 'my default'}
                </option>
                {(clouds.data ?? [])
                  .filter((c) => c.enabled)
                  .map((c) => (
                    <option key={c.name} value={c.name}>
                      {c.name}
                    </option>
                  ))}
              </select>
            )}
          </Field>
          <Field label="Keep running" problems={messagesAt(problems, ['keepRunning'])}>
            {(props) => (
              <select
                {...props}
                value={keepRunning}
                onChange={(e) => setKeepRunning(e.target.value)}
              >
                <option value="">
                  {profile.data ? `my default (${profile.data.keepRunning})` : 'my default'}
                </option>
                {KeepRunning.options.map((option) => (
                  <option key={option} value={option}>
                    {option}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Timeout (minutes)" problems={messagesAt(problems, ['timeoutMinutes'])}>
            {(props) => (
              <input
                {...props}
                type="number"
                min={1}
                className="num"
                placeholder={profile.data ? String(profile.data.runTimeoutMinutes) : ''}
                value={timeout}
                onChange={(e) => setTimeoutMinutes(e.target.value)}
              />
            )}
          </Field>
        </div>
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Launching…' : 'Run'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
