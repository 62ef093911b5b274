// The range's figures: API requests against the plan's monthly allowance, average processing time,
// webhook requests.
import type { Dashboard } from "../../api/dashboard";
import { formatDuration, formatNumber } from "../../format";

export function UsageFigures({ dashboard }: { dashboard: Dashboard }) {
  const { totals, plan, quota } = dashboard;
  const allowance = plan.requests_per_month;
  const share = allowance ? Math.min(100, (totals.requests / allowance) * 100) : 0;
  return (
    <dl className="figures">
      <div className="figure panel">
        <dt>API requests</dt>
        <dd>
          <span className="figure__value" data-testid="api-requests">
            {formatNumber(totals.requests)} / {allowance === null ? "unlimited" : formatNumber(allowance)}
          </span>
          {allowance !== null && (
            <span className="meter" aria-hidden="true">
              <span className="meter__fill" style={{ width: `${share}%` }} />
            </span>
          )}
          <span className="figure__note">
            {plan.name} plan · this month {formatNumber(quota.used)} used
            {quota.remaining !== null && `, ${formatNumber(quota.remaining)} left`}
          </span>
        </dd>
      </div>
      <div className="figure panel">
        <dt>Average processing time</dt>
        <dd>
          <span className="figure__value">{formatDuration(totals.average_processing_time_ms)}</span>
          <span className="figure__note">per API request in this range</span>
        </dd>
      </div>
      <div className="figure panel">
        <dt>Webhook requests</dt>
        <dd>
          <span className="figure__value">{formatNumber(totals.webhook_delivery_attempts)}</span>
          <span className="figure__note">delivery attempts in this range</span>
        </dd>
      </div>
    </dl>
  );
}
