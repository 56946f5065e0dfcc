// The app shell on a phone: the Menu button opens the sidebar as a drawer (Escape, a tap
// outside or a link closes it), and tapping a row opens its edit form. Without this the
// sidebar simply follows the list and every row shows its Edit and Delete.
import { rowOf } from "./dom.js";

const PHONE = window.matchMedia("(max-width: 760px)");

function setMenu(open) {
  const button = document.querySelector("[data-menu]");
  if (!button) return;
  document.body.classList.toggle("menu-open", open);
  button.setAttribute("aria-expanded", String(open));
  if (open) document.querySelector("#sidebar a[aria-current], #sidebar a")?.focus();
  else if (document.activeElement?.closest?.("#sidebar")) button.focus();
}

document.addEventListener("click", (event) => {
  const target = event.target;
  if (target.closest?.("[data-menu]")) {
    setMenu(!document.body.classList.contains("menu-open"));
    return;
  }
  if (document.body.classList.contains("menu-open") && !target.closest?.("#sidebar form")) {
    if (!target.closest?.("#sidebar") || target.closest("a")) setMenu(false);
  }
  // A tap on a row's text opens it (on a phone its buttons are tucked away).
  if (!PHONE.matches || target.closest?.("a, button, input, label, form, .handle")) return;
  const row = rowOf(target);
  if (row && !row.classList.contains("is-editing") && target.closest(".body")) {
    row.querySelector("[id^=edit-]")?.click();
  }
});

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && document.body.classList.contains("menu-open")) setMenu(false);
});
PHONE.addEventListener("change", () => setMenu(false));
