// The Portal's build: a static single-page app in dist/, served by the local server (tools/kairos_local)
// and, deployed, by the stack's static site. `npm run dev` serves it with hot reload and forwards the admin
// API to a running `KAIROS_PORTAL_URL=http://localhost:5173 make dev` (the config file too, so the app sees
// the same settings: they name that address, this server's).
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const local = process.env.KAIROS_LOCAL_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  // 1,600 kB: the API reference's renderer (Swagger UI, its own React inside) is one chunk of that size,
  // loaded on that screen only; the app's own chunk stays far below.
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1600 },
  server: { proxy: { "/portal": local, "/v1": local, "/config.json": local } },
});
