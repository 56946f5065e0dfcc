// Where focus goes after a swap: back to the row the keys were working on, to its
// neighbour when it left the view, and never to <body>. A slow answer must not pull the
// user back from where they have moved on to meanwhile.
import { byId, focusFallback, focusLost, focusRow, rowOf, state } from "./dom.js";

// Rows whose edit was opened from the row itself: Save/Cancel return focus to the row.
export const editedFromRow = new Set();

// Where a row's neighbours are, taken before the request: the row may be gone after it.
export function planFor(row) {
  return {
    rowId: row.id,
    nextId: row.nextElementSibling?.id,
    prevId: row.previousElementSibling?.id,
    rowFocused: document.activeElement === row,
  };
}

document.addEventListener("htmx:before:request", (event) => {
  const ctx = event.detail.ctx;
  const source = ctx.sourceElement;
  const row = rowOf(source);
  ctx.taskPlan ??= row ? planFor(row) : {};
  if (source?.dataset?.focusRow) {
    delete source.dataset.focusRow;
    ctx.taskPlan.focusRow = true;
  }
});

// htmx applies [autofocus] right after this event. If focus is already somewhere real
// outside the new content, the user has moved on (j, Escape, a click) while the answer
// was on its way.
document.addEventListener("htmx:after:settle", (event) => {
  const fresh = event.detail.newContent ?? [];
  if (focusLost() || fresh.some((node) => node.contains?.(document.activeElement))) return;
  for (const node of fresh) {
    for (const el of node.querySelectorAll?.("[autofocus]") ?? []) el.removeAttribute("autofocus");
    if (node.removeAttribute) node.removeAttribute("autofocus");
  }
});

function settleFocus(ctx) {
  const plan = ctx.taskPlan || {};
  const row = byId(plan.rowId);
  const editing = row?.classList.contains("is-editing");
  const stayed = focusLost() || row?.contains(document.activeElement);
  if (row && !editing && stayed && (plan.rowFocused || editedFromRow.has(row.id))) {
    editedFromRow.delete(row.id);
    focusRow(row);
    return;
  }
  if (plan.focusRow && rowOf(document.activeElement)) {
    focusRow(rowOf(document.activeElement));
    return;
  }
  if (!focusLost()) return;
  if (plan.rowId) {
    // The row left (deleted, or no longer in this view): its neighbour takes its place.
    focusFallback([byId(plan.nextId), byId(plan.prevId)]);
    return;
  }
  // A new view (filter, search, bulk action): stay on the list, or on the current filter.
  focusFallback([byId(state.lastRowId)], document.querySelector("#filters [aria-current]"));
}

// An edit form opens with its title focused (autofocus) and selected, ready to retype.
function selectOpenedTitle() {
  for (const input of document.querySelectorAll("[data-select-on-open]")) {
    input.removeAttribute("data-select-on-open");
    if (document.activeElement === input || input.hasAttribute("autofocus")) {
      input.focus();
      input.select();
    }
  }
}

document.addEventListener("htmx:finally:request", (event) => {
  const ctx = event.detail.ctx;
  // A live refresh (live.js) puts focus back itself: nobody asked for it to move.
  if (ctx.liveRefresh) return;
  // A back/forward restore swaps the whole page: the browser places focus itself.
  if (ctx.request?.headers?.["HX-Request-Type"] === "full") return;
  if (ctx.status === "swapped") settleFocus(ctx);
  else if (focusLost()) focusFallback([byId(ctx.taskPlan?.rowId)]);
  selectOpenedTitle();
});

selectOpenedTitle();
