// New task: nothing typed is ever lost.
// The field clears as soon as a task is sent, so typing straight on after Enter starts the
// next task instead of extending this one; what was typed meanwhile survives the swap, and
// a task that was not sent after all comes back into the field.
import { byId } from "./dom.js";

let carry = null; // text typed into New task while the last add was on its way

document.addEventListener("htmx:config:request", (event) => {
  const ctx = event.detail.ctx;
  const input = byId("new-title");
  if (ctx.request.form?.id !== "new-task" || !input) return;
  ctx.sentTitle = input.value;
  input.value = "";
});

// A request queued behind another (Enter twice, fast) may find its target already replaced
// by the first answer; htmx would drop its answer. Aim it at the element now in its place.
document.addEventListener("htmx:after:request", (event) => {
  const ctx = event.detail.ctx;
  if (ctx.target instanceof Element && !ctx.target.isConnected && ctx.target.id) {
    ctx.target = byId(ctx.target.id) ?? ctx.target;
  }
});

document.addEventListener("htmx:before:swap", (event) => {
  const ctx = event.detail.ctx;
  const input = byId("new-title");
  if (ctx.sentTitle != null && ctx.response?.status === 200 && input?.value) {
    carry = { from: input, text: input.value };
  }
});

// Runs in the same task as the DOM swap itself, so no keystroke can fall in between.
document.addEventListener("htmx:before:settle", () => {
  const input = byId("new-title");
  if (carry && input && input !== carry.from) {
    input.value = carry.text + input.value;
    carry = null;
  }
});

document.addEventListener("htmx:finally:request", (event) => {
  const ctx = event.detail.ctx;
  const input = byId("new-title");
  // Not sent after all, or not saved (the server could not reach its database): the
  // field gets its text back, so nothing typed is lost.
  const failed = ctx.status !== "swapped" || (ctx.response?.status ?? 0) >= 500;
  if (input && ctx.sentTitle && failed && !input.value) input.value = ctx.sentTitle;
});

// htmx wires up swapped-in content only once it has settled. A fresh form submitted in
// between (Enter the instant it appears) would post the whole page instead: wire it now,
// and this very submit reaches htmx's listener on the form.
// The same for a checkbox ticked the instant its row arrived (x right after a live refresh).
const UNWIRED = "[hx-post]:not([data-htmx-powered])";
document.addEventListener(
  "submit",
  (event) => {
    if (event.target.matches?.(UNWIRED)) htmx.process(event.target);
  },
  true,
);
document.addEventListener(
  "change",
  (event) => {
    const form = event.target.form;
    if (form?.matches(UNWIRED)) htmx.process(form);
  },
  true,
);

// Backspace with nothing before the caret has nothing to delete: it dismisses the last
// recognised part instead (its text stays in the title), as a chip's × does.
document.addEventListener("keydown", (event) => {
  const input = event.target;
  if (event.key !== "Backspace" || input.id !== "new-title") return;
  if (input.selectionStart !== 0 || input.selectionEnd !== 0) return;
  const chips = document.querySelectorAll("#quick-preview .quick-chip button");
  if (!chips.length) return;
  event.preventDefault();
  chips[chips.length - 1].click();
});

// A dismissed chip's button goes with the old preview: focus goes back to the field.
let refocus = false;
document.addEventListener("click", (event) => {
  if (event.target.closest?.("#quick-preview .quick-chip button")) refocus = true;
});
document.addEventListener("htmx:after:settle", () => {
  if (!refocus) return;
  refocus = false;
  byId("new-title")?.focus({ preventScroll: true });
});
