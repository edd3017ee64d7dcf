// The privacy page, for anyone: the data protection statement of the services (seed 001, section 10),
// the rights and where the account page exercises them, and the retention schedule — how long each
// kind of record is kept, from when, and why (GET /api/public/retention, chalicelib/retention.json).
import { retentionSchedule } from "../api.js";
import { t, tn } from "../i18n.js";
import { h } from "../dom.js";

export async function render(ctx) {
  const { container } = ctx;
  ctx.setTitle(t("Proteção de dados pessoais"));
  const { records } = await retentionSchedule();
  if (!ctx.isCurrent()) return;
  const rights = [
    [t("Acesso e portabilidade"), t("descarregue tudo o que guardamos sobre si, na página da sua conta.")],
    [
      t("Quem viu os seus dados"),
      t("cada consulta pelos serviços fica registada e é-lhe mostrada na conta e em cada processo."),
    ],
    [t("Retificação"), t("altere o email, o telemóvel e a palavra-passe na sua conta; o resto, peça aos serviços.")],
    [t("Apagamento, limitação e oposição"), t("peça-os aos serviços, pelos contactos abaixo.")],
  ];
  container.append(
    h("h1", {}, t("Proteção de dados pessoais")),
    h(
      "p",
      {},
      t(
        "Ao entregar um requerimento, o Município, enquanto responsável pelo tratamento, usa os seus dados pessoais apenas para instruir o processo do seu pedido; pode facultá-los às entidades fiscalizadoras e à autoridade judiciária quando a lei o impõe. Não partilha os seus dados com terceiros.",
      ),
    ),
    h(
      "section",
      { class: "section-block", "aria-labelledby": "rights-title" },
      h("h2", { id: "rights-title" }, t("Os seus direitos")),
      h(
        "ul",
        { id: "rights-list" },
        rights.map(([name, how]) => h("li", {}, h("strong", {}, name), ": ", how)),
      ),
    ),
    h(
      "section",
      { class: "section-block", "aria-labelledby": "retention-title" },
      h("h2", { id: "retention-title" }, t("Quanto tempo guardamos os seus dados")),
      retentionTable(records),
    ),
  );
}

function retentionTable(records) {
  const columns = [t("Tipo de registo"), t("Prazo de conservação"), t("Fundamento")];
  return h(
    "table",
    { class: "table table--stack", id: "retention-table" },
    h("caption", { class: "visually-hidden" }, t("Quanto tempo guardamos os seus dados")),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        columns.map((label) => h("th", { scope: "col" }, label)),
      ),
    ),
    h(
      "tbody",
      {},
      records.map((record) =>
        h(
          "tr",
          { "data-kind": record.kind },
          h("th", { scope: "row", "data-label": columns[0] }, t(record.label)),
          h("td", { "data-label": columns[1] }, period(record)),
          h("td", { "data-label": columns[2] }, t(record.legal_basis)),
        ),
      ),
    ),
  );
}

function period(record) {
  if (!record.days) return `${t("Sem prazo fixo")} (${t("desde")} ${t(record.from)})`;
  const span =
    record.days % 365 === 0
      ? tn(record.days / 365, "{n} ano", "{n} anos")
      : tn(record.days, "até {n} dia", "até {n} dias");
  return `${span} ${t("desde")} ${t(record.from)}`;
}
