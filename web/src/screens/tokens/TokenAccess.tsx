// What a token may do: a preset (full access, read only) or a custom choice of abilities. The per-ability
// picker shows for "Custom" only, so the usual token takes one click rather than 57 checkboxes.
import { useId, useState } from "react";
import { AbilityPicker, readOnly } from "./AbilityPicker";

interface AccessProps {
  abilities: string[]; // every ability a token can hold, from GET /portal/abilities
  selected: Set<string>;
  onChange: (selected: Set<string>) => void;
}

type Preset = "full" | "read" | "custom";

const same = (a: Set<string>, b: string[]): boolean => a.size === b.length && b.every((x) => a.has(x));

function presetOf(abilities: string[], selected: Set<string>): Preset {
  if (same(selected, abilities)) return "full";
  if (same(selected, readOnly(abilities))) return "read";
  return "custom";
}

const PRESETS: { value: Preset; label: string; hint: string }[] = [
  { value: "full", label: "Full access", hint: "Every ability: read and change everything in this project." },
  { value: "read", label: "Read only", hint: "View resources, services, schedules, bookings and usage; change nothing." },
  { value: "custom", label: "Custom", hint: "Choose the abilities one by one." },
];

export function TokenAccess({ abilities, selected, onChange }: AccessProps) {
  const [preset, setPreset] = useState<Preset>(() => presetOf(abilities, selected));
  const name = useId();
  const choose = (value: Preset) => {
    setPreset(value);
    if (value === "full") onChange(new Set(abilities));
    if (value === "read") onChange(new Set(readOnly(abilities)));
  };
  return (
    <>
      <fieldset className="presets">
        <legend>Access</legend>
        {PRESETS.map(({ value, label, hint }) => (
          <label key={value} className={`preset${preset === value ? " preset--chosen" : ""}`}>
            <input type="radio" name={name} value={value} checked={preset === value} onChange={() => choose(value)} />
            <span>
              <strong>{label}</strong>
              <span className="muted preset__hint">{hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {preset === "custom" && <AbilityPicker abilities={abilities} selected={selected} onChange={onChange} />}
    </>
  );
}
