// Small DOM helpers shared by the modules: rows of the list, focus that never lands on <body>.

export const ROW = "#task-list > li.task";
// Inputs of these types are pressed, not typed into: shortcuts still work on them.
const NOT_TYPED = /^(?:checkbox|radio|button|submit|reset|image|range|color|file)$/;

export const byId = (id) => (id ? document.getElementById(id) : null);
export const rows = () => [...document.querySelectorAll(ROW)];

export function rowOf(el) {
  return el?.closest?.(ROW) ?? null;
}

export function isTyping(el) {
  if (!el || !el.matches) return false;
  if (el.isContentEditable || el.matches("textarea, select")) return true;
  return el.matches("input") && !NOT_TYPED.test(el.type);
}

export function focusRow(row) {
  if (!row) return false;
  row.focus({ preventScroll: true });
  row.scrollIntoView({ block: "nearest" });
  return true;
}

export function focusLost() {
  const active = document.activeElement;
  return !active || active === document.body || !active.isConnected;
}

// Somewhere sensible that is never <body>: a preferred row, the first row, else `last`.
export function focusFallback(preferred, last = byId("new-title")) {
  for (const candidate of preferred) {
    if (candidate?.isConnected) return focusRow(candidate);
  }
  if (!focusRow(rows()[0])) last?.focus();
  return true;
}

// The row j/k carry on from when focus has left the list.
export const state = { lastRowId: "" };

document.addEventListener("focusin", (event) => {
  const row = rowOf(event.target);
  if (row) state.lastRowId = row.id;
});
