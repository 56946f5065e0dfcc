// The keyboard model of the task list (listed by "?"). Actions go through the rows' own
// forms (requestSubmit) or their URLs (htmx.ajax), so the no-JS forms stay the one source
// of truth. Keys typed into a text field are not shortcuts.
import { openShortcuts } from "./dialog.js";
import { byId, focusFallback, focusRow, isTyping, rowOf, rows, state } from "./dom.js";
import { announce } from "./announce.js";
import { editedFromRow, planFor } from "./focus.js";
import { moveToProject, step } from "./order.js";
import { openPicker } from "./picker.js";

const CHORD_MS = 1500;
const PRIORITY_KEYS = { 1: "high", 2: "medium", 3: "low" };
const GO_KEYS = { a: "active", c: "completed", t: "all" };

let chordUntil = 0; // "g" was pressed: the next key picks a view
let escapeTo = null; // where Escape returns from Search or New task

function focusField(input) {
  const from = document.activeElement;
  if (from !== input) escapeTo = from && from !== document.body ? from : null;
  input.focus();
  input.select?.();
}

function edit(row, fromRow) {
  const link = row.querySelector("[id^=edit-]");
  if (!link) return;
  if (fromRow) editedFromRow.add(row.id);
  link.click();
}

function editLabels(row) {
  edit(row, true);
  // The edit form arrives with its title focused; labels are what was asked for.
  document.addEventListener(
    "htmx:after:settle",
    () =>
      setTimeout(() => {
        const field = document.querySelector(`#${row.id} [name=labels]`);
        field?.focus();
        field?.setSelectionRange(field.value.length, field.value.length);
      }),
    { once: true },
  );
}

function goToProject() {
  openPicker("Go to project", (project) => {
    location.href = `/tasks?project=${encodeURIComponent(project.id)}`;
  });
}

function setPriority(row, priority) {
  htmx.ajax("POST", `/tasks/${row.id.slice("task-".length)}`, {
    target: row,
    swap: "outerHTML swapEmpty:true",
    values: { priority },
    taskPlan: planFor(row),
  });
}

function undo() {
  const form = document.querySelector("#toast form[action='/tasks/undo']");
  if (!form) {
    announce("Nothing to undo.");
    return;
  }
  form.dataset.focusRow = "true";
  form.requestSubmit();
}

function onEscape(event) {
  const target = event.target;
  chordUntil = 0;
  const cancel = target.closest?.(".edit-form")?.querySelector("[data-cancel]");
  if (cancel) {
    event.preventDefault();
    cancel.click();
    return;
  }
  if (target.matches?.("#search, #new-title")) {
    // Also stops a search field from clearing itself: Escape leaves, the results stay.
    event.preventDefault();
    const back = escapeTo?.isConnected ? escapeTo : byId(escapeTo?.id);
    escapeTo = null;
    if (back && back !== target) {
      if (rowOf(back) === back) focusRow(back);
      else back.focus();
    } else {
      focusFallback([byId(state.lastRowId)], document.querySelector("#filters [aria-current]"));
    }
  }
}

function onRowKey(event, row) {
  const key = event.key;
  const onRowItself = event.target === row || event.target.matches('input[type="checkbox"]');
  if (key === "Enter" && onRowItself) edit(row, event.target === row);
  else if (key === "e") edit(row, true);
  // The checkbox itself, so the form sends the state the row will show (never a flip).
  else if (key === "x") row.querySelector("form.toggle input[type=checkbox]")?.click();
  else if (key === "Delete") row.querySelector("form.delete")?.requestSubmit();
  else if (PRIORITY_KEYS[key]) setPriority(row, PRIORITY_KEYS[key]);
  else if (key === "m") openPicker("Move to project", (project) => moveToProject(row, project));
  else if (key === "l") editLabels(row);
  else return false;
  return true;
}

function onListKey(event) {
  const key = event.key;
  const all = rows();
  const current = rowOf(event.target) || byId(state.lastRowId);
  const index = current ? all.indexOf(current) : -1;
  const inList = Boolean(event.target.closest?.("#task-list"));
  if (key === "j" || (key === "ArrowDown" && inList)) {
    return focusRow(all[index < 0 ? 0 : Math.min(index + 1, all.length - 1)]) || true;
  }
  if (key === "k" || (key === "ArrowUp" && inList)) {
    return focusRow(all[index < 0 ? 0 : Math.max(index - 1, 0)]) || true;
  }
  if (inList && key === "Home") return focusRow(all[0]) || true;
  if (inList && key === "End") return focusRow(all[all.length - 1]) || true;
  return false;
}

function onKey(event) {
  if (event.defaultPrevented || event.isComposing) return;
  if (event.key === "Escape") {
    onEscape(event);
    return;
  }
  const target = event.target;
  const arrow = event.key === "ArrowUp" || event.key === "ArrowDown";
  if (event.altKey && arrow && !event.ctrlKey && !event.metaKey && !isTyping(target)) {
    const row = rowOf(target);
    if (row && !row.classList.contains("is-editing")) {
      event.preventDefault();
      step(row, event.key === "ArrowUp");
    }
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (isTyping(target) || target.closest?.("dialog")) return;
  if (!byId("task-list")) return; // keys belong to the list page only

  const key = event.key;
  if (chordUntil) {
    const status = Date.now() < chordUntil ? GO_KEYS[key] : undefined;
    const live = Date.now() < chordUntil;
    chordUntil = 0;
    if (status) {
      event.preventDefault();
      byId(`filter-${status}`)?.click();
      return;
    }
    if (live && (key === "i" || key === "p")) {
      event.preventDefault();
      if (key === "i") document.querySelector("#sidebar [data-drop-project] a")?.click();
      else goToProject();
      return;
    }
  }
  let handled = true;
  if (key === "?") openShortcuts();
  else if (key === "/") focusField(byId("search"));
  else if (key === "n") focusField(byId("new-title"));
  else if (key === "g") chordUntil = Date.now() + CHORD_MS;
  else if (key === "u" || key === "z") undo();
  else if (onListKey(event)) handled = true;
  else {
    const row = rowOf(target);
    const editing = row?.classList.contains("is-editing");
    handled = Boolean(row && !editing && !event.repeat && onRowKey(event, row));
  }
  if (handled) event.preventDefault();
}

document.addEventListener("keydown", onKey);

document.addEventListener("dblclick", (event) => {
  const title = event.target.closest?.(".task .title");
  if (title) rowOf(title)?.querySelector("[id^=edit-]")?.click();
});
