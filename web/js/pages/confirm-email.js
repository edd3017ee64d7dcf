// The link emailed to confirm an address: #/confirmar-email?token=… (a registration, POST
// /api/registrations/confirmation) or #/confirmar-email?alteracao=1&token=… (a change of the account's
// email, POST /api/account/email/confirmation). The citizen presses the button: a link opened by a
// mail scanner confirms nothing.
import { confirmEmailChange, confirmRegistrationEmail } from "../api.js";
import { t } from "../i18n.js";
import { h, notice } from "../dom.js";
import { apiForm, ErrorSummary } from "../forms.js";
import { resendSection } from "./register.js";

export async function render(ctx) {
  const { container } = ctx;
  const token = ctx.query.get("token") || "";
  const change = ctx.query.get("alteracao") === "1";
  ctx.setTitle(t("Confirmar o email"));
  container.append(h("h1", {}, t("Confirmar o email")));
  const errors = new ErrorSummary(container);
  if (!token) {
    container.append(
      notice(
        "warning",
        h("p", {}, t("Esta ligação está incompleta. Abra a ligação do email tal como a recebeu, ou peça uma nova.")),
      ),
    );
    if (!change) container.append(resendSection(ctx));
    return;
  }
  container.append(
    h(
      "p",
      {},
      change
        ? t("Confirme que este é o novo email da sua conta.")
        : t("Confirme o seu email para que o registo siga para validação pelos serviços do Município."),
    ),
    apiForm({
      id: "confirm-email-form",
      submitId: "confirm-email-submit",
      submitLabel: t("Confirmar o email"),
      errors,
      children: [],
      send: () => (change ? confirmEmailChange(token) : confirmRegistrationEmail(token)),
      done: (answer) => {
        ctx.setTitle(t("Email confirmado"));
        container.replaceChildren(
          h(
            "div",
            { class: "panel-confirmation", "data-testid": "confirmation", id: "email-confirmed" },
            h("h1", { tabindex: "-1", id: "email-confirmed-title" }, t("Email confirmado")),
          ),
          change
            ? h("p", {}, t("O email da sua conta passou a ser {email}.", { email: answer.email }))
            : h(
                "p",
                {},
                t(
                  "O registo segue agora para validação. Entre com o NIF e a palavra-passe que escolheu para enviar o comprovativo de morada e acompanhar o registo.",
                ),
              ),
          h(
            "p",
            {},
            h(
              "a",
              { class: "button", id: "continue-login", href: change ? "#/conta" : "#/entrar?voltar=/registo/estado" },
              change ? t("A minha conta") : t("Entrar"),
            ),
          ),
        );
        container.querySelector("#email-confirmed-title").focus();
      },
    }),
  );
  if (!change) container.append(resendSection(ctx));
}
