// The web form's languages: pt-PT (the default, and the text written in the pages) and English.
// A page writes its text in pt-PT through t("…"); in English t() looks the same text up in EN and
// falls back to the pt-PT text where there is no translation yet. The choice is kept in
// localStorage and set on <html lang>. Messages from the API stay as the API words them (pt-PT).

import { EN } from "./i18n-en.js";

const STORAGE_KEY = "balcao.lang";
export const LANGUAGES = { "pt-PT": "Português", en: "English" };

let current = readStored();

function readStored() {
  try {
    return window.localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "pt-PT";
  } catch {
    return "pt-PT"; // storage blocked: the default
  }
}

export const lang = () => current;

// The locale for numbers and dates.
export const locale = () => (current === "en" ? "en-GB" : "pt-PT");

export function setLang(value) {
  current = value === "en" ? "en" : "pt-PT";
  try {
    window.localStorage.setItem(STORAGE_KEY, current);
  } catch {
    // not remembered, but still applied to this page
  }
  document.documentElement.lang = current;
}

// t("Faltam {n} dias", {n: 3}): the text in the current language, placeholders filled.
export function t(text, values) {
  const chosen = current === "en" && Object.prototype.hasOwnProperty.call(EN, text) ? EN[text] : text;
  return values
    ? chosen.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole))
    : chosen;
}

// tn(n, "Resta {n} caractere.", "Restam {n} caracteres."): the singular for one (and minus one), the
// plural for any other number, zero included, as chalicelib/kernel/plural.py counts them.
export function tn(n, one, other, values = {}) {
  return t(Math.abs(n) === 1 ? one : other, { n, ...values });
}

// The static shell (index.html): elements with data-i18n="<pt-PT text>" (their text) or
// data-i18n-label (their aria-label).
export function translateStatic(root = document) {
  document.documentElement.lang = current;
  for (const element of root.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const element of root.querySelectorAll("[data-i18n-label]"))
    element.setAttribute("aria-label", t(element.dataset.i18nLabel));
}
