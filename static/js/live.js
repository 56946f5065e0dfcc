// Live updates: one stream per list page (GET /events, Server-Sent Events). The stream
// says only "your tasks changed"; the page then asks for its list, counter and sidebar
// through the ordinary route, as a filter change would, and keeps what the user is doing:
// focus, scroll positions, an open edit form, anything typed. A hidden tab closes its
// stream and, shown again, reopens it from the last version it saw: the server answers
// at once if anything changed meanwhile. Without JavaScript the page is as it was.
import { byId, focusLost, state } from "./dom.js";

const live = byId("live");
const TYPED = "input[type=text][id], input[type=search][id], textarea[id]";
const MAX_RETRY = 60000;

let source = null;
let version = live?.dataset.since ?? "";
let ended = false;
let retry = 1000;
let busy = false;
let again = false;

function open() {
  if (!live || source || ended || document.hidden) return;
  source = new EventSource(`/events?since=${encodeURIComponent(version)}`);
  source.addEventListener("open", () => {
    retry = 1000;
  });
  source.addEventListener("tasks-changed", (event) => {
    version = event.lastEventId || version;
    refresh();
  });
  source.addEventListener("session-ended", () => {
    ended = true; // the next action goes to the login page, which says why
    close();
  });
  // The browser reconnects by itself after a dropped connection; a refused one (the
  // server restarting, too many tabs) is closed for good, so try again, more slowly.
  source.addEventListener("error", () => {
    if (source?.readyState !== EventSource.CLOSED) return;
    close();
    setTimeout(open, retry);
    retry = Math.min(retry * 2, MAX_RETRY);
  });
}

function close() {
  source?.close();
  source = null;
}

// The page's own requests (a toggle, an edit) come first: a refresh in the middle of one
// would swap the list between its answer and the focus that answer places.
let inFlight = 0;
let waiting = false;

let actions = 0; // the page's own requests so far
let startedAfter = 0; // how many there were when the running refresh was sent

document.addEventListener("htmx:before:request", (event) => {
  if (isLive(event)) return;
  inFlight += 1;
  actions += 1;
});
document.addEventListener("htmx:finally:request", (event) => {
  if (isLive(event)) return;
  inFlight = Math.max(0, inFlight - 1);
  if (!inFlight && waiting) {
    waiting = false;
    setTimeout(refresh); // after every finally listener, focus.js's included
  }
});

function refresh() {
  if (inFlight) {
    waiting = true;
    return;
  }
  if (busy) {
    again = true; // one more when this one is done, however many came meanwhile
    return;
  }
  busy = true;
  startedAfter = actions;
  const url = location.pathname + location.search;
  htmx
    .ajax("GET", url, { source: live, target: "#view", swap: "innerHTML" })
    .catch(() => {})
    .finally(() => {
      kept = null;
      busy = false;
      if (again) {
        again = false;
        refresh();
      }
    });
}

// What the swap would lose, taken just before it and put back just after.
let kept = null;

function isLive(event) {
  return event.detail?.ctx?.sourceElement === live;
}

document.addEventListener("htmx:before:request", (event) => {
  if (isLive(event)) event.detail.ctx.liveRefresh = true; // focus.js leaves focus alone
});

// Once per answer (its out-of-band parts may each have a swap event of their own).
document.addEventListener("htmx:before:swap", (event) => {
  if (!isLive(event)) return;
  // The user acted while this list was on its way: it may predate what they now see.
  // Drop it and ask again (the action's own change event would too).
  if (actions !== startedAfter) {
    event.preventDefault();
    again = true;
    return;
  }
  if (kept) return;
  const active = document.activeElement;
  kept = {
    scroll: window.scrollY,
    sidebar: byId("sidebar")?.scrollTop ?? 0,
    // Focus already lost (an action's own swap had just taken its row): the row the keys
    // were last on, which that action's focus handling would have gone back to.
    focusId: focusLost() ? state.lastRowId : active.id,
    selection: active?.selectionStart != null ? [active.selectionStart, active.selectionEnd] : null,
    // Open edit forms, whole: their fields, their focus, what was typed into them.
    // Taken out of the page before htmx empties the list: it would strip their listeners.
    editing: [...document.querySelectorAll("#task-list > li.is-editing[id]")].map((row) => {
      row.remove();
      return row;
    }),
    typed: [...document.querySelectorAll(`#view ${TYPED}, #sidebar ${TYPED}`)]
      .filter((el) => el.value !== el.defaultValue && !el.closest("li.is-editing"))
      .map((el) => [el.id, el.value]),
  };
});

// Run right after the whole answer is in, in the same task: no keystroke falls between.
document.addEventListener("htmx:after:swap", (event) => {
  if (isLive(event)) restore();
});

function restore() {
  if (!kept) return;
  const { scroll, sidebar, focusId, selection, editing, typed } = kept;
  kept = null;
  // An edit form whose task left this view (deleted, moved elsewhere) goes with it.
  for (const row of editing) byId(row.id)?.replaceWith(row);
  // Only what the swap took: a field typed into, or a focus moved, since is the user's.
  for (const [id, value] of typed) {
    const el = byId(id);
    if (el && el.value === el.defaultValue) el.value = value;
  }
  const focused = byId(focusId);
  if (focused && focusLost()) {
    focused.focus({ preventScroll: true });
    if (selection && focused.setSelectionRange) focused.setSelectionRange(...selection);
  }
  window.scrollTo({ top: scroll, behavior: "instant" });
  const bar = byId("sidebar");
  if (bar) bar.scrollTop = sidebar;
}

// The list's own "N tasks shown" is for a change the user asked for, not for this.
live?.addEventListener("announce", (event) => event.stopPropagation());

document.addEventListener("visibilitychange", () => {
  if (document.hidden) close();
  else open();
});
// Back/forward cache: a restored page reopens its stream like a re-shown tab.
window.addEventListener("pagehide", close);
window.addEventListener("pageshow", open);

open();
