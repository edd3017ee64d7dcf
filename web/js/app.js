// The web form's shell: a tiny hash router ("#/processos/p_…"), the session shown in the header,
// focus management on each page change, and the hand-over to login on a 401.
//
// To add a page: write js/pages/<name>.js exporting `render(ctx)` and add one line to ROUTES.
// ctx = { container, path, params, query, session, navigate, setTitle, flash, refreshSession }.
//
// A session has a scope (GET /api/me): "full"; "registration" (a registrant awaiting validation, who
// may only follow the registration); "code" (a first login waiting for its confirmation code). A page
// that needs a login needs a full session; the narrower ones are sent to the page they may use.

import * as api from "./api.js";
import { h, clear, notice } from "./dom.js";
import { formatDate, setDeployment } from "./format.js";
import { LANGUAGES, lang, setLang, t, translateStatic } from "./i18n.js";
import * as catalogue from "./pages/catalogue.js";
import * as service from "./pages/service.js";
import * as login from "./pages/login.js";
import * as newRequest from "./pages/new-request.js";
import * as myProcesses from "./pages/my-processes.js";
import * as processPage from "./pages/process.js";
import * as lookup from "./pages/lookup.js";
import * as privacy from "./pages/privacy.js";
import * as register from "./pages/register.js";
import * as confirmEmail from "./pages/confirm-email.js";
import * as registration from "./pages/registration.js";
import * as activation from "./pages/activation.js";
import * as loginCode from "./pages/login-code.js";
import * as recovery from "./pages/recovery.js";
import * as passwordReset from "./pages/password-reset.js";
import * as account from "./pages/account.js";
import * as pendingTasks from "./pages/pending-tasks.js";
import * as released from "./pages/released.js";
import * as messages from "./pages/messages.js";

const SITE = () => t("Balcão Único");

// Where a narrower session belongs (the API's "next" step, see chalicelib/api/sessions.py).
const SCOPE_HOME = { registration: "/registo/estado", code: "/entrar/codigo" };

// [pattern, page module, nav item to highlight, the session it needs: false (none), true (full),
//  or the narrower scope it serves ("registration", "code")]
const ROUTES = [
  [/^\/registo$/, register, null, false],
  [/^\/confirmar-email$/, confirmEmail, null, false],
  [/^\/registo\/estado$/, registration, null, "registration"],
  [/^\/ativar-conta$/, activation, null, false],
  [/^\/entrar\/codigo$/, loginCode, null, "code"],
  [/^\/recuperar-senha$/, recovery, null, false],
  [/^\/nova-palavra-passe$/, passwordReset, null, false],
  [/^\/conta$/, account, "conta", true],
  [/^\/$/, catalogue, "servicos", false],
  [/^\/servicos\/([^/]+)$/, service, "servicos", false],
  [/^\/entrar$/, login, null, false],
  [/^\/pedidos\/novo\/([^/]+)$/, newRequest, "servicos", true],
  [/^\/rascunhos\/([^/]+)$/, newRequest, "processos", true],
  [/^\/processos$/, myProcesses, "processos", true],
  [/^\/processos\/([^/]+)$/, processPage, "processos", true],
  [/^\/pendencias$/, pendingTasks, "pendencias", true],
  [/^\/processos-liberados(?:\/([^/]+))?$/, released, "processos", true],
  [/^\/mensagens$/, messages, "mensagens", true],
  [/^\/consulta$/, lookup, "consulta", false],
  [/^\/privacidade$/, privacy, null, false],
];

const state = {
  session: undefined, // undefined: not known yet; null: logged out; {user}: logged in
  flash: null,
  renderId: 0,
  firstRender: true,
};

const main = () => document.getElementById("conteudo");

function currentRoute() {
  const hash = window.location.hash || "#/";
  if (!hash.startsWith("#/")) return null; // an in-page anchor (e.g. the skip link), not a page
  const [path, queryString = ""] = hash.slice(1).split("?");
  return { path: decodeURIComponent(path) || "/", query: new URLSearchParams(queryString), hash };
}

