// The project picker: a dialog listing the sidebar's projects, filtered as you type, for
// moving the focused task (m) or going to a project (g p). Arrow keys choose, Enter picks,
// Escape closes and gives focus back.
import { byId } from "./dom.js";

let onPick = null;
let opener = null;

function projects() {
  return [...document.querySelectorAll("#sidebar [data-drop-project]")].map((item) => ({
    id: item.dataset.dropProject,
    name: item.querySelector(".nav-name")?.textContent.trim() ?? "",
  }));
}

function dialog() {
  let box = byId("picker");
  if (box) return box;
  box = document.createElement("dialog");
  box.id = "picker";
  box.className = "picker";
  box.setAttribute("aria-labelledby", "picker-title");
  box.innerHTML = `<div class="picker-body"><h2 id="picker-title"></h2>
    <label for="picker-filter" class="sr">Project name</label>
    <input id="picker-filter" type="text" autocomplete="off" role="combobox"
      aria-controls="picker-list" aria-expanded="true" aria-autocomplete="list">
    <ul id="picker-list" role="listbox" aria-labelledby="picker-title"></ul></div>`;
  document.body.append(box);
  const input = box.querySelector("input");
  input.addEventListener("input", () => render(box));
  input.addEventListener("keydown", (event) => onKey(event, box));
  box.addEventListener("click", (event) => {
    const option = event.target.closest?.("[role=option]");
    if (option) pick(box, option);
    else if (event.target === box) box.close();
  });
  box.addEventListener("close", () => {
    if (opener?.isConnected) opener.focus({ preventScroll: true });
  });
  return box;
}

function render(box) {
  const wanted = box.querySelector("input").value.trim().toLowerCase();
  const list = box.querySelector("[role=listbox]");
  const found = projects().filter((p) => p.name.toLowerCase().includes(wanted));
  list.replaceChildren(
    ...found.map((project, index) => {
      const option = document.createElement("li");
      option.id = `pick-${project.id}`;
      option.setAttribute("role", "option");
      option.dataset.project = project.id;
      option.textContent = project.name;
      option.setAttribute("aria-selected", String(index === 0));
      return option;
    }),
  );
  select(box, list.firstElementChild);
}

function select(box, option) {
  const input = box.querySelector("input");
  for (const other of box.querySelectorAll("[role=option]")) {
    other.setAttribute("aria-selected", String(other === option));
  }
  if (option) {
    input.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  } else input.removeAttribute("aria-activedescendant");
}

function onKey(event, box) {
  const options = [...box.querySelectorAll("[role=option]")];
  const current = options.findIndex((o) => o.getAttribute("aria-selected") === "true");
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    const step = event.key === "ArrowDown" ? 1 : -1;
    select(box, options[Math.min(Math.max(current + step, 0), options.length - 1)]);
  } else if (event.key === "Enter") {
    event.preventDefault();
    if (options[current]) pick(box, options[current]);
  }
}

function pick(box, option) {
  const chosen = { id: option.dataset.project, name: option.textContent };
  const then = onPick;
  onPick = null;
  box.close();
  then?.(chosen);
}

// Open the picker titled `title`; `then(project)` runs with the chosen {id, name}.
export function openPicker(title, then) {
  const box = dialog();
  opener = document.activeElement;
  onPick = then;
  box.querySelector("h2").textContent = title;
  box.querySelector("input").value = "";
  render(box);
  box.showModal();
  box.querySelector("input").focus();
}
