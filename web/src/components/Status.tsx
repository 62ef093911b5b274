// Loading and error states: a failed load says why and offers to try again.
import type { ReactNode } from "react";
import { Link } from "react-router";
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
  if (error.status === 404) {
    return (
      <div className="error-state" role="alert">
        <p>
          <strong>Not found.</strong> It does not exist (any more), or it is not yours to see.
        </p>
      </div>
    );
  }
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

/** What a screen shows for an address that names nothing the person may open: no form, no action. */
export function NotFoundState({ title, children, back }: { title: string; children: ReactNode; back?: ReactNode }) {
  return (
    <section className="panel empty-state" aria-labelledby="not-found">
      <h1 id="not-found">{title}</h1>
      <p>{children}</p>
      {back ?? (
        <p>
          <Link className="button" to="/">
            Go to your dashboard
          </Link>
        </p>
      )}
    </section>
  );
}
