// A project's webhooks and their deliveries (/portal/projects/{project}/webhooks), and the event types a
// webhook can receive (/portal/webhook-events). The secret is in the answers to create and rotate only.
import { del, get, patch, post } from "./client";

export const ALL_EVENTS = "*";

export interface Webhook {
  id: string;
  url: string;
  events: string[]; // ["*"]: every event type
  enabled: boolean;
  description: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhookWithSecret extends Webhook {
  secret: string;
  previous_secret_expires_at?: string; // after a rotation: the old secret works until then
}

export interface WebhookInput {
  url: string;
  events: string[];
  description?: string | null;
}

export type WebhookChange = Partial<WebhookInput & { enabled: boolean }>;

export interface Delivery {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  status: "pending" | "succeeded" | "dead";
  attempts: number;
  response_code: number | null;
  duration_ms: number | null;
  error: string | null;
  created_at: string;
  last_attempt_at: string | null;
  next_attempt_at: string | null;
}

interface Page<T> {
  data: T[];
}

const base = (project: string) => `/projects/${project}/webhooks`;
const PER_PAGE = 100; // the API's largest page

export const listWebhookEvents = () => get<Page<string>>("/webhook-events").then((page) => page.data);
export const listWebhooks = (project: string) =>
  get<Page<Webhook>>(base(project), { per_page: PER_PAGE }).then((page) => page.data);
export const createWebhook = (project: string, input: WebhookInput) =>
  post<WebhookWithSecret>(base(project), input);
export const changeWebhook = (project: string, webhook: string, change: WebhookChange) =>
  patch<Webhook>(`${base(project)}/${webhook}`, change);
export const rotateSecret = (project: string, webhook: string) =>
  post<WebhookWithSecret>(`${base(project)}/${webhook}/rotate`);
export const deleteWebhook = (project: string, webhook: string) => del(`${base(project)}/${webhook}`);
export const listDeliveries = (project: string, webhook: string) =>
  get<Page<Delivery>>(`${base(project)}/${webhook}/deliveries`, { per_page: PER_PAGE }).then((page) => page.data);
export const redeliver = (project: string, webhook: string, delivery: string) =>
  post<Delivery>(`${base(project)}/${webhook}/deliveries/${delivery}/redeliver`);