export function navigate(path, { replace = false } = {}) {
  const hash = `#${path}`;
  if (replace) {
    window.history.replaceState(null, "", hash);
    route();
  } else if (window.location.hash === hash) {
    route();
  } else {
    window.location.hash = hash; // hashchange → route()
  }
}

async function refreshSession() {
  try {
    const data = await api.me();
    state.session = data && data.user ? data : null;
  } catch {
    state.session = null;
  }
  renderSession();
  return state.session;
}

function renderSession() {
  const area = document.getElementById("session-area");
  clear(area);
  if (state.session && state.session.user) {
    area.append(
      h(
        "span",
        { class: "session__name", id: "session-user" },
        h("span", { class: "visually-hidden" }, t("Sessão iniciada por ")),
        state.session.user.name || state.session.user.username,
      ),
      h(
        "button",
        { type: "button", class: "button button--small button--on-dark", id: "logout-button", onclick: doLogout },
        t("Sair"),
      ),
    );
  } else if (state.session === null) {
    area.append(
      h("a", { href: "#/registo", class: "button button--small button--on-dark", id: "register-link" }, t("Registar")),
      h("a", { href: "#/entrar", class: "button button--small button--on-dark", id: "login-link" }, t("Entrar")),
    );
  }
  const full = Boolean(state.session && state.session.scope === "full");
  for (const item of document.querySelectorAll("[data-full-session]")) item.hidden = !full;
}

// One button that switches to the other language, labelled in that language.
function renderLanguage() {
  const other = lang() === "en" ? "pt-PT" : "en";
  clear(document.getElementById("language-area")).append(
    h(
      "button",
      {
        type: "button",
        class: "button button--small button--on-dark",
        id: "language-switch",
        lang: other,
        "data-lang": other,
        onclick: () => switchLanguage(other),
      },
      LANGUAGES[other],
    ),
  );
}

function switchLanguage(value) {
  setLang(value);
  translateStatic();
  renderLanguage();
  renderSession();
  route();
  const button = document.getElementById("language-switch");
  if (button) button.focus();
}

async function doLogout() {
  try {
    await api.logout();
  } catch {
    // the server forgets the session either way; the cookie is cleared by its answer or expires
  }
  state.session = null;
  renderSession();
  state.flash = { kind: "success", text: t("Terminou a sessão. Até breve.") };
  navigate("/");
}

function setTitle(title) {
  document.title = title ? `${title} — ${SITE()}` : SITE();
}

