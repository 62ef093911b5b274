// Start: read /config.json, point the API client at the admin API, then show the app. Without the config
// the app cannot reach anything, so a failure says so and offers to try again.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { configureClient } from "./api/client";
import { App } from "./App";
import { ConfigContext, loadConfig } from "./config";
import { SessionProvider } from "./session";
import "./styles.css";

const root = createRoot(document.getElementById("root")!);

async function start(): Promise<void> {
  try {
    const config = await loadConfig();
    configureClient(config.portal_api_url);
    root.render(
      <StrictMode>
        <ConfigContext.Provider value={config}>
          <SessionProvider>
            <App />
          </SessionProvider>
        </ConfigContext.Provider>
      </StrictMode>,
    );
  } catch (failure) {
    root.render(
      <main className="card-page">
        <div className="card error-state" role="alert">
          <h1>The Portal could not start</h1>
          <p>Its settings (/config.json) could not be read: {String(failure)}</p>
          <button type="button" className="button button--primary" onClick={() => void start()}>
            Try again
          </button>
        </div>
      </main>,
    );
  }
}

void start();
