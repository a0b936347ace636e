"use client";

import { type KeyboardEvent, useRef } from "react";

/**
 * A WAI-ARIA tab list: one tab in the page's Tab order (roving tabindex), the arrow keys move to the
 * previous or next tab and open it, Home and End to the first and last. Tab `id`s are
 * `tab-<id>` and each controls `panel-<id>`, which the page renders with role="tabpanel".
 * On a narrow screen the row scrolls sideways inside itself instead of widening the page.
 */
export function TabList<Id extends string>({ label, tabs, selected, onSelect }: { label: string; tabs: readonly { id: Id; label: string }[]; selected: Id; onSelect: (id: Id) => void }) {
  const refs = useRef(new Map<Id, HTMLButtonElement>());

  function onKeyDown(event: KeyboardEvent<HTMLButtonElement>, index: number) {
    const last = tabs.length - 1;
    const next = { ArrowRight: index === last ? 0 : index + 1, ArrowLeft: index === 0 ? last : index - 1, Home: 0, End: last }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const target = tabs[next];
    onSelect(target.id);
    refs.current.get(target.id)?.focus();
  }

  return (
    <div role="tablist" aria-label={label} className="mb-4 flex gap-1 overflow-x-auto border-b border-slate-200">
      {tabs.map((t, index) => (
        <button
          key={t.id}
          ref={(element) => {
            if (element) refs.current.set(t.id, element);
            else refs.current.delete(t.id);
          }}
          id={`tab-${t.id}`}
          role="tab"
          type="button"
          aria-selected={selected === t.id}
          aria-controls={`panel-${t.id}`}
          tabIndex={selected === t.id ? 0 : -1}
          onClick={() => onSelect(t.id)}
          onKeyDown={(event) => onKeyDown(event, index)}
          className={`-mb-px shrink-0 whitespace-nowrap border-b-2 px-3 py-2 text-sm font-medium focus-visible:outline-offset-[-2px] ${selected === t.id ? "border-sky-600 text-sky-700" : "border-transparent text-slate-600 hover:text-slate-900"}`}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
