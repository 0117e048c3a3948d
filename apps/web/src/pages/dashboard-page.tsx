import { RunsList } from '../components/runs-list';

export function DashboardPage() {
  return (
    <section>
      <div className="page-title">
        <h1>Dashboard</h1>
      </div>
      <RunsList />
    </section>
  );
}
