// Public lookup of a process by its number ("CAMARA 2026/000001"), no login:
// GET /api/public/processes/{organ}/{year}/{sequence} — basic data only.
import { t } from "../i18n.js";
import { publicLookup } from "../api.js";
import { h, facts } from "../dom.js";
import { formatDate, formatDateTime } from "../format.js";
import { ErrorSummary, textField } from "../forms.js";
import { organLabel, statusTag } from "../labels.js";

const NUMBER = /^\s*([A-Za-zÀ-ÿ]+)\s*(\d{4})\s*\/\s*(\d{1,6})\s*$/;

export function parseNumber(text) {
  const match = NUMBER.exec(text || "");
  if (!match) return null;
  return { organ: match[1].toUpperCase(), year: match[2], sequence: match[3].padStart(6, "0") };
}

export async function render(ctx) {
  const { container } = ctx;
  ctx.setTitle(t("Consultar um processo"));
  const form = h(
    "form",
    { id: "lookup-form", novalidate: true, role: "search", "aria-label": t("Consultar um processo pelo número") },
    textField({
      id: "lookup-number",
      name: "numero",
      label: t("Número do processo"),
      hint: t("Por exemplo, CAMARA 2026/000001."),
      field: "number",
      inputClass: "input--medium",
      extra: { spellcheck: "false", autocapitalize: "characters", autocomplete: "off" },
    }),
    h(
      "div",
      { class: "button-row" },
      h("button", { type: "submit", class: "button", id: "lookup-submit" }, t("Consultar")),
    ),
  );
  const result = h("div", { id: "lookup-result", "data-testid": "lookup-result" });
  container.append(
    h("h1", {}, t("Consultar um processo")),
    h(
      "p",
      {},
      t("Qualquer pessoa pode consultar o estado de um processo pelo seu número. Não são mostrados dados pessoais."),
    ),
    form,
    result,
  );
  const errors = new ErrorSummary(container);
  const input = form.querySelector("#lookup-number");

  const search = async ({ focusResult }) => {
    result.replaceChildren();
    const number = parseNumber(input.value);
    if (!number) {
      errors.show([
        { input, message: t("Indique o número no formato ENTIDADE ANO/NÚMERO, por exemplo CAMARA 2026/000001.") },
      ]);
      return;
    }
    errors.clear();
    const text = `${number.organ} ${number.year}/${number.sequence}`;
    input.value = text;
    window.history.replaceState(null, "", `#/consulta?numero=${encodeURIComponent(text)}`);
    let found;
    try {
      found = await publicLookup(number.organ, number.year, number.sequence);
    } catch (error) {
      if (ctx.isCurrent()) errors.showApiError(error);
      return;
    }
    if (!ctx.isCurrent()) return;
    const heading = h(
      "h2",
      { id: "lookup-result-title", tabindex: "-1" },
      t("Processo {number}", { number: found.number }),
    );
    result.replaceChildren(
      h(
        "section",
        { "aria-labelledby": "lookup-result-title" },
        heading,
        facts(
          [
            [t("Estado"), statusTag(found.status, { id: "lookup-status", "data-testid": "lookup-status" })],
            [t("Serviço"), found.service],
            [t("Entidade"), organLabel(found.organ)],
            [t("Submetido em"), found.submitted_at ? formatDateTime(found.submitted_at) : "—"],
            [t("Prazo de decisão"), found.decision_deadline ? formatDate(found.decision_deadline) : "—"],
          ],
          { id: "lookup-facts" },
        ),
      ),
    );
    if (focusResult) heading.focus();
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    search({ focusResult: true });
  });
  const initial = ctx.query.get("numero");
  if (initial) {
    input.value = initial;
    await search({ focusResult: false });
  }
}
