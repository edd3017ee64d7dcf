// Account settings for a logged-in citizen: the account's data, and changes of email (POST
// /api/account/email → a link to the new address), mobile phone (POST /api/account/phone → an SMS
// code → .../confirmation) and password (POST /api/account/password); the account's open sessions
// (GET /api/account/sessions) and ending the others (POST /api/account/sessions/ending); who in the
// services read the person's data (js/data-access.js); a download of everything held about them
// (js/data-export.js).
import {
  changeEmail,
  changePassword,
  changePhone,
  confirmPhone,
  endOtherSessions,
  myDataAccess,
  mySessions,
} from "../api.js";
import { dataAccessSection } from "../data-access.js";
import { dataExportSection } from "../data-export.js";
import { rightsRequestsSection } from "../rights-requests.js";
import { t, tn } from "../i18n.js";
import { formatDateTime, identityLabel } from "../format.js";
import { h, facts, notice } from "../dom.js";
import { apiForm, ErrorSummary, passwordProblem, required, textField, valueOf } from "../forms.js";
import { newPasswordFields, repeatProblem } from "./password-reset.js";

export async function render(ctx) {
  const { container } = ctx;
  const user = ctx.session.user;
  ctx.setTitle(t("A minha conta"));
  container.append(h("h1", {}, t("A minha conta")));
  const errors = new ErrorSummary(container);
  container.append(
    h(
      "section",
      { class: "section-block", "aria-labelledby": "account-data-title" },
      h("h2", { id: "account-data-title" }, t("Os seus dados")),
      facts(
        [
          [t("Nome"), user.name],
          [identityLabel(user.person_type), user.identity_number || "—"],
          [t("Nome de utilizador"), user.username || "—"],
          [t("Email"), user.email, { id: "account-email" }],
          [
            t("Telemóvel"),
            [user.phone || "—", user.phone && user.phone_confirmed ? ` (${t("confirmado")})` : ""],
            { id: "account-phone" },
          ],
        ],
        { id: "account-facts" },
      ),
    ),
    emailSection(errors),
    phoneSection(ctx, errors, user),
    passwordSection(ctx, errors),
    sessionsSection(errors, (await mySessions()).sessions),
    dataExportSection(errors, ctx),
    rightsRequestsSection(errors, ctx),
    dataAccessSection(myDataAccess, { id: "data-access", withProcess: true }),
  );
}

function emailSection(errors) {
  const status = h("div", { role: "status", id: "email-change-status" });
  return h(
    "section",
    { class: "section-block", "aria-labelledby": "email-change-title" },
    h("h2", { id: "email-change-title" }, t("Alterar o email")),
    h(
      "p",
      {},
      t(
        "Enviamos uma ligação para o novo email; a alteração só tem efeito quando a abrir. Avisamos também o email atual.",
      ),
    ),
    apiForm({
      id: "email-change-form",
      submitId: "change-email-submit",
      submitLabel: t("Alterar o email"),
      errors,
      labelledBy: "email-change-title",
      children: [
        textField({
          id: "new_email",
          type: "email",
          label: t("Novo email"),
          field: "new_email",
          autocomplete: "email",
        }),
        textField({
          id: "email_password",
          type: "password",
          label: t("Palavra-passe atual"),
          field: "password",
          autocomplete: "current-password",
          inputClass: "input--medium",
        }),
      ],
      check: (f) =>
        required(f, [
          ["new_email", t("Indique o novo email.")],
          ["email_password", t("Indique a palavra-passe.")],
        ]),
      send: (f) => changeEmail(valueOf(f, "email_password", { trim: false }), valueOf(f, "new_email")),
      done: (answer, f) => {
        f.querySelector("#email_password").value = "";
        status.replaceChildren(
          notice(
            "success",
            h(
              "p",
              {},
              t("Enviámos uma ligação para {to}. Abra-a para confirmar o novo email.", { to: answer.sent_to }),
            ),
          ),
        );
      },
    }),
    status,
  );
}

// The mobile phone, confirmed by an SMS code (also on the registration's page).
export function phoneSection(ctx, errors, user) {
  const status = h("div", { role: "status", id: "phone-status" });
  const confirmForm = apiForm({
    id: "phone-code-form",
    submitId: "confirm-phone-submit",
    submitLabel: t("Confirmar"),
    errors,
    children: [
      textField({
        id: "phone_code",
        label: t("Código recebido por SMS"),
        field: "code",
        autocomplete: "one-time-code",
        inputClass: "input--short",
        extra: { inputmode: "numeric", maxlength: "12" },
      }),
    ],
    check: (f) => required(f, [["phone_code", t("Indique o código que recebeu.")]]),
    send: (f) => confirmPhone(valueOf(f, "phone_code").replace(/\s+/g, "")),
    done: async (answer) => {
      confirmForm.hidden = true;
      status.replaceChildren(
        notice("success", h("p", {}, t("Telemóvel {phone} confirmado.", { phone: answer.phone }))),
      );
      await ctx.refreshSession();
    },
  });
  confirmForm.hidden = true;
  return h(
    "section",
    { class: "section-block", "aria-labelledby": "phone-title" },
    h("h2", { id: "phone-title" }, t("Alterar o telemóvel")),
    h("p", {}, t("Com o telemóvel confirmado pode receber por SMS os códigos de confirmação.")),
    apiForm({
      id: "phone-form",
      submitId: "send-phone-code",
      submitLabel: t("Enviar código por SMS"),
      errors,
      labelledBy: "phone-title",
      children: [
        textField({
          id: "new_phone",
          type: "tel",
          label: t("Novo telemóvel"),
          field: "phone",
          autocomplete: "tel",
          inputClass: "input--medium",
          value: user && !user.phone_confirmed ? user.phone : "",
        }),
      ],
      check: (f) => required(f, [["new_phone", t("Indique o telemóvel.")]]),
      send: (f) => changePhone(valueOf(f, "new_phone")),
      done: (answer) => {
        confirmForm.hidden = false;
        status.replaceChildren(
          notice(null, h("p", {}, t("Enviámos um código por SMS para {to}.", { to: answer.to || "" }))),
        );
        confirmForm.querySelector("#phone_code").focus();
      },
    }),
    status,
    confirmForm,
  );
}

