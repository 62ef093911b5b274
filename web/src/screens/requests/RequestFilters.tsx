// The log's filters: status (class or code), method, path prefix, time range; kept in the URL's query.
import { useState, type FormEvent } from "react";
import type { RequestFilters as Filters } from "../../api/requests";
import type { FieldErrors } from "../../api/client";
import { plainFieldMessage } from "../../words";

const STATUSES = ["2xx", "4xx", "5xx", "200", "201", "204", "400", "401", "403", "404", "409", "422", "429", "500"];
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** The filter form's values: `from`/`to` as the datetime-local inputs hold them. */
export type FilterValues = Required<Filters>;

export const EMPTY_FILTERS: FilterValues = { status: "", method: "", path: "", from: "", to: "" };

interface FilterProps {
  values: FilterValues;
  errors: FieldErrors;
  onApply: (values: FilterValues) => void;
}

export function RequestFilters({ values, errors, onApply }: FilterProps) {
  const [form, setForm] = useState(values);
  const set = (name: keyof FilterValues) => (event: { target: { value: string } }) =>
    setForm({ ...form, [name]: event.target.value });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(form);
  };
  const error = (name: string) =>
    errors[name]?.[0] && (
      <span className="field__error" id={`filter-${name}-error`}>
        {plainFieldMessage(errors[name]?.[0] ?? "")}
      </span>
    );
  const described = (name: string) => (errors[name] ? `filter-${name}-error` : undefined);

  return (
    <form className="filters" onSubmit={submit} aria-label="Filter requests">
      <label>
        Status
        <select value={form.status} onChange={set("status")} aria-describedby={described("status")}>
          <option value="">Any</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        {error("status")}
      </label>
      <label>
        Method
        <select value={form.method} onChange={set("method")} aria-describedby={described("method")}>
          <option value="">Any</option>
          {METHODS.map((m) => (
            <option key={m}>{m}</option>
          ))}
        </select>
        {error("method")}
      </label>
      <label className="filters__path">
        Path starts with
        <input
          type="text"
          placeholder="/v1/bookings"
          value={form.path}
          onChange={set("path")}
          aria-describedby={described("path")}
        />
        {error("path")}
      </label>
      <label>
        From
        <input type="datetime-local" value={form.from} onChange={set("from")} aria-describedby={described("from")} />
        {error("from")}
      </label>
      <label>
        To
        <input type="datetime-local" value={form.to} onChange={set("to")} aria-describedby={described("to")} />
        {error("to")}
      </label>
      <div className="filters__actions">
        <button type="submit" className="button button--primary">
          Filter
        </button>
        <button
          type="button"
          className="button"
          onClick={() => {
            setForm(EMPTY_FILTERS);
            onApply(EMPTY_FILTERS);
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}
