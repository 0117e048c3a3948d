import { REQUIRED_CREDENTIAL_FIELDS, type CloudKind } from '@slipway/contracts';
import { KeepRunning } from '@slipway/domain';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { problemsOf } from '../api/api-error';
import { useClouds, useProfile, type CloudItem } from '../api/queries';
import { useApi, useCurrentUser } from '../api/session';
import { ErrorMessage, Loading } from '../components/error-message';
import { Field, messagesAt } from './module/fields';

export function ProfilePage() {
  const user = useCurrentUser();
  return (
    <section>
      <div className="page-title">
        <h1>Profile</h1>
        <p>{user?.email}</p>
      </div>
      <div className="profile-grid">
        <Settings />
        <Quotas />
        <Credentials />
        <Tokens />
      </div>
    </section>
  );
}

function Settings() {
  const api = useApi();
  const queryClient = useQueryClient();
  const profile = useProfile();
  const clouds = useClouds();
  const [edits, setEdits] = useState<{
    defaultCloud?: string;
    keepRunning?: string;
    runTimeoutMinutes?: string;
  }>({});
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  if (profile.isPending)
    return (
      <section className="card">
        <h2>Run settings</h2>
        <Loading what="your profile" />
      </section>
    );
  if (profile.isError)
    return (
      <section className="card">
        <h2>Run settings</h2>
        <ErrorMessage error={profile.error} />
      </section>
    );
  const values = {
    defaultCloud: edits.defaultCloud ?? profile.data.defaultCloud,
    keepRunning: edits.keepRunning ?? profile.data.keepRunning,
    runTimeoutMinutes: edits.runTimeoutMinutes ?? String(profile.data.runTimeoutMinutes),
  };
  const problems = problemsOf(error);

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await api.request('/api/me', {
        method: 'PATCH',
        body: {
          defaultCloud: values.defaultCloud,
          keepRunning: values.keepRunning,
          runTimeoutMinutes: Number(values.runTimeoutMinutes),
        },
      });
      await queryClient.invalidateQueries({ queryKey: ['profile'] });
      setEdits({});
      setSaved(true);
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <section className="card" aria-labelledby="settings">
      <h2 id="settings">Run settings</h2>
      <form className="form" onSubmit={(event) => void save(event)}>
        <Field label="Default cloud" problems={messagesAt(problems, ['defaultCloud'])}>
          {(props) => (
            <select
              {...props}
              value={values.defaultCloud}
              onChange={(e) => setEdits({ ...edits, defaultCloud: e.target.value })}
            >
              {!(clouds.data ?? []).some((c) => c.name === values.defaultCloud) && (
                <option value={values.defaultCloud}>{values.defaultCloud}</option>
              )}
              {(clouds.data ?? []).map((cloud) => (
                <option key={cloud.name} value={cloud.name}>
                  {cloud.name} ({cloud.kind})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Keep machines running" problems={messagesAt(problems, ['keepRunning'])}>
          {(props) => (
            <select
              {...props}
              value={values.keepRunning}
              onChange={(e) => setEdits({ ...edits, keepRunning: e.target.value })}
            >
              {KeepRunning.options.map((option) => (
                <option key={option} value={option}>
                  {option}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Run timeout (minutes)" problems={messagesAt(problems, ['runTimeoutMinutes'])}>
          {(props) => (
            <input
              {...props}
              type="number"
              min={1}
              className="num"
              value={values.runTimeoutMinutes}
              onChange={(e) => setEdits({ ...edits, runTimeoutMinutes: e.target.value })}
            />
          )}
        </Field>
        <ErrorMessage error={error} />
        <div className="actions">
          {saved && <span role="status">Saved.</span>}
          <button type="submit" className="primary">
            Save settings
          </button>
        </div>
      </form>
    </section>
  );
}

function Quotas() {
  const profile = useProfile();
  return (
    <section className="card" aria-labelledby="quotas">
      <h2 id="quotas">Machines in use</h2>
      {profile.isPending && <Loading what="quotas" />}
      {profile.isError && <ErrorMessage error={profile.error} />}
      {profile.data && profile.data.quotas.length === 0 && (
        <p className="empty">No cloud is configured.</p>
      )}
      {profile.data && profile.data.quotas.length > 0 && (
        <table className="table quotas">
          <thead>
            <tr>
              <th scope="col">Cloud</th>
              <th scope="col">In use</th>
              <th scope="col">Quota</th>
            </tr>
          </thead>
          <tbody>
            {profile.data.quotas.map((quota) => (
              <tr key={quota.cloud}>
                <td>{quota.cloud}</td>
                <td className="num">{quota.inUse}</td>
                <td className="num">{quota.max ?? 'no limit'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Credentials() {
  const api = useApi();
  const queryClient = useQueryClient();
  const clouds = useClouds();
  const stored = useQuery({
    queryKey: ['credentials'],
    queryFn: async () =>
      (
        await api.request<{ credentials: { cloud: string; updatedAt: string }[] }>(
          '/api/me/credentials',
        )
      ).credentials,
  });
  const [cloudName, setCloudName] = useState('');
  const [fields, setFields] = useState<{ name: string; value: string }[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [rowError, setRowError] = useState<{ cloud: string; error: unknown } | null>(null);
  const cloud = (clouds.data ?? []).find((c) => c.name === cloudName);

  function chooseCloud(name: string, all: CloudItem[]) {
    setCloudName(name);
    const kind = all.find((c) => c.name === name)?.kind as CloudKind | undefined;
    const required = kind ? (REQUIRED_CREDENTIAL_FIELDS[kind] ?? []) : [];
    setFields(
      required.length > 0
        ? required.map((field) => ({ name: field, value: '' }))
        : [{ name: '', value: '' }],
    );
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const body = Object.fromEntries(
        fields
          .filter((field) => field.name.trim())
          .map((field) => [field.name.trim(), field.value]),
      );
      await api.request(`/api/me/credentials/${encodeURIComponent(cloudName)}`, {
        method: 'PUT',
        body,
      });
      await queryClient.invalidateQueries({ queryKey: ['credentials'] });
      setFields(fields.map((field) => ({ ...field, value: '' })));
    } catch (failure) {
      setError(failure);
    }
  }

  async function remove(name: string) {
    setRowError(null);
    try {
      await api.request(`/api/me/credentials/${encodeURIComponent(name)}`, { method: 'DELETE' });
      await queryClient.invalidateQueries({ queryKey: ['credentials'] });
    } catch (failure) {
      setRowError({ cloud: name, error: failure });
    }
  }

  return (
    <section className="card" aria-labelledby="credentials">
      <h2 id="credentials">Cloud credentials</h2>
      <p className="hint">Stored encrypted; Slipway never shows them again.</p>
      {stored.isPending && <Loading what="credentials" />}
      {stored.isError && <ErrorMessage error={stored.error} />}
      {stored.data && stored.data.length === 0 && <p className="empty">No credentials stored.</p>}
      {stored.data && stored.data.length > 0 && (
        <ul className="credentials">
          {stored.data.map((entry) => (
            <li key={entry.cloud}>
              <strong>{entry.cloud}</strong>{' '}
              <span className="hint">set {new Date(entry.updatedAt).toLocaleString()}</span>{' '}
              <button type="button" onClick={() => void remove(entry.cloud)}>
                Delete credentials for {entry.cloud}
              </button>
              {rowError?.cloud === entry.cloud && <ErrorMessage error={rowError.error} />}
            </li>
          ))}
        </ul>
      )}
      <form className="form" onSubmit={(event) => void save(event)}>
        <label>
          Cloud
          <select
            value={cloudName}
            onChange={(e) => chooseCloud(e.target.value, clouds.data ?? [])}
          >
            <option value="">choose a cloud</option>
            {(clouds.data ?? []).map((c) => (
              <option key={c.name} value={c.name}>
                {c.name} ({c.kind})
              </option>
            ))}
          </select>
        </label>
        {cloud &&
          fields.map((field, i) => (
            <div className="row" key={i}>
              <input
                aria-label={`Credential field ${i + 1} name`}
                value={field.name}
                placeholder="accessKeyId"
                onChange={(e) =>
                  setFields(fields.map((f, j) => (j === i ? { ...f, name: e.target.value } : f)))
                }
              />
              <input
                aria-label={`${field.name || `Credential field ${i + 1}`} value`}
                type="password"
                autoComplete="off"
                value={field.value}
                onChange={(e) =>
                  setFields(fields.map((f, j) => (j === i ? { ...f, value: e.target.value } : f)))
                }
              />
            </div>
          ))}
        {cloud && (
          <button type="button" onClick={() => setFields([...fields, { name: '', value: '' }])}>
            Add field
          </button>
        )}
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={!cloud}>
            Save credentials
          </button>
        </div>
      </form>
    </section>
  );
}

interface Token {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

function Tokens() {
  const api = useApi();
  const queryClient = useQueryClient();
  const tokens = useQuery({
    queryKey: ['tokens'],
    queryFn: async () => (await api.request<{ tokens: Token[] }>('/api/me/tokens')).tokens,
  });
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [revokeError, setRevokeError] = useState<{ id: string; error: unknown } | null>(null);

  async function create(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const token = await api.request<Token & { token: string }>('/api/me/tokens', {
        method: 'POST',
        body: { name },
      });
      setCreated(token.token);
      setName('');
      await queryClient.invalidateQueries({ queryKey: ['tokens'] });
    } catch (failure) {
      setError(failure);
    }
  }

  async function revoke(id: string) {
    setRevokeError(null);
    try {
      await api.request(`/api/me/tokens/${id}`, { method: 'DELETE' });
      await queryClient.invalidateQueries({ queryKey: ['tokens'] });
    } catch (failure) {
      setRevokeError({ id, error: failure });
    }
  }

  return (
    <section className="card" aria-labelledby="tokens">
      <h2 id="tokens">API tokens</h2>
      <p className="hint">For the CLI and CI: SLIPWAY_TOKEN=…</p>
      {tokens.isPending && <Loading what="tokens" />}
      {tokens.isError && <ErrorMessage error={tokens.error} />}
      {tokens.data && tokens.data.length === 0 && <p className="empty">No API token.</p>}
      {tokens.data && tokens.data.length > 0 && (
        <ul className="tokens">
          {tokens.data.map((token) => (
            <li key={token.id}>
              <strong>{token.name}</strong>{' '}
              <span className="hint">
                created {new Date(token.createdAt).toLocaleDateString()}
                {token.lastUsedAt
                  ? `, last used ${new Date(token.lastUsedAt).toLocaleString()}`
                  : ', never used'}
              </span>{' '}
              <button type="button" onClick={() => void revoke(token.id)}>
                Revoke {token.name}
              </button>
              {revokeError?.id === token.id && <ErrorMessage error={revokeError.error} />}
            </li>
          ))}
        </ul>
      )}
      {created && (
        <div className="notice" role="status">
          <p>Copy this token now; it is not shown again:</p>
          <code className="token" aria-label="New API token">
            {created}
          </code>
        </div>
      )}
      <form className="form inline-form" onSubmit={(event) => void create(event)}>
        <label>
          Token name
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit">Create token</button>
        <ErrorMessage error={error} />
      </form>
    </section>
  );
}
