// The one client of the admin API: base URL from the config file, the Cognito ID token as bearer, one
// refresh with the refresh token when an answer is 401, and every failure as an ApiError shaped like the
// API's errors ({status, message, errors}); status 0 means the network failed (no answer at all).
import { plainFieldMessage } from "../words";

export interface Session {
  id_token: string;
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

export type FieldErrors = Record<string, string[]>;

export class ApiError extends Error {
  readonly status: number;
  readonly errors: FieldErrors;

  constructor(status: number, message: string, errors: FieldErrors = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.errors = errors;
  }

  /** The first message for a field, if the API named it, in the Portal's words (words.ts). */
  field(name: string): string | undefined {
    const said = this.errors[name]?.[0];
    return said === undefined ? undefined : plainFieldMessage(said);
  }

  /** True when the API refused the body field by field (a 422 with `errors`). */
  get hasFieldErrors(): boolean {
    return Object.keys(this.errors).length > 0;
  }

  get isNetwork(): boolean {
    return this.status === 0;
  }
}

const SESSION_KEY = "kairos.session";
const NETWORK_MESSAGE = "The Kairos API could not be reached. Check your connection and try again.";

let baseUrl = "";
let refreshing: Promise<boolean> | null = null;
const sessionListeners = new Set<(session: Session | null) => void>();

export function configureClient(portalApiUrl: string): void {
  baseUrl = portalApiUrl;
}

export function currentSession(): Session | null {
  const stored = sessionStorage.getItem(SESSION_KEY);
  if (!stored) return null;
  try {
    return JSON.parse(stored) as Session;
  } catch {
    return null;
  }
}

export function storeSession(session: Session | null): void {
  if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(SESSION_KEY);
  sessionListeners.forEach((listener) => listener(session));
}

/** Called whenever the session changes (log-in, refresh, log-out, or a refresh the API refused). */
export function onSessionChange(listener: (session: Session | null) => void): () => void {
  sessionListeners.add(listener);
  return () => sessionListeners.delete(listener);
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined | null>;
  anonymous?: boolean; // a route called before having a session (register, log in, ...)
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  let answer = await send(method, path, options);
  if (answer.status === 401 && !options.anonymous && (await refreshSession())) {
    answer = await send(method, path, options);
  }
  if (answer.status === 401 && !options.anonymous) storeSession(null);
  return parse<T>(answer);
}

export const get = <T>(path: string, query?: RequestOptions["query"]) => request<T>("GET", path, { query });
export const post = <T>(path: string, body?: unknown) => request<T>("POST", path, { body });
export const patch = <T>(path: string, body?: unknown) => request<T>("PATCH", path, { body });
export const put = <T>(path: string, body?: unknown) => request<T>("PUT", path, { body });
export const del = <T = void>(path: string) => request<T>("DELETE", path);
/** Before a session exists: register, verify, log in, reset a password. */
export const postAnonymous = <T>(path: string, body: unknown) =>
  request<T>("POST", path, { body, anonymous: true });

async function send(method: string, path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const session = currentSession();
  if (session && !options.anonymous) headers.Authorization = `Bearer ${session.id_token}`;
  try {
    return await fetch(baseUrl + path + queryString(options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, NETWORK_MESSAGE);
  }
}

function queryString(query: RequestOptions["query"]): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** One refresh at a time, however many requests met a 401 together. */
function refreshSession(): Promise<boolean> {
  const session = currentSession();
  if (!session?.refresh_token) return Promise.resolve(false);
  refreshing ??= (async () => {
    try {
      const answer = await send("POST", "/session/refresh", {
        body: { refresh_token: session.refresh_token },
        anonymous: true,
      });
      if (!answer.ok) return false;
      const renewed = (await answer.json()) as Partial<Session>;
      storeSession({ ...session, ...renewed, refresh_token: renewed.refresh_token || session.refresh_token });
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

async function parse<T>(answer: Response): Promise<T> {
  const text = await answer.text();
  let body: unknown = undefined;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  if (answer.ok) return body as T;
  const shaped = (body ?? {}) as { message?: unknown; errors?: unknown };
  const message = typeof shaped.message === "string" ? shaped.message : `The request failed (${answer.status}).`;
  const errors = typeof shaped.errors === "object" && shaped.errors !== null ? (shaped.errors as FieldErrors) : {};
  throw new ApiError(answer.status, message, errors);
}
