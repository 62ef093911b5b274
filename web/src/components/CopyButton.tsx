// Copies a text to the clipboard and says so.
import { useState } from "react";

export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
    window.setTimeout(() => setCopied(null), 2000);
  };
  return (
    <button type="button" className="button button--small" onClick={copy} aria-live="polite">
      {copied === null ? label : copied ? "Copied" : "Copy failed: select and copy it"}
    </button>
  );
}
