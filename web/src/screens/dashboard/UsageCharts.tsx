// The daily series as charts (Chart.js): requests, average processing time, webhook requests.
import {
  BarElement,
  CategoryScale,
  Chart as ChartJS,
  Filler,
  LinearScale,
  LineElement,
  PointElement,
  Tooltip,
  type ChartOptions,
} from "chart.js";
import { Bar, Line } from "react-chartjs-2";
import type { UsageDay } from "../../api/dashboard";
import { formatDay, formatNumber } from "../../format";

ChartJS.register(CategoryScale, LinearScale, BarElement, LineElement, PointElement, Tooltip, Filler);

const ACCENT = "#4f46e5";
const ACCENT_SOFT = "rgba(79, 70, 229, 0.12)";
const TEAL = "#0d9488";

const options = (unit: string): ChartOptions<"bar" | "line"> => ({
  responsive: true,
  maintainAspectRatio: false,
  animation: false,
  plugins: {
    legend: { display: false },
    tooltip: { callbacks: { label: (item) => `${formatNumber(Number(item.raw ?? 0))} ${unit}` } },
  },
  scales: {
    x: { grid: { display: false }, ticks: { maxTicksLimit: 8, color: "#6b7280" } },
    y: { beginAtZero: true, ticks: { precision: 0, color: "#6b7280" }, grid: { color: "#eef0f4" } },
  },
});

function summary(title: string, days: UsageDay[], value: (day: UsageDay) => number | null): string {
  const values = days.map(value).filter((v): v is number => v !== null);
  const highest = values.length ? Math.max(...values) : 0;
  return `${title}, ${days.length} days, highest ${formatNumber(highest)}`;
}

export function UsageCharts({ days }: { days: UsageDay[] }) {
  const labels = days.map((day) => formatDay(day.date, true));
  return (
    <div className="chart-grid">
      <figure className="panel chart">
        <figcaption>API requests per day</figcaption>
        <div className="chart__canvas">
          <Bar
            role="img"
            aria-label={summary("API requests per day", days, (d) => d.requests)}
            options={options("requests") as ChartOptions<"bar">}
            data={{
              labels,
              datasets: [{ data: days.map((d) => d.requests), backgroundColor: ACCENT, borderRadius: 3, maxBarThickness: 24 }],
            }}
          />
        </div>
      </figure>
      <figure className="panel chart">
        <figcaption>Average processing time (ms)</figcaption>
        <div className="chart__canvas">
          <Line
            role="img"
            aria-label={summary("Average processing time in milliseconds", days, (d) => d.average_processing_time_ms)}
            options={options("ms") as ChartOptions<"line">}
            data={{
              labels,
              datasets: [
                {
                  data: days.map((d) => d.average_processing_time_ms),
                  borderColor: ACCENT,
                  backgroundColor: ACCENT_SOFT,
                  fill: true,
                  spanGaps: true,
                  tension: 0.3,
                  pointRadius: 2,
                },
              ],
            }}
          />
        </div>
      </figure>
      <figure className="panel chart">
        <figcaption>Webhook requests per day</figcaption>
        <div className="chart__canvas">
          <Bar
            role="img"
            aria-label={summary("Webhook requests per day", days, (d) => d.webhook_delivery_attempts)}
            options={options("webhook requests") as ChartOptions<"bar">}
            data={{
              labels,
              datasets: [
                { data: days.map((d) => d.webhook_delivery_attempts), backgroundColor: TEAL, borderRadius: 3, maxBarThickness: 24 },
              ],
            }}
          />
        </div>
      </figure>
    </div>
  );
}
