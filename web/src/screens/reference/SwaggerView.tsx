// Swagger UI drawn into its own element. Under the Portal's content security policy: its stylesheet is
// a file of the build (no inline style element), no validator badge (an image from another site), and the
// document comes from the API's origin, which connect-src allows.
import { useEffect, useRef } from "react";
import SwaggerUI from "swagger-ui-dist/swagger-ui-es-bundle.js";
import "swagger-ui-dist/swagger-ui.css";

export default function SwaggerView({ url }: { url: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!host.current) return;
    const root = host.current;
    SwaggerUI({
      domNode: root,
      url,
      validatorUrl: null,
      deepLinking: false,
      docExpansion: "list",
      // Its server selector has no label of its own: a screen reader would announce a bare list box.
      onComplete: () => root.querySelector("#servers")?.setAttribute("aria-label", "Server"),
    });
  }, [url]);
  return <div ref={host} />;
}
