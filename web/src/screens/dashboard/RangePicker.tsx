// The dashboard's date range: presets, or two dates; kept in the URL (?from=&to=) so a range can be shared.
import { useState, type FormEvent } from "react";
import { daysAgo, isoDay } from "../../format";

export interface DayRange {
  from: string; // YYYY-MM-DD, both days included
  to: string;
}

const PRESETS = [
  { label: "Last 7 days", days: 7 },
  { label: "Last 30 days", days: 30 },
  { label: "Last 90 days", days: 90 },
];

export const lastDays = (days: number): DayRange => ({ from: isoDay(daysAgo(days - 1)), to: isoDay(new Date()) });

export function RangePicker({ range, onChange }: { range: DayRange; onChange: (range: DayRange) => void }) {
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);
  const apply = (event: FormEvent) => {
    event.preventDefault();
    onChange({ from, to });
  };
  const choose = (next: DayRange) => {
    setFrom(next.from);
    setTo(next.to);
    onChange(next);
  };
  return (
    <div className="range-picker">
      <div className="segmented" role="group" aria-label="Range">
        {PRESETS.map((preset) => {
          const preset_range = lastDays(preset.days);
          const active = preset_range.from === range.from && preset_range.to === range.to;
          return (
            <button
              key={preset.days}
              type="button"
              className="segmented__button"
              aria-pressed={active}
              onClick={() => choose(preset_range)}
            >
              {preset.label}
            </button>
          );
        })}
      </div>
      <form className="range-picker__dates" onSubmit={apply}>
        <label>
          From <input type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} required />
        </label>
        <label>
          To <input type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} required />
        </label>
        <button type="submit" className="button button--small">
          Apply
        </button>
      </form>
    </div>
  );
}
