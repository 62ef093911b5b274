// The public API's reference in the Portal: the OpenAPI document the API serves (<api_url>/openapi.json,
// the same as docs/openapi.json) rendered by Swagger UI (swagger-ui-dist, from npm). The renderer is a chunk
// of its own, loaded when this screen opens, so no other screen carries its weight.
import { lazy, Suspense } from "react";
import { Loading } from "../components/Status";
import { useConfig } from "../config";

const SwaggerView = lazy(() => import("./reference/SwaggerView"));

export function ApiReference() {
  const { api_url } = useConfig();
  return (
    <>
      <header className="page-header">
        <h1>API reference</h1>
        <p className="muted">
          Every endpoint of the Kairos API at <code>{api_url}</code>, its parameters, bodies and answers. Send{" "}
          <code>Authorization: Bearer &lt;token&gt;</code> with a token from a project's API Tokens.
        </p>
      </header>
      <section className="panel reference" aria-label="Endpoints">
        <Suspense fallback={<Loading label="Loading the reference…" />}>
          <SwaggerView url={`${api_url}/openapi.json`} />
        </Suspense>
      </section>
    </>
  );
}
