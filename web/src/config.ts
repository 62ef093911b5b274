// The deployment's settings, read once at start from /config.json: the local server answers it from the
// running stack, the deployed stack writes it into the site's bucket. One build serves every deployment.
import { createContext, useContext } from "react";

export interface PortalConfig {
  api_url: string; // the public API's base, ends in /v1 (for the "Your first request" curl)
  portal_api_url: string; // the admin API's base, ends in /portal (the only API the app calls)
  region: string;
  user_pool_id: string;
  user_pool_client_id: string;
}

const KEYS: (keyof PortalConfig)[] = [
  "api_url",
  "portal_api_url",
  "region",
  "user_pool_id",
  "user_pool_client_id",
];

export async function loadConfig(): Promise<PortalConfig> {
  const answer = await fetch("/config.json", { cache: "no-store" });
  if (!answer.ok) throw new Error(`/config.json answered ${answer.status}`);
  const body: unknown = await answer.json();
  if (typeof body !== "object" || body === null) throw new Error("/config.json is not an object");
  const found = body as Record<string, unknown>;
  const missing = KEYS.filter((key) => typeof found[key] !== "string");
  if (missing.length) throw new Error(`/config.json lacks ${missing.join(", ")}`);
  return Object.fromEntries(KEYS.map((key) => [key, String(found[key]).replace(/\/+$/, "")])) as unknown as PortalConfig;
}

export const ConfigContext = createContext<PortalConfig | null>(null);

export function useConfig(): PortalConfig {
  const config = useContext(ConfigContext);
  if (!config) throw new Error("useConfig outside ConfigContext");
  return config;
}
