import { useSearchParams } from "react-router";
import { getDashboard } from "../api/dashboard";
import { Loaded } from "../components/Status";
import { formatDay } from "../format";
import { useResource } from "../hooks";
import { useProjectId } from "../projects";
import { PROJECT, projectPath } from "../paths";
import { FirstRequest } from "./dashboard/FirstRequest";
import { lastDays, RangePicker, type DayRange } from "./dashboard/RangePicker";
import { UsageCharts } from "./dashboard/UsageCharts";
import { UsageFigures } from "./dashboard/UsageFigures";
import { Welcome } from "./dashboard/Welcome";

const DEFAULT_DAYS = 30;

export function Dashboard() {
  const project = useProjectId();
  const [params, setParams] = useSearchParams();
  const fallback = lastDays(DEFAULT_DAYS);
  const range: DayRange = { from: params.get("from") ?? fallback.from, to: params.get("to") ?? fallback.to };
  const dashboard = useResource(() => getDashboard(project, range.from, range.to), [project, range.from, range.to]);

  const tokensPath = projectPath(project, `${PROJECT}/tokens`);
  // Before the project's first request, the way to make it comes first.
  const fresh = dashboard.data?.quota.used === 0 && dashboard.data.totals.requests === 0;

  return (
    <>
      <Welcome />
      {fresh && <FirstRequest tokensPath={tokensPath} />}
      <section aria-labelledby="usage">
        <div className="section-header">
          <div>
            <h2 id="usage">API usage</h2>
            <p className="muted">
              From {formatDay(range.from)} to {formatDay(range.to)}
            </p>
          </div>
          <RangePicker key={`${range.from}/${range.to}`} range={range} onChange={(next) => setParams({ ...next })} />
        </div>
        <div aria-busy={dashboard.loading} className={dashboard.loading ? "refreshing" : undefined}>
          <Loaded resource={dashboard}>
            {(data) => (
              <>
                <UsageFigures dashboard={data} />
                <UsageCharts days={data.data} />
              </>
            )}
          </Loaded>
        </div>
      </section>
      {dashboard.data && !fresh && <FirstRequest tokensPath={tokensPath} />}
    </>
  );
}
