// The event types a webhook receives: "All events" (the default, and the types added later too), or the
// ones checked.
import { ALL_EVENTS } from "../../api/webhooks";

interface PickerProps {
  events: string[]; // every event type, from GET /portal/webhook-events
  selected: string[]; // [ALL_EVENTS] or some of `events`
  onChange: (selected: string[]) => void;
  error?: string;
}

export function EventPicker({ events, selected, onChange, error }: PickerProps) {
  const all = selected.includes(ALL_EVENTS);
  const toggle = (event: string, on: boolean) =>
    onChange(on ? [...selected, event] : selected.filter((chosen) => chosen !== event));
  return (
    <fieldset className="abilities" aria-describedby={error ? "webhook-events-error" : undefined}>
      <legend>Events</legend>
      <label className="abilities__all">
        <input type="checkbox" checked={all} onChange={(e) => onChange(e.target.checked ? [ALL_EVENTS] : [])} />
        All events <span className="muted">(including event types added later)</span>
      </label>
      <div className="event-types">
        {events.map((event) => (
          <label key={event} className="abilities__ability">
            <input
              type="checkbox"
              disabled={all}
              checked={all || selected.includes(event)}
              onChange={(e) => toggle(event, e.target.checked)}
            />
            <code>{event}</code>
          </label>
        ))}
      </div>
      {error && (
        <p className="field__error" id="webhook-events-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** "All events", or the types it receives. */
export const eventSummary = (events: string[]): string =>
  events.includes(ALL_EVENTS) ? "All events" : events.join(", ");
