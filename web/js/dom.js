// The DOM helpers shared by the pages: an element builder (text only, never innerHTML, so nothing
// from the API can become markup), a few page pieces (breadcrumbs, facts, notices, a fetched download)
// and moving the focus.

import { t } from "./i18n.js";

export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") element.className = value;
    else if (name === "text") element.textContent = value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(element) {
  element.replaceChildren();
  return element;
}

// A download whose link is short-lived and recorded each time: asked for only when the button is
// pressed. Returns [button, message] (the message shows a failure beside the button).
export function fetchedDownload(id, text, label, fetchLink) {
  const message = h("span", { class: "field-error", role: "status" });
  const button = h(
    "button",
    { type: "button", class: "button button--secondary button--small", id, "aria-label": label },
    text,
  );
  button.addEventListener("click", async () => {
    message.textContent = "";
    try {
      const download = await fetchLink();
      window.location.assign(download.url);
    } catch (error) {
      if (error.status !== 401) message.textContent = error.message;
    }
  });
  return [button, message];
}

export function breadcrumbs(items) {
  return h(
    "nav",
    { class: "breadcrumbs", "aria-label": t("Localização") },
    h(
      "ol",
      {},
      items.map(([label, href]) =>
        h("li", {}, href ? h("a", { href }, label) : h("span", { "aria-current": "page" }, label)),
      ),
    ),
  );
}

export function facts(rows, attrs = {}) {
  return h(
    "dl",
    { class: "facts", ...attrs },
    rows
      .filter(Boolean)
      .map(([term, description, ddAttrs]) => [h("dt", {}, term), h("dd", ddAttrs || {}, description)]),
  );
}

export function notice(kind, ...children) {
  return h("div", { class: `notice${kind ? ` notice--${kind}` : ""}` }, ...children);
}

// Move the focus to a part of the page that is not a control (a heading, a task card), scrolled to its top.
export function focusOn(element) {
  element.setAttribute("tabindex", "-1");
  element.scrollIntoView({ block: "start" });
  element.focus({ preventScroll: true });
}
