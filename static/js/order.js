// Moving tasks: up and down in the manual order (Alt+Arrow, or dragging a row by its
// handle, with a mouse or a finger), and into another project (m, or dropping a row on a
// project in the sidebar). Each move is one request naming the task it now sits next
// to, as this page showed it; the server answers with the list as it now is.
import { announce } from "./announce.js";
import { byId, focusRow, rowOf, rows } from "./dom.js";

const taskId = (row) => row.id.slice("task-".length);
const manual = () => Boolean(document.querySelector("#task-list .handle"));

function place(row, { after, before, direction }) {
  const values = { direction: direction ?? "" };
  if (after) values.after = taskId(after);
  if (before) values.before = taskId(before);
  return htmx
    .ajax("POST", `/tasks/${taskId(row)}/move`, { target: "#view", swap: "innerHTML", values })
    .then(() => focusRow(byId(row.id)));
}

// Alt+ArrowUp / Alt+ArrowDown on a focused row.
export function step(row, up) {
  if (!manual()) {
    announce("Choose “My order” to reorder tasks.");
    return;
  }
  const all = rows();
  const index = all.indexOf(row);
  const other = all[index + (up ? -1 : 1)];
  if (!other) {
    announce(up ? "Already first." : "Already last.");
    return;
  }
  place(row, up ? { before: other, direction: "up" } : { after: other, direction: "down" });
}

export function moveToProject(row, project) {
  const next = row.nextElementSibling ?? row.previousElementSibling;
  htmx
    .ajax("POST", `/tasks/${taskId(row)}`, {
      target: row,
      swap: "outerHTML swapEmpty:true",
      values: { project_id: project.id },
    })
    .then(() => focusRow(byId(row.id) ?? (next?.isConnected ? next : rows()[0])));
}

// Dragging by the handle. The row moves through the list as the pointer does; dropped on
// a project in the sidebar it goes there instead; a cancelled drag puts it back.
let drag = null;

function projectAt(x, y) {
  return document.elementFromPoint(x, y)?.closest?.("#sidebar [data-drop-project]") ?? null;
}

function onDown(event) {
  const handle = event.target.closest?.(".handle");
  if (!handle || event.button > 0) return;
  const row = rowOf(handle);
  if (!row) return;
  event.preventDefault();
  handle.setPointerCapture(event.pointerId);
  drag = { row, handle, home: row.nextElementSibling, start: rows().indexOf(row), over: null };
  row.classList.add("dragging");
  document.body.classList.add("is-dragging");
}

function onMove(event) {
  if (!drag) return;
  const { row } = drag;
  const project = projectAt(event.clientX, event.clientY);
  if (project !== drag.over) {
    drag.over?.classList.remove("drop-target");
    project?.classList.add("drop-target");
    drag.over = project;
  }
  if (project) return;
  const others = rows().filter((r) => r !== row);
  const below = others.find((r) => {
    const box = r.getBoundingClientRect();
    return event.clientY < box.top + box.height / 2;
  });
  if (below) {
    if (row.nextElementSibling !== below) below.before(row);
  } else if (others.length && row !== others[others.length - 1].nextElementSibling) {
    others[others.length - 1].after(row);
  }
  // Near the top or bottom of the window, the page scrolls along.
  const edge = 48;
  if (event.clientY < edge) window.scrollBy(0, -12);
  else if (event.clientY > window.innerHeight - edge) window.scrollBy(0, 12);
}

function finish(event, cancelled) {
  if (!drag) return;
  const { row, home, start, over } = drag;
  drag = null;
  row.classList.remove("dragging");
  document.body.classList.remove("is-dragging");
  over?.classList.remove("drop-target");
  const list = byId("task-list");
  if (cancelled || (!over && rows().indexOf(row) === start)) {
    if (cancelled && list) list.insertBefore(row, home?.isConnected ? home : null);
    return;
  }
  if (over) {
    if (list) list.insertBefore(row, home?.isConnected ? home : null);
    moveToProject(row, { id: over.dataset.dropProject });
    return;
  }
  const previous = row.previousElementSibling;
  const next = row.nextElementSibling;
  place(row, previous ? { after: previous } : { before: next });
}

document.addEventListener("pointerdown", onDown);
document.addEventListener("pointermove", onMove);
document.addEventListener("pointerup", (event) => finish(event, false));
document.addEventListener("pointercancel", (event) => finish(event, true));
document.addEventListener("keydown", (event) => {
  if (drag && event.key === "Escape") finish(event, true);
});
