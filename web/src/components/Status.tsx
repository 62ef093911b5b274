// Loading and error states: a failed load says why and offers to try again.
import type { ReactNode } from "react";
import type { ApiError } from "../api/client";
import type { Resource } from "../hooks";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: ApiError; onRetry: () => void }) {
  return (
    <div className="error-state" role="alert">
      <p>
        <strong>{error.isNetwork ? "Could not load this." : "Something went wrong."}</strong> {error.message}
      </p>
      <button type="button" className="button" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}

/** The resource's content once loaded; until then its loading or error state. */
export function Loaded<T>({ resource, children }: { resource: Resource<T>; children: (data: T) => ReactNode }) {
  if (resource.error) return <ErrorState error={resource.error} onRetry={resource.reload} />;
  if (resource.data === undefined) return <Loading />;
  return <>{children(resource.data)}</>;
}
