// The first login after activation: the session only allows asking for a 6-digit code (POST
// /api/session/code {channel}) and entering it (POST /api/session/code/verification), which gives a
// full session.
import { sendLoginCode, verifyLoginCode } from "../api.js";
import { t } from "../i18n.js";
import { h, notice } from "../dom.js";
import { apiForm, ErrorSummary, radioGroup, required, textField, valueOf } from "../forms.js";
import { CODE_CHANNELS_KEY } from "./login.js";

export async function render(ctx) {
  const { container } = ctx;
  ctx.setTitle(t("Código de confirmação"));
  let channels = ["email"];
  try {
    channels = JSON.parse(window.sessionStorage.getItem(CODE_CHANNELS_KEY) || "null") || channels;
  } catch {
    // email only
  }
  const user = ctx.session.user;
  if (user.phone_confirmed && !channels.includes("sms")) channels = [...channels, "sms"];
  container.append(
    h("h1", {}, t("Código de confirmação")),
    h("p", {}, t("É o seu primeiro acesso: confirme-o com um código de 6 algarismos.")),
  );
  const errors = new ErrorSummary(container);
  const sent = h("div", { role: "status", id: "code-sent" });
  const labels = { email: t("Por email"), sms: t("Por SMS, para o telemóvel confirmado") };
  container.append(
    apiForm({
      id: "code-channel-form",
      submitId: "send-code",
      submitLabel: t("Enviar código"),
      errors,
      children: [
        radioGroup({
          id: "channel",
          name: "channel",
          legend: t("Como quer receber o código?"),
          field: "channel",
          value: channels[0],
          options: channels.map((channel) => [channel, labels[channel] || channel]),
        }),
      ],
      send: (f) => sendLoginCode(f.querySelector("input[name=channel]:checked").value),
      done: (answer) => {
        sent.replaceChildren(
          notice(
            "success",
            h(
              "p",
              {},
              t("Enviámos um código para {to}. É válido durante {minutes} minutos.", {
                to: answer.to,
                minutes: answer.valid_minutes,
              }),
            ),
          ),
        );
        container.querySelector("#code").focus();
      },
    }),
    sent,
    apiForm({
      id: "code-form",
      submitId: "verify-code",
      submitLabel: t("Confirmar"),
      errors,
      children: [
        textField({
          id: "code",
          label: t("Código de 6 algarismos"),
          field: "code",
          autocomplete: "one-time-code",
          inputClass: "input--short",
          extra: { inputmode: "numeric", maxlength: "12" },
        }),
      ],
      check: (f) => required(f, [["code", t("Indique o código que recebeu.")]]),
      send: (f) => verifyLoginCode(valueOf(f, "code").replace(/\s+/g, "")),
      done: async () => {
        try {
          window.sessionStorage.removeItem(CODE_CHANNELS_KEY);
        } catch {
          // nothing kept
        }
        await ctx.refreshSession();
        ctx.flash("success", t("Acesso confirmado. Bem-vindo ao Balcão Único."));
        ctx.navigate("/processos", { replace: true });
      },
    }),
  );
}
