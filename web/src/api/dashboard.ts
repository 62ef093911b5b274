// The project's usage between two dates: daily series, totals, plan and this month's quota
// (/portal/projects/{project}/dashboard).
import { get } from "./client";

export interface UsageDay {
  date: string; // YYYY-MM-DD
  requests: number;
  average_processing_time_ms: number | null;
  webhook_delivery_attempts: number;
}

export interface Dashboard {
  data: UsageDay[];
  totals: Omit<UsageDay, "date">;
  plan: { name: string; requests_per_month: number | null; requests_per_minute: number | null };
  quota: { month: string; used: number; remaining: number | null };
}

export const getDashboard = (project: string, from?: string, to?: string) =>
  get<Dashboard>(`/projects/${project}/dashboard`, { from, to });
