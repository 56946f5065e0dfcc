// What a screen reader hears after an action: the server's own words, sent with the
// answer as an "announce" event (HX-Trigger), written into the page's live region.
import { byId } from "./dom.js";

export function announce(text) {
  const region = byId("announcer");
  if (!region || !text) return;
  region.textContent = "";
  // Emptied first, so the same words twice in a row are still heard twice.
  setTimeout(() => {
    region.textContent = text;
  }, 50);
}

document.addEventListener("announce", (event) => announce(event.detail?.value));

// No answer at all (offline, server down): the server cannot say it, so we do.
document.addEventListener("htmx:finally:request", (event) => {
  const status = String(event.detail.ctx.status);
  if (status.startsWith("error") && !/AbortError/.test(status)) {
    announce("Could not reach the server. Check your connection and try again.");
  }
});
