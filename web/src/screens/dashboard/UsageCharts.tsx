// The daily series as charts (Chart.js): requests, average processing time, webhook requests. Readable at
// any amount of data: the days sit between the axis' ends (a lone day is not a dot on the edge), points are
// drawn (one sample is visible), the scale has headroom and whole steps, a bar of any value is at least a
// few pixels tall, and a range without a request says so instead of drawing empty axes.
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
    x: { offset: true, grid: { display: false }, ticks: { maxTicksLimit: 7, maxRotation: 0, color: "#6b7280" } },
    y: {
      beginAtZero: true,
      grace: "10%",
      suggestedMax: 4, // 1 request is a quarter of the height, not all of it
      ticks: { precision: 0, color: "#6b7280", maxTicksLimit: 5 },
      grid: { color: "#eef0f4" },
    },
  },
});

interface ChartPanelProps {
  title: string;
  unit: string; // in the tooltip: "3 requests"
  kind: "bar" | "line";
  labels: string[];
  values: (number | null)[];
  colour: string;
}

function ChartPanel({ title, unit, kind, labels, values, colour }: ChartPanelProps) {
  const known = values.filter((v): v is number => v !== null);
  const label = `${title}, ${values.length} days, highest ${formatNumber(known.length ? Math.max(...known) : 0)}`;
  return (
    <figure className="panel chart">
      <figcaption>{title}</figcaption>
      <div className="chart__canvas">
        {kind === "bar" ? (
          <Bar
            role="img"
            aria-label={label}
            options={options(unit) as ChartOptions<"bar">}
            data={{
              labels,
              datasets: [
                { data: values, backgroundColor: colour, borderRadius: 3, maxBarThickness: 28, minBarLength: 3, barPercentage: 0.8 },
              ],
            }}
          />
        ) : (
          <Line
            role="img"
            aria-label={label}
            options={options(unit) as ChartOptions<"line">}
            data={{
              labels,
              datasets: [
                {
                  data: values,
                  borderColor: colour,
                  backgroundColor: ACCENT_SOFT,
                  pointBackgroundColor: colour,
                  fill: true,
                  spanGaps: true,
                  tension: 0.3,
                  pointRadius: 4,
                  pointHoverRadius: 6,
                },
              ],
            }}
          />
        )}
      </div>
    </figure>
  );
}

const SERIES: (Omit<ChartPanelProps, "labels" | "values"> & { value: (day: UsageDay) => number | null })[] = [
  { title: "API requests per day", unit: "requests", kind: "bar", colour: ACCENT, value: (d) => d.requests },
  {
    title: "Average processing time (ms)",
    unit: "ms",
    kind: "line",
    colour: ACCENT,
    value: (d) => d.average_processing_time_ms,
  },
  {
    title: "Webhook requests per day",
    unit: "webhook requests",
    kind: "bar",
    colour: TEAL,
    value: (d) => d.webhook_delivery_attempts,
  },
];

export function UsageCharts({ days }: { days: UsageDay[] }) {
  const labels = days.map((day) => formatDay(day.date, true));
  if (days.every((day) => day.requests === 0 && day.webhook_delivery_attempts === 0)) {
    return (
      <div className="panel empty-state chart-empty">
        <h3>No requests in this range</h3>
        <p>
          API requests and webhook deliveries of these days show here as daily charts. Choose a longer range, or make
          a request with one of your tokens.
        </p>
      </div>
    );
  }
  return (
    <div className="chart-grid">
      {SERIES.map(({ value, ...series }) => (
        <ChartPanel key={series.title} {...series} labels={labels} values={days.map(value)} />
      ))}
    </div>
  );
}
