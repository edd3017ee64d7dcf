// Dates, sizes, money and the days left to a deadline, as the pages write them (in the chosen language).

import { locale, t, tn } from "./i18n.js";

// Dates: "2026-12-07" is a calendar date (no time zone); timestamps are shown in the municipality's
// time zone, which the deployment gives (GET /api/deployment, see app.js): Europe/Lisbon, America/Sao_Paulo...
let timeZone;
let country = "PT";

export function setDeployment(deployment) {
  timeZone = deployment.timezone || undefined;
  country = deployment.country || "PT";
}

// What the deployment's country calls an identity number: NIF or NIPC in Portugal, CPF or CNPJ in
// Brazil ("company": a registration's person_type; "coletiva": a requerente's type).
export function identityLabel(personType) {
  const company = personType === "company" || personType === "coletiva";
  if (country === "BR") return company ? "CNPJ" : "CPF";
  return company ? t("NIPC") : t("NIF");
}

export function formatDate(value) {
  if (!value) return "—";
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (match) return `${match[3]}/${match[2]}/${match[1]}`;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(locale(), {
    timeZone,
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
  }).format(date);
}

export function formatDateTime(value) {
  if (!value) return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(locale(), {
    timeZone,
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  }).format(date);
}

export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) return "";
  const units = ["B", "KB", "MB", "GB"];
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toLocaleString("pt-PT", { maximumFractionDigits: digits })} ${units[unit]}`;
}

export function workingDaysText(days) {
  if (days === null || days === undefined) return "";
  if (days === 0) return t("termina hoje");
  if (days > 0) return tn(days, "falta {n} dia útil", "faltam {n} dias úteis");
  return tn(-days, "ultrapassado há {n} dia útil", "ultrapassado há {n} dias úteis");
}

// A deadline date and the working days left to it, as the API counts them: "09/12/2026 (faltam 5 dias úteis)".
export function deadlineWithDaysLeft(date, workingDaysLeft) {
  const left = workingDaysText(workingDaysLeft);
  return `${formatDate(date)}${left ? ` (${left})` : ""}`;
}

export function euros(cents) {
  return new Intl.NumberFormat(locale(), { style: "currency", currency: "EUR" }).format(cents / 100);
}