function highlightNav(item) {
  for (const link of document.querySelectorAll("[data-nav]")) {
    if (link.dataset.nav === item) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function loginPathFor(returnTo) {
  return `/entrar?voltar=${encodeURIComponent(returnTo)}`;
}

async function route() {
  const current = currentRoute();
  if (!current) {
    if (!state.firstRender) return; // a plain anchor: leave the page as it is
    window.history.replaceState(null, "", "#/");
    return route();
  }
  const renderId = ++state.renderId;
  if (state.session === undefined) await refreshSession();
  if (renderId !== state.renderId) return;

  let match = null;
  let entry = null;
  for (const candidate of ROUTES) {
    match = candidate[0].exec(current.path);
    if (match) {
      entry = candidate;
      break;
    }
  }

  const container = h("div", { class: "page", "data-route": current.path });
  clear(main()).append(container);

  if (!entry) {
    highlightNav(null);
    setTitle(t("Página não encontrada"));
    container.append(
      h("h1", { tabindex: "-1" }, t("Página não encontrada")),
      h("p", {}, t("O endereço pode estar errado ou a página pode ter mudado de lugar.")),
      h("p", {}, h("a", { href: "#/" }, t("Ir para a lista de serviços"))),
    );
    return afterRender(container);
  }

  const [, page, nav, needsLogin] = entry;
  highlightNav(nav);
  const scope = state.session && state.session.user ? state.session.scope || "full" : null;
  if (needsLogin && !scope) {
    state.flash = state.flash || { kind: null, text: t("Inicie sessão para continuar.") };
    return navigate(loginPathFor(current.path + (current.query.toString() ? `?${current.query}` : "")), {
      replace: true,
    });
  }
  const wanted = needsLogin === true ? "full" : needsLogin;
  if (needsLogin && scope !== wanted) {
    // a narrower session may only use its own page; a full one has nothing to do on those
    return navigate(SCOPE_HOME[scope] || "/processos", { replace: true });
  }

  if (state.flash) {
    const { kind, text } = state.flash;
    state.flash = null;
    container.append(h("div", { role: "status", "data-testid": "flash" }, notice(kind, h("p", {}, text))));
  }

  const ctx = {
    container,
    path: current.path,
    params: match.slice(1),
    query: current.query,
    get session() {
      return state.session;
    },
    navigate,
    setTitle,
    isCurrent: () => renderId === state.renderId && container.isConnected,
    flash(kind, text) {
      state.flash = { kind, text };
    },
    async refreshSession() {
      return refreshSession();
    },
    loginPathFor,
  };
  try {
    await page.render(ctx);
  } catch (error) {
    if (!ctx.isCurrent()) return;
    if (error instanceof api.ApiError && error.status === 401) return; // handled by onUnauthenticated
    container.append(
      h(
        "div",
        { role: "alert" },
        notice(
          "error",
          h(
            "p",
            {},
            error instanceof api.ApiError
              ? error.message
              : t("Ocorreu um erro inesperado. Recarregue a página e tente novamente."),
          ),
        ),
      ),
    );
    if (!(error instanceof api.ApiError)) console.error(error); // eslint-disable-line no-console
  }
  if (ctx.isCurrent()) afterRender(container);
}

// Move focus to the new page's heading, as a screen reader user expects after a page change.
function afterRender(container) {
  if (state.firstRender) {
    state.firstRender = false;
    return;
  }
  if (container.contains(document.activeElement) && document.activeElement !== document.body) return;
  const heading = container.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
  window.scrollTo(0, 0);
}

function onUnauthenticated() {
  const wasLoggedIn = Boolean(state.session && state.session.user);
  state.session = null;
  renderSession();
  const current = currentRoute();
  if (current && current.path === "/entrar") return;
  state.flash = {
    kind: "warning",
    text: t(
      wasLoggedIn ? "A sua sessão terminou. Inicie sessão novamente para continuar." : "Inicie sessão para continuar.",
    ),
  };
  const back = current ? current.path + (current.query.toString() ? `?${current.query}` : "") : "/processos";
  navigate(loginPathFor(back), { replace: true });
}

// Where the deployment is (its time zone dates every timestamp shown) and, in the local stack's demo,
// the demo clock's today, shown in the footer of every page while it is set.
async function loadDeployment() {
  try {
    const deployment = await api.deployment();
    setDeployment(deployment);
    // The municipality's own name where the shell shows the demo's (a proper name: not translated)
    for (const element of document.querySelectorAll('[data-i18n="Município de Demonstração"]')) {
      element.removeAttribute("data-i18n");
      element.textContent = deployment.municipality;
    }
    const clock = document.getElementById("demo-clock");
    if (clock && deployment.demo_today) {
      clock.textContent = t("Relógio de demonstração: hoje é {date}.", { date: formatDate(deployment.demo_today) });
      clock.hidden = false;
    }
  } catch {
    // the pages still work; timestamps are then shown in the browser's own time zone
  }
}

async function start() {
  translateStatic();
  renderLanguage();
  await loadDeployment();
  document.getElementById("skip-link").addEventListener("click", (event) => {
    // The hash is the router's: focus the main content without changing it.
    event.preventDefault();
    const target = main();
    target.focus();
    target.scrollIntoView();
  });
  window.addEventListener("hashchange", route);
  window.addEventListener(api.UNAUTHENTICATED_EVENT, onUnauthenticated);
  route();
}

start();
