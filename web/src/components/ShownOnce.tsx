// A secret the API shows once (an API token's value, a webhook's signing secret): the value, a copy button,
// the warning that it cannot be shown again, and a button to put it away.
import { useId, type ReactNode } from "react";
import { CopyButton } from "./CopyButton";

interface ShownOnceProps {
  heading: string;
  label: string; // the value's (visually hidden) label
  value: string;
  copyLabel: string;
  children: ReactNode; // the warning
  onDone: () => void;
}

export function ShownOnce({ heading, label, value, copyLabel, children, onDone }: ShownOnceProps) {
  const id = useId();
  return (
    <div className="shown-once" role="status">
      <h3>{heading}</h3>
      {children}
      <div className="shown-once__value">
        <label htmlFor={id} className="visually-hidden">
          {label}
        </label>
        <input id={id} readOnly value={value} onFocus={(e) => e.target.select()} />
        <CopyButton text={value} label={copyLabel} />
      </div>
      <button type="button" className="link-button" onClick={onDone}>
        I have copied it
      </button>
    </div>
  );
}
