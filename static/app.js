// Small enhancements for the task list, on top of htmx. Everything works without this file;
// it only adds what htmx attributes cannot say without eval (which our CSP forbids):
// the keyboard model, where focus goes after a swap, spoken results, how long a notice stays.
// Actions go through the rows' own forms (requestSubmit) or their URLs (htmx.ajax), so the
// no-JS forms stay the one source of truth.
(() => {
  "use strict";

  // Loaded in <head> without defer, so this runs before the first paint:
  // controls meant only for no-JS visitors never flash on screen.
  document.documentElement.classList.add("js");

  const NOTICE_MS = 8000;
  const CHORD_MS = 1500;
  const PRIORITY_KEYS = { 1: "high", 2: "medium", 3: "low" };
  const GO_KEYS = { a: "active", c: "completed", t: "all" };
  // Inputs of these types are pressed, not typed into: shortcuts still work on them.
  const NOT_TYPED = /^(?:checkbox|radio|button|submit|reset|image|range|color|file)$/;
  const ROW = "#task-list > li.task";

  let noticeTimer = 0;
  let chordUntil = 0; // "g" was pressed: the next key picks a view
  let lastRowId = ""; // j/k carry on from here when focus has left the list
  let escapeTo = null; // where Escape returns from Search or New task
  let dialogOpener = null;
  let carry = null; // text typed into New task while the last add was on its way
  // Rows whose edit was opened from the row itself: Save/Cancel return focus to the row.
  const editedFromRow = new Set();

  const byId = (id) => (id ? document.getElementById(id) : null);
  const rows = () => [...document.querySelectorAll(ROW)];

  function isTyping(el) {
    if (!el || !el.matches) return false;
    if (el.isContentEditable || el.matches("textarea, select")) return true;
    return el.matches("input") && !NOT_TYPED.test(el.type);
  }

  function rowOf(el) {
    return el?.closest?.(ROW) ?? null;
  }

  function focusRow(row) {
    if (!row) return false;
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
    return true;
  }

  function focusField(input) {
    const from = document.activeElement;
    if (from !== input) escapeTo = from && from !== document.body ? from : null;
    input.focus();
    input.select?.();
  }

  // Somewhere sensible that is never <body>: a preferred row, the first row, else `last`.
  function focusFallback(preferred, last = byId("new-title")) {
    for (const candidate of preferred) {
      if (candidate?.isConnected) return focusRow(candidate);
    }
    if (!focusRow(rows()[0])) last?.focus();
    return true;
  }

  function focusLost() {
    const active = document.activeElement;
    return !active || active === document.body || !active.isConnected;
  }

  function announce(text) {
    const region = byId("announcer");
    if (!region || !text) return;
    region.textContent = "";
    // Emptied first, so the same words twice in a row are still heard twice.
    setTimeout(() => {
      region.textContent = text;
    }, 50);
  }

  // --- Actions on the focused row -------------------------------------------------------

  function edit(row, fromRow) {
    const link = row.querySelector("[data-edit]");
    if (!link) return;
    if (fromRow) editedFromRow.add(row.id);
    link.click();
  }

  function setPriority(row, priority) {
    htmx.ajax("POST", `/tasks/${row.dataset.taskId}`, {
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

  function go(status) {
    byId(`filter-${status}`)?.click();
  }

  function openShortcuts() {
    const dialog = byId("shortcuts");
    if (!dialog || dialog.open) return;
    dialogOpener = document.activeElement;
    dialog.showModal();
  }

  // --- Keys --------------------------------------------------------------------------------

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
        focusFallback([byId(lastRowId)], document.querySelector("#filters [aria-current]"));
      }
    }
  }

  function onRowKey(event, row) {
    const key = event.key;
    const onRowItself = event.target === row || event.target.matches('input[type="checkbox"]');
    if (key === "Enter" && onRowItself) edit(row, event.target === row);
    else if (key === "e") edit(row, true);
    else if (key === "x") row.querySelector("form.task-toggle")?.requestSubmit();
    else if (key === "Delete") row.querySelector("form.task-delete")?.requestSubmit();
    else if (PRIORITY_KEYS[key]) setPriority(row, PRIORITY_KEYS[key]);
    else return false;
    return true;
  }

  function onListKey(event) {
    const key = event.key;
    const all = rows();
    const current = rowOf(event.target) || byId(lastRowId);
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
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(target) || target.closest?.("dialog")) return;
    if (!byId("task-list")) return; // keys belong to the list page only

    const key = event.key;
    if (chordUntil) {
      const status = Date.now() < chordUntil ? GO_KEYS[key] : undefined;
      chordUntil = 0;
      if (status) {
        event.preventDefault();
        go(status);
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

  // htmx wires up swapped-in content only once it has settled. A fresh form submitted in
  // between (Enter the instant it appears) would post the whole page instead: wire it now,
  // and this very submit reaches htmx's listener on the form.
  document.addEventListener(
    "submit",
    (event) => {
      if (event.target.matches?.("[hx-post]:not([data-htmx-powered])")) htmx.process(event.target);
    },
    true,
  );

  document.addEventListener("focusin", (event) => {
    const row = rowOf(event.target);
    if (row) lastRowId = row.id;
  });

  document.addEventListener("dblclick", (event) => {
    const title = event.target.closest?.(".task-title");
    if (title) rowOf(title)?.querySelector("[data-edit]")?.click();
  });

  document.addEventListener("click", (event) => {
    if (event.target.closest?.("[data-shortcuts]")) openShortcuts();
    const dialog = byId("shortcuts");
    // A click on the backdrop (the dialog box itself, outside its body) closes it too.
    if (dialog && (event.target === dialog || dialog.contains(event.target.closest?.("[data-close]")))) {
      dialog.close();
    }
  });

  // After the dialog (Escape, Close or backdrop) focus goes back where it was.
  document.addEventListener(
    "close",
    (event) => {
      if (event.target.id !== "shortcuts") return;
      const opener = dialogOpener;
      dialogOpener = null;
      if (opener?.isConnected && opener !== document.body) {
        opener.focus({ preventScroll: true });
      } else {
        focusFallback([byId(lastRowId)], document.querySelector("#filters [aria-current]"));
      }
    },
    true,
  );

  // --- After htmx: focus and what to say --------------------------------------------------

  // Where a row's neighbours are, taken before the request: the row may be gone after it.
  function planFor(row) {
    return {
      rowId: row.id,
      nextId: row.nextElementSibling?.id,
      prevId: row.previousElementSibling?.id,
      rowFocused: document.activeElement === row,
      wasDone: row.classList.contains("is-done"),
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

  // New task clears as soon as a task is sent, so typing straight on after Enter starts the
  // next task instead of extending this one; what was typed meanwhile survives the swap.
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

  // htmx applies [autofocus] right after this event. If focus is already somewhere real
  // outside the new content, the user has moved on (j, Escape, a click) while the answer
  // was on its way: a slow answer must not pull them back.
  document.addEventListener("htmx:after:settle", (event) => {
    const fresh = event.detail.newContent ?? [];
    if (focusLost() || fresh.some((node) => node.contains?.(document.activeElement))) return;
    for (const node of fresh) {
      for (const el of node.querySelectorAll?.("[autofocus]") ?? []) el.removeAttribute("autofocus");
      if (node.removeAttribute) node.removeAttribute("autofocus");
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

  function pathOf(ctx) {
    return new URL(ctx.request.action, location.href);
  }

  function errorsIn(container) {
    const texts = [...(container?.querySelectorAll(".field-error") ?? [])].map((p) => {
      const label = byId(p.id.replace(/-error$/, ""))?.labels?.[0]?.textContent.trim();
      return label ? `${label}: ${p.textContent.trim()}` : p.textContent.trim();
    });
    return texts.join(" ");
  }

  function messageFor(ctx) {
    const status = ctx.response?.status ?? 0;
    const url = pathOf(ctx);
    const path = url.pathname;
    const taskId = path.match(/^\/tasks\/(\d+)/)?.[1];
    const row = byId(`task-${taskId}`);
    const toast = byId("toast")?.querySelector("p")?.textContent.trim();
    if (status >= 500) return "Something went wrong on our side. Please try again.";
    if (status === 404) return "That task no longer exists. Reload the page to see your tasks.";
    if (status === 409) return "Not saved: this task was changed elsewhere. Both versions are shown.";
    if (status === 422 && path === "/tasks") return `Task not added. ${errorsIn(byId("new-task"))}`;
    if (status === 422) return `Not saved. ${errorsIn(row)}`;
    if (status >= 400) return "That did not work. Please reload the page.";
    if (ctx.request.method === "GET") {
      if (path !== "/tasks" || url.searchParams.get("after")) return "";
      const count = rows().length;
      return count === 1 ? "1 task shown." : `${count} tasks shown.`;
    }
    if (path === "/tasks") return "Task added.";
    if (path.endsWith("/toggle")) {
      return ctx.taskPlan?.wasDone ? "Task marked not done." : "Task completed.";
    }
    if (path.endsWith("/delete")) return "Task deleted. Undo available: press u.";
    if (path === "/tasks/undo") return toast || "Task restored.";
    if (taskId && ctx.values?.priority) return `Priority set to ${ctx.values.priority}.`;
    if (taskId) return "Saved.";
    return toast || "";
  }

  function settleFocus(ctx) {
    const plan = ctx.taskPlan || {};
    const row = byId(plan.rowId);
    const editing = row?.classList.contains("is-editing");
    const stayed = focusLost() || row?.contains(document.activeElement);
    if (row && !editing && stayed && (plan.rowFocused || editedFromRow.has(row.id))) {
      // Back to the row the keys were working on, not the control the server focused.
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
    focusFallback([byId(lastRowId)], document.querySelector("#filters [aria-current]"));
  }

  document.addEventListener("htmx:finally:request", (event) => {
    const ctx = event.detail.ctx;
    // A back/forward restore swaps the whole page: the browser places focus itself.
    if (ctx.request?.headers?.["HX-Request-Type"] === "full") return;
    const input = byId("new-title");
    if (input && ctx.sentTitle && ctx.status !== "swapped" && !input.value) {
      input.value = ctx.sentTitle; // not sent after all: nothing typed is lost
    }
    if (ctx.status === "swapped") {
      announce(messageFor(ctx));
      settleFocus(ctx);
    } else if (String(ctx.status).startsWith("error") && !/AbortError/.test(ctx.status)) {
      announce("Could not reach the server. Check your connection and try again.");
      if (focusLost()) focusFallback([byId(ctx.taskPlan?.rowId)]);
    }
    selectOpenedTitle();
    scheduleNoticeDismissal();
  });

  // --- Edit form and notices ---------------------------------------------------------------

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

  // A notice (and its Undo) stays a few seconds, longer while the user is on it.
  function scheduleNoticeDismissal() {
    clearTimeout(noticeTimer);
    const toast = byId("toast");
    if (!toast || !toast.firstElementChild) return;
    noticeTimer = setTimeout(() => {
      if (toast.contains(document.activeElement) || toast.matches(":hover")) {
        scheduleNoticeDismissal();
        return;
      }
      toast.replaceChildren();
    }, NOTICE_MS);
  }

  document.addEventListener("DOMContentLoaded", () => {
    selectOpenedTitle();
    scheduleNoticeDismissal();
  });
})();
