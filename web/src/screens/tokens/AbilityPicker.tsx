// Ability checkboxes grouped by area (the part before ":"), with "select all" per area and overall.
import { useEffect, useRef, type InputHTMLAttributes } from "react";

interface PickerProps {
  abilities: string[]; // every ability a token can hold, from GET /portal/abilities
  selected: Set<string>;
  onChange: (selected: Set<string>) => void;
}

const areaOf = (ability: string): string => ability.split(":")[0] ?? ability;
const words = (name: string): string => name.replace(/_/g, " ");
const areaLabel = (area: string): string => words(area).charAt(0).toUpperCase() + words(area).slice(1);
/** Within its area's group an ability is named by what it allows: "view", "ignore fully booked". */
const actionLabel = (ability: string): string => words(ability.slice(ability.indexOf(":") + 1));

/** A checkbox that can show "some" (indeterminate), which has no HTML attribute. */
function TriStateBox({ some, ...input }: { some: boolean } & InputHTMLAttributes<HTMLInputElement>) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = some;
  }, [some]);
  return <input ref={ref} type="checkbox" {...input} />;
}

export function AbilityPicker({ abilities, selected, onChange }: PickerProps) {
  const areas = new Map<string, string[]>();
  for (const ability of abilities) areas.set(areaOf(ability), [...(areas.get(areaOf(ability)) ?? []), ability]);

  const setAll = (names: string[], on: boolean) => {
    const next = new Set(selected);
    names.forEach((name) => (on ? next.add(name) : next.delete(name)));
    onChange(next);
  };
  const allOn = abilities.every((a) => selected.has(a));
  const noneOn = abilities.every((a) => !selected.has(a));

  return (
    <fieldset className="abilities">
      <legend>Abilities</legend>
      <label className="abilities__all">
        <TriStateBox
          some={!allOn && !noneOn}
          checked={allOn}
          onChange={(e) => setAll(abilities, e.target.checked)}
        />
        Select all abilities{" "}
        <span className="muted">
          ({selected.size} of {abilities.length} selected)
        </span>
      </label>
      <div className="abilities__groups">
        {[...areas].map(([area, names]) => {
          const on = names.filter((n) => selected.has(n)).length;
          return (
            <fieldset key={area} className="abilities__group">
              <legend>{areaLabel(area)}</legend>
              <label className="abilities__select-group">
                <TriStateBox
                  some={on > 0 && on < names.length}
                  checked={on === names.length}
                  onChange={(e) => setAll(names, e.target.checked)}
                  aria-label={`Select all ${areaLabel(area)} abilities`}
                />
                Select all
              </label>
              {names.map((name) => (
                <label key={name} className="abilities__ability" title={name}>
                  <input
                    type="checkbox"
                    checked={selected.has(name)}
                    onChange={(e) => setAll([name], e.target.checked)}
                  />
                  {actionLabel(name)}
                </label>
              ))}
            </fieldset>
          );
        })}
      </div>
    </fieldset>
  );
}

/** The "Read only" preset: every ability that views something (`...:view`), none that changes anything. */
export const readOnly = (abilities: string[]): string[] => abilities.filter((a) => a.endsWith(":view"));

/** "All 57 abilities", "Read only", or how many and which. */
export function abilitySummary(held: string[], all: string[]): string {
  if (held.length >= all.length && all.length > 0) return `All ${all.length} abilities`;
  const viewing = readOnly(all);
  if (held.length === viewing.length && viewing.every((a) => held.includes(a))) return `Read only: ${held.length} of ${all.length}`;
  const areas = [...new Set(held.map(areaOf))].map(areaLabel);
  return `${held.length} of ${all.length}: ${areas.join(", ") || "none"}`;
}
