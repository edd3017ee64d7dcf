// Registration (POST /api/registrations): a person (NIF) or a company (NIPC), contacts, the postal
// address, a password and the acceptance of the terms. The answer is the same whether or not the
// number or email already has an account; the next step is the link in the email (confirm-email.js).
import { register, resendRegistrationEmail } from "../api.js";
import { t } from "../i18n.js";
import { h, notice } from "../dom.js";
import {
  apiForm,
  checkboxField,
  ErrorSummary,
  passwordProblem,
  POSTAL_CODE,
  radioGroup,
  required,
  textField,
  valueOf,
} from "../forms.js";

// The version of the "Condições de Adesão" this page shows; the API refuses another one
// (BALCAO_TERMS_VERSION, chalicelib/kernel/settings.py) and says which is in force.
export const TERMS_VERSION = "2026-01";

export async function render(ctx) {
  const { container } = ctx;
  ctx.setTitle(t("Criar conta"));
  container.append(
    h("h1", {}, t("Criar conta")),
    h(
      "p",
      { class: "lead" },
      t(
        "Registe-se uma vez para apresentar pedidos e acompanhar os processos. Depois de confirmar o email, envie um comprovativo de morada: os serviços validam-no e enviam-lhe os dados de acesso.",
      ),
    ),
  );
  const errors = new ErrorSummary(container);
  const identityLabel = h("span", {}, t("NIF"));
  const identity = textField({
    id: "identity_number",
    label: identityLabel,
    field: "identity_number",
    hint: t("9 algarismos."),
    inputClass: "input--medium",
    autocomplete: "off",
    extra: { inputmode: "numeric" },
  });
  const kind = radioGroup({
    id: "person-type",
    name: "person_type",
    legend: t("Registo como"),
    field: "person_type",
    value: "individual",
    options: [
      ["individual", t("Pessoa singular")],
      ["company", t("Empresa ou outra pessoa coletiva")],
    ],
  });

  const form = apiForm({
    id: "register-form",
    submitId: "register-submit",
    submitLabel: t("Registar-me"),
    errors,
    children: [
      kind,
      textField({ id: "name", label: t("Nome completo"), field: "name", autocomplete: "name" }),
      identity,
      textField({
        id: "email",
        type: "email",
        label: t("Email"),
        field: "email",
        autocomplete: "email",
        extra: { spellcheck: "false" },
      }),
      textField({
        id: "phone",
        type: "tel",
        label: t("Telemóvel"),
        field: "phone",
        autocomplete: "tel",
        inputClass: "input--medium",
        hint: t("Por exemplo, 912 345 678."),
      }),
      h(
        "fieldset",
        { class: "fieldset" },
        h("legend", {}, t("Morada completa")),
        textField({ id: "street", label: t("Rua e número"), field: "address.street", autocomplete: "street-address" }),
        textField({
          id: "postal_code",
          label: t("Código postal"),
          field: "address.postal_code",
          hint: t("No formato 0000-000."),
          autocomplete: "postal-code",
          inputClass: "input--short",
        }),
        textField({
          id: "locality",
          label: t("Localidade"),
          field: "address.locality",
          autocomplete: "address-level2",
          inputClass: "input--medium",
        }),
      ),
      textField({
        id: "password",
        type: "password",
        label: t("Palavra-passe"),
        field: "password",
        autocomplete: "new-password",
        hint: t("Pelo menos 8 caracteres; sugerimos uma frase de 15 ou mais."),
        inputClass: "input--medium",
      }),
      h(
        "details",
        { class: "terms", id: "terms" },
        h("summary", {}, `${t("Condições de Adesão")} (${TERMS_VERSION})`),
        h(
          "p",
          {},
          t(
            "O Balcão Único serve para apresentar pedidos ao Município e acompanhar os processos. Os dados pessoais destinam-se apenas à instrução dos processos; pode exercer os direitos de acesso, retificação, apagamento, limitação, oposição e portabilidade.",
          ),
        ),
        h(
          "p",
          {},
          t(
            "É responsável pela veracidade dos dados e documentos que entrega e por guardar a palavra-passe em segurança.",
          ),
        ),
      ),
      checkboxField({
        id: "accept_terms",
        label: t("Li e aceito as Condições de Adesão ao Balcão Único"),
        field: "accept_terms",
      }),
    ],
    check: (f) => {
      const problems = required(f, [
        ["name", t("Indique o nome completo.")],
        ["identity_number", t("Indique o número de identificação fiscal.")],
        ["email", t("Indique o email.")],
        ["phone", t("Indique o telemóvel.")],
        ["street", t("Indique a rua e o número.")],
        ["postal_code", t("Indique o código postal.")],
        ["locality", t("Indique a localidade.")],
      ]);
      const postal = valueOf(f, "postal_code");
      if (postal && !POSTAL_CODE.test(postal))
        problems.push({ input: f.querySelector("#postal_code"), message: t("Código postal no formato 0000-000.") });
      const password = passwordProblem(valueOf(f, "password", { trim: false }));
      if (password) problems.push({ input: f.querySelector("#password"), message: password });
      if (!f.querySelector("#accept_terms").checked) {
        problems.push({
          input: f.querySelector("#accept_terms"),
          message: t("Tem de aceitar as Condições de Adesão para se registar."),
        });
      }
      return problems;
    },
    send: (f) =>
      register({
        person_type: f.querySelector("input[name=person_type]:checked").value,
        identity_number: valueOf(f, "identity_number"),
        name: valueOf(f, "name"),
        email: valueOf(f, "email"),
        phone: valueOf(f, "phone"),
        address: {
          street: valueOf(f, "street"),
          postal_code: valueOf(f, "postal_code"),
          locality: valueOf(f, "locality"),
        },
        password: valueOf(f, "password", { trim: false }),
        accept_terms: f.querySelector("#accept_terms").checked,
        terms_version: TERMS_VERSION,
      }),
    done: (answer, f) => {
      const email = valueOf(f, "email");
      ctx.setTitle(t("Verifique o seu email"));
      container.replaceChildren(
        h(
          "div",
          { class: "panel-confirmation", "data-testid": "confirmation", id: "registration-received" },
          h("h1", { tabindex: "-1", id: "registration-received-title" }, t("Verifique o seu email")),
        ),
        h("p", {}, answer.message),
        h(
          "p",
          {},
          t("Depois de confirmar o email, entre com o NIF e a palavra-passe para enviar o comprovativo de morada."),
        ),
      );
      container.append(resendSection(ctx, email));
      container.querySelector("#registration-received-title").focus();
    },
  });
  container.append(form);
  // NIF for a person, NIPC for a company
  form.addEventListener("change", () => {
    const company = form.querySelector("#person-type-company").checked;
    identityLabel.textContent = company ? t("NIPC") : t("NIF");
  });
}

// "Não recebeu o email?": POST /api/registrations/confirmation/resend (same answer always).
export function resendSection(ctx, email = "") {
  const section = h(
    "section",
    { class: "section-block", "aria-labelledby": "resend-title", id: "resend" },
    h("h2", { id: "resend-title" }, t("Não recebeu o email?")),
  );
  const errors = new ErrorSummary(section);
  const status = h("div", { role: "status", id: "resend-status" });
  section.append(
    apiForm({
      id: "resend-form",
      submitId: "resend-submit",
      submitLabel: t("Enviar a ligação de novo"),
      errors,
      labelledBy: "resend-title",
      children: [
        textField({
          id: "resend-email",
          type: "email",
          label: t("Email"),
          field: "email",
          value: email,
          autocomplete: "email",
        }),
      ],
      check: (f) => required(f, [["resend-email", t("Indique o email.")]]),
      send: (f) => resendRegistrationEmail(valueOf(f, "resend-email")),
      done: (answer) => status.replaceChildren(notice("success", h("p", {}, answer.message))),
    }),
    status,
  );
  // the summary's id would repeat the page's: this one is named for its section
  errors.element.id = "resend-error-summary";
  return section;
}
