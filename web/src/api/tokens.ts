// A project's API tokens and the abilities a token can hold (/portal/projects/{project}/tokens).
import { del, get, patch, post } from "./client";

export interface ApiToken {
  id: string;
  name: string;
  abilities: string[];
  created_at: string;
  last_used_at: string | null;
}

export interface TokenList {
  data: ApiToken[];
  cache_seconds: number; // how long the API may keep using a token as it was before a change
}

export interface CreatedToken extends ApiToken {
  token: string; // the value: in this answer only
}

export const listTokens = (project: string) => get<TokenList>(`/projects/${project}/tokens`);
export const createToken = (project: string, name: string, abilities: string[]) =>
  post<CreatedToken>(`/projects/${project}/tokens`, { name, abilities });
export const changeToken = (project: string, token: string, abilities: string[]) =>
  patch<ApiToken>(`/projects/${project}/tokens/${token}`, { abilities });
export const deleteToken = (project: string, token: string) => del(`/projects/${project}/tokens/${token}`);
export const listAbilities = () => get<{ data: string[] }>("/abilities").then((page) => page.data);
