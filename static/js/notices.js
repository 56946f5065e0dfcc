// A notice (and its Undo) stays a few seconds, longer while the pointer or focus is on it.
import { byId } from "./dom.js";

const NOTICE_MS = 8000;
let timer = 0;

export function scheduleNoticeDismissal() {
  clearTimeout(timer);
  const toast = byId("toast");
  if (!toast || !toast.firstElementChild) return;
  timer = setTimeout(() => {
    if (toast.contains(document.activeElement) || toast.matches(":hover")) {
      scheduleNoticeDismissal();
      return;
    }
    toast.replaceChildren();
  }, NOTICE_MS);
}

document.addEventListener("htmx:finally:request", scheduleNoticeDismissal);
scheduleNoticeDismissal();
