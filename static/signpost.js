// Signpost's progressive enhancement. Every page works without this file: it only
// - starts the NHS.UK frontend components (header menu, error summary focus...),
// - adds and removes shortlist items without reloading the page,
// - opens the filters on wide screens, prints the handout, copies the plain text,
// - draws a small OpenStreetMap map on service pages when the device is online.
import { initAll } from "./vendor/nhsuk/nhsuk-frontend.min.js";

document.documentElement.classList.add("sp-js");
document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();

for (const element of document.querySelectorAll(".sp-js-only[hidden]")) {
  element.hidden = false;
}

// Filters: open on wide screens, where there is room beside the results.
const filters = document.querySelector("[data-filters]");
if (filters && window.matchMedia("(min-width: 48.0625em)").matches) {
  filters.open = true;
}

// Shortlist: submit the add/remove form in the background and update the button.
function updateShortlistLink(count) {
  const link = document.querySelector("[data-shortlist-link]");
  if (!link) return;
  const label = count ? `Shortlist (${count})` : "Shortlist";
  const strong = link.querySelector("strong");
  (strong || link).textContent = label;
}

for (const form of document.querySelectorAll("[data-shortlist-form]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    const name = button.dataset.name;
    const adding = button.dataset.added !== "true";
    const body = new URLSearchParams(new FormData(form));
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
    } catch {
      form.submit();
      return;
    }
    if (!response.ok) {
      form.submit();
      return;
    }
    const result = await response.json();
    const added = adding && result.in_shortlist;
    button.dataset.added = added ? "true" : "false";
    button.classList.toggle("nhsuk-button--secondary", added);
    button.classList.toggle("nhsuk-button--secondary-solid", !added);
    button.textContent = added ? "Remove from shortlist" : "Add to shortlist";
    const hidden = document.createElement("span");
    hidden.className = "nhsuk-u-visually-hidden";
    hidden.textContent = `: ${name}`;
    button.append(hidden);
    form.action = form.action.replace(/\/(add|remove)$/, added ? "/remove" : "/add");
    updateShortlistLink(result.count);
    announce(
      result.full
        ? "Your shortlist is full. Remove something first."
        : `${name} ${added ? "added to" : "removed from"} your shortlist.`,
    );
  });
}

// A polite live region, so screen reader users hear what changed.
function announce(message) {
  let region = document.getElementById("sp-announce");
  if (!region) {
    region = document.createElement("div");
    region.id = "sp-announce";
    region.className = "nhsuk-u-visually-hidden";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    document.body.append(region);
  }
  region.textContent = "";
  window.setTimeout(() => {
    region.textContent = message;
  }, 50);
}

// Handout: a print button.
for (const button of document.querySelectorAll("[data-print]")) {
  button.addEventListener("click", () => window.print());
}

// Plain text: copy buttons.
for (const button of document.querySelectorAll("[data-copy]")) {
  button.addEventListener("click", async () => {
    const field = document.getElementById(button.dataset.copy);
    const status = document.querySelector(".sp-copy-status");
    try {
      await navigator.clipboard.writeText(field.value);
      if (status) status.textContent = "Copied. You can now paste it.";
    } catch {
      field.focus();
      field.select();
      if (status) status.textContent = "Press Ctrl and C (or Cmd and C) to copy.";
    }
  });
}

// Service page: a small map from map tiles, only when online and the site allows tiles
// (SIGNPOST_MAP_TILES). The address, directions and map links are always there in words.
const TILE = 256;
const ZOOM = 16;

function drawMap(holder) {
  const lat = Number(holder.dataset.lat);
  const lon = Number(holder.dataset.lon);
  const template = holder.dataset.mapTiles;
  if (!template || Number.isNaN(lat) || Number.isNaN(lon)) return;
  holder.hidden = false;
  const width = holder.clientWidth || 300;
  const height = holder.clientHeight || 240;
  const scale = TILE * 2 ** ZOOM;
  const radians = (lat * Math.PI) / 180;
  const x = ((lon + 180) / 360) * scale;
  const y = ((1 - Math.log(Math.tan(radians) + 1 / Math.cos(radians)) / Math.PI) / 2) * scale;
  const left = x - width / 2;
  const top = y - height / 2;
  for (let tx = Math.floor(left / TILE); tx <= Math.floor((left + width) / TILE); tx++) {
    for (let ty = Math.floor(top / TILE); ty <= Math.floor((top + height) / TILE); ty++) {
      const image = document.createElement("img");
      image.alt = "";
      image.className = "sp-map__tile";
      image.src = template.replace("{z}", ZOOM).replace("{x}", tx).replace("{y}", ty);
      image.style.left = `${Math.round(tx * TILE - left)}px`;
      image.style.top = `${Math.round(ty * TILE - top)}px`;
      image.addEventListener("error", () => {
        holder.hidden = true;
      });
      holder.append(image);
    }
  }
  const marker = document.createElement("span");
  marker.className = "sp-map__marker";
  holder.append(marker);
  const credit = document.createElement("span");
  credit.className = "sp-map__credit";
  credit.textContent = "© OpenStreetMap contributors";
  holder.append(credit);
}

if (navigator.onLine) {
  for (const holder of document.querySelectorAll(".sp-map[data-map-tiles]")) {
    drawMap(holder);
  }
}