function passwordSection(ctx, errors) {
  const status = h("div", { role: "status", id: "password-change-status" });
  return h(
    "section",
    { class: "section-block", "aria-labelledby": "password-change-title" },
    h("h2", { id: "password-change-title" }, t("Alterar a palavra-passe")),
    apiForm({
      id: "password-change-form",
      submitId: "change-password-submit",
      submitLabel: t("Alterar a palavra-passe"),
      errors,
      labelledBy: "password-change-title",
      children: [
        textField({
          id: "current_password",
          type: "password",
          label: t("Palavra-passe atual"),
          field: "current_password",
          autocomplete: "current-password",
          inputClass: "input--medium",
        }),
        ...newPasswordFields(),
      ],
      check: (f) => {
        const problems = required(f, [["current_password", t("Indique a palavra-passe atual.")]]);
        const weak = passwordProblem(valueOf(f, "new_password", { trim: false }));
        if (weak) problems.push({ input: f.querySelector("#new_password"), message: weak });
        return problems.concat(repeatProblem(f));
      },
      send: (f) =>
        changePassword(valueOf(f, "current_password", { trim: false }), valueOf(f, "new_password", { trim: false })),
      done: (answer, f) => {
        for (const input of f.querySelectorAll("input")) input.value = "";
        status.replaceChildren(
          notice("success", h("p", {}, t("A palavra-passe foi alterada. As outras sessões abertas terminaram."))),
        );
      },
    }),
    status,
  );
}

// Where the account is open: each session's browser, address, start and last use; the others can be
// ended with the password (a computer left logged in, a lost phone).
function sessionsSection(errors, sessions) {
  const status = h("div", { role: "status", id: "sessions-status" });
  const columns = [t("Navegador"), t("Endereço"), t("Início"), t("Última utilização")];
  const table = h(
    "table",
    { class: "table table--stack", id: "sessions-table" },
    h("caption", { class: "visually-hidden" }, t("Sessões abertas")),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        columns.map((label, i) => h("th", { scope: "col", ...(i ? { class: "nowrap" } : {}) }, label)),
      ),
    ),
    h(
      "tbody",
      {},
      sessions.map((session) =>
        h(
          "tr",
          { "data-session-id": session.session_id, "data-current": String(session.current) },
          h(
            "th",
            { scope: "row", "data-label": columns[0], class: "user-agent" },
            session.user_agent,
            session.current ? h("strong", {}, ` (${t("esta sessão")})`) : "",
          ),
          h("td", { "data-label": columns[1], class: "nowrap" }, session.source_ip),
          h("td", { "data-label": columns[2], class: "nowrap" }, formatDateTime(session.started_at)),
          h("td", { "data-label": columns[3], class: "nowrap" }, formatDateTime(session.last_seen_at)),
        ),
      ),
    ),
  );
  const others = sessions.filter((session) => !session.current).length;
  const form = apiForm({
    id: "end-sessions-form",
    submitId: "end-sessions-submit",
    submitLabel: t("Terminar as outras sessões"),
    errors,
    labelledBy: "sessions-title",
    children: [
      textField({
        id: "sessions_password",
        type: "password",
        label: t("Palavra-passe atual"),
        field: "password",
        autocomplete: "current-password",
        inputClass: "input--medium",
      }),
    ],
    check: (f) => required(f, [["sessions_password", t("Indique a palavra-passe.")]]),
    send: (f) => endOtherSessions(valueOf(f, "sessions_password", { trim: false })),
    done: (answer, f) => {
      f.querySelector("#sessions_password").value = "";
      for (const row of table.querySelectorAll("tr[data-current=false]")) row.remove();
      f.hidden = true;
      status.replaceChildren(
        notice("success", h("p", {}, tn(answer.ended, "{n} sessão terminada.", "{n} sessões terminadas."))),
      );
    },
  });
  form.hidden = others === 0;
  return h(
    "section",
    { class: "section-block", "aria-labelledby": "sessions-title" },
    h("h2", { id: "sessions-title" }, t("Sessões abertas")),
    h(
      "p",
      {},
      t(
        "A sua conta está aberta nestes navegadores. Se não reconhecer algum, termine as outras sessões e altere a palavra-passe.",
      ),
    ),
    table,
    form,
    status,
  );
}
