// Search history: while a search is being typed the address is replaced, so Back is not
// one step per keystroke; after a pause (or Enter) the search is a step of its own.
const PAUSE_MS = 1500;
let lastTyped = 0;

document.addEventListener("htmx:config:request", (event) => {
  const ctx = event.detail.ctx;
  if (ctx.sourceElement?.id !== "search-form") return;
  const now = Date.now();
  if (ctx.sourceEvent?.type === "input") {
    if (now - lastTyped < PAUSE_MS) ctx.request.headers["X-Search-Typing"] = "1";
    lastTyped = now;
  } else {
    lastTyped = 0;
  }
});
