// The keyboard shortcuts dialog ("?"): a real modal, so Escape closes it and focus stays
// inside; afterwards focus goes back where it was.
import { byId, focusFallback, state } from "./dom.js";

let opener = null;

export function openShortcuts() {
  const dialog = byId("shortcuts");
  if (!dialog || dialog.open) return;
  opener = document.activeElement;
  dialog.showModal();
}

document.addEventListener("click", (event) => {
  if (event.target.closest?.("[data-shortcuts]")) openShortcuts();
  const dialog = byId("shortcuts");
  // A click on the backdrop (the dialog box itself, outside its body) closes it too.
  if (dialog && (event.target === dialog || dialog.contains(event.target.closest?.("[data-close]")))) {
    dialog.close();
  }
});

document.addEventListener(
  "close",
  (event) => {
    if (event.target.id !== "shortcuts") return;
    const back = opener;
    opener = null;
    if (back?.isConnected && back !== document.body) {
      back.focus({ preventScroll: true });
    } else {
      focusFallback([byId(state.lastRowId)], document.querySelector("#filters [aria-current]"));
    }
  },
  true,
);
