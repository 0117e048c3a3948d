interface AuthorizationTabProps {
  publicRead: boolean;
  editing: boolean;
  onChange(publicRead: boolean): void;
}

export function AuthorizationTab({ publicRead, editing, onChange }: AuthorizationTabProps) {
  return (
    <div className="tab-content">
      <table className="table authorization">
        <thead>
          <tr>
            <th scope="col">Who</th>
            <th scope="col">Read</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Owner</th>
            <td>
              <input type="checkbox" checked disabled aria-label="Owner can read" />
            </td>
          </tr>
          <tr>
            <th scope="row">Public</th>
            <td>
              <input
                type="checkbox"
                aria-label="Public read"
                checked={publicRead}
                disabled={!editing}
                onChange={(event) => onChange(event.target.checked)}
              />
            </td>
          </tr>
        </tbody>
      </table>
      <p className="hint">
        {publicRead
          ? 'Anyone with an account can see and run this module (on their own clouds).'
          : 'Only you can see this module.'}
      </p>
    </div>
  );
}
