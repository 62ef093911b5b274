// Loading data and running actions against the admin API, with their loading and error states.
import { useCallback, useEffect, useRef, useState, type DependencyList } from "react";
import { ApiError } from "./api/client";

export interface Resource<T> {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
  setData: (data: T) => void;
}

const asApiError = (error: unknown): ApiError =>
  error instanceof ApiError ? error : new ApiError(0, error instanceof Error ? error.message : String(error));

/** Loads when `deps` change (and on reload); an answer to an older load is dropped. */
export function useResource<T>(load: () => Promise<T>, deps: DependencyList): Resource<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [round, setRound] = useState(0);

  useEffect(() => {
    let current = true;
    setLoading(true);
    setError(null);
    load().then(
      (loaded) => {
        if (!current) return;
        setData(loaded);
        setLoading(false);
      },
      (failure: unknown) => {
        if (!current) return;
        setError(asApiError(failure));
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
    // `load` is a new function on every render: `deps` say when to load again.
  }, [...deps, round]);

  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { data, error, loading, reload, setData };
}

export interface Action<A extends unknown[], T> {
  run: (...args: A) => Promise<T | undefined>;
  busy: boolean;
  error: ApiError | null;
  clear: () => void;
}

/** A submit: busy while it runs, its ApiError kept for the form (field errors, message); resolves to
 * undefined when it failed. */
export function useAction<A extends unknown[], T>(action: (...args: A) => Promise<T>): Action<A, T> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const latest = useRef(action);
  latest.current = action;

  const run = useCallback(async (...args: A) => {
    setBusy(true);
    setError(null);
    try {
      return await latest.current(...args);
    } catch (failure) {
      setError(asApiError(failure));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  const clear = useCallback(() => setError(null), []);
  return { run, busy, error, clear };
}

/** Loads again every `ms` while `active` and the tab is visible: a list that follows new entries. */
export function useFollow(reload: () => void, ms: number, active: boolean): void {
  useEffect(() => {
    if (!active) return;
    const timer = window.setInterval(() => document.visibilityState === "visible" && reload(), ms);
    return () => window.clearInterval(timer);
  }, [reload, ms, active]);
}

/** The document's title while a screen shows. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Kairos Portal`;
  }, [title]);
}
