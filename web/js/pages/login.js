// Citizen login: POST /api/session. The session is an HttpOnly cookie set by the server. Its answer's
// scope says where to go: "full" → where the citizen was going; "registration" (awaiting validation)
// → the registration's page; "code" (first login) → the confirmation code's page, with the channels
// the code may go by (kept for that page in sessionStorage).
import { login } from "../api.js";
import { t } from "../i18n.js";
import { h, notice } from "../dom.js";
import { ErrorSummary, textField } from "../forms.js";

export const CODE_CHANNELS_KEY = "balcao.codeChannels";

export async function render(ctx) {
  const { container } = ctx;
  ctx.setTitle(t("Entrar"));
  const returnTo = safeReturn(ctx.query.get("voltar"));

  container.append(h("h1", {}, t("Entrar")));
  if (ctx.session && ctx.session.user) {
    container.append(
      notice(
        null,
        h(
          "p",
          {},
          t("Já tem sessão iniciada como {name}.", { name: ctx.session.user.name || ctx.session.user.username }),
        ),
      ),
      h("p", {}, h("a", { href: "#/processos" }, t("Ir para os meus processos"))),
    );
    return;
  }

  container.append(
    h(
      "p",
      {},
      t("Use o seu número de identificação fiscal (NIF), o nome de utilizador ou o email, e a palavra-passe."),
    ),
  );
  const form = h(
    "form",
    { id: "login-form", novalidate: true, "aria-labelledby": "login-form-title" },
    h("h2", { class: "visually-hidden", id: "login-form-title" }, t("Dados de acesso")),
    textField({
      id: "identifier",
      name: "identifier",
      label: t("NIF, nome de utilizador ou email"),
      field: "identifier",
      autocomplete: "username",
      inputClass: "input--medium",
      extra: { spellcheck: "false", autocapitalize: "none" },
    }),
    textField({
      id: "password",
      name: "password",
      type: "password",
      label: t("Palavra-passe"),
      field: "password",
      autocomplete: "current-password",
      inputClass: "input--medium",
    }),
    h(
      "div",
      { class: "form-group" },
      h(
        "label",
        { class: "checkbox", for: "show-password" },
        h("input", { type: "checkbox", id: "show-password" }),
        " ",
        t("Mostrar a palavra-passe"),
      ),
    ),
    h(
      "div",
      { class: "button-row" },
      h("button", { type: "submit", class: "button", id: "login-submit" }, t("Entrar")),
    ),
  );
  container.append(
    form,
    h(
      "ul",
      { class: "link-list" },
      h(
        "li",
        {},
        h("a", { href: "#/recuperar-senha", id: "forgot-password-link" }, t("Esqueceu-se da palavra-passe?")),
      ),
      h("li", {}, h("a", { href: "#/registo", id: "register-page-link" }, t("Ainda não tem conta? Registe-se"))),
      h(
        "li",
        {},
        h(
          "a",
          { href: "#/ativar-conta", id: "activation-link" },
          t("Recebeu a palavra-passe de ativação? Ative a conta"),
        ),
      ),
    ),
  );
  const errors = new ErrorSummary(container);
  const identifier = form.querySelector("#identifier");
  const password = form.querySelector("#password");
  form.querySelector("#show-password").addEventListener("change", (event) => {
    password.type = event.target.checked ? "text" : "password";
  });

  let busy = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    const problems = [];
    if (!identifier.value.trim())
      problems.push({ input: identifier, message: t("Indique o seu NIF, nome de utilizador ou email.") });
    if (!password.value) problems.push({ input: password, message: t("Indique a palavra-passe.") });
    if (problems.length) return errors.show(problems);
    errors.clear();
    busy = true;
    const button = form.querySelector("#login-submit");
    button.setAttribute("aria-disabled", "true");
    button.textContent = t("A entrar…");
    try {
      const answer = await login(identifier.value.trim(), password.value);
      await ctx.refreshSession();
      if (answer.scope === "code") {
        try {
          window.sessionStorage.setItem(CODE_CHANNELS_KEY, JSON.stringify(answer.channels || ["email"]));
        } catch {
          // the code page offers the email only
        }
      }
      ctx.navigate({ registration: "/registo/estado", code: "/entrar/codigo" }[answer.scope] || returnTo, {
        replace: true,
      });
    } catch (error) {
      if (!ctx.isCurrent()) return;
      errors.showApiError(error);
    } finally {
      busy = false;
      button.removeAttribute("aria-disabled");
      button.textContent = t("Entrar");
    }
  });
}

// Only a path of this app ("/processos/…"), never another site.
function safeReturn(value) {
  if (value && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/entrar")) return value;
  return "/processos";
}
