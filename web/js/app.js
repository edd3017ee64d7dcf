// The web form's shell: a tiny hash router ("#/processos/p_…"), the session shown in the header,
// focus management on each page change, and the hand-over to login on a 401.
//
// To add a page: write js/pages/<name>.js exporting `render(ctx)` and add one line to ROUTES.
// ctx = { container, path, params, query, session, navigate, setTitle, flash, refreshSession }.

import * as api from "./api.js";
import { h, clear, notice } from "./ui.js";
import * as catalogue from "./pages/catalogue.js";
import * as service from "./pages/service.js";
import * as login from "./pages/login.js";
import * as newRequest from "./pages/new-request.js";
import * as myProcesses from "./pages/my-processes.js";
import * as processPage from "./pages/process.js";
import * as lookup from "./pages/lookup.js";

const SITE = "Balcão Único";

// [pattern, page module, nav item to highlight, needs a logged-in citizen]
const ROUTES = [
  [/^\/$/, catalogue, "servicos", false],
  [/^\/servicos\/([^/]+)$/, service, "servicos", false],
  [/^\/entrar$/, login, null, false],
  [/^\/pedidos\/novo\/([^/]+)$/, newRequest, "servicos", true],
  [/^\/rascunhos\/([^/]+)$/, newRequest, "processos", true],
  [/^\/processos$/, myProcesses, "processos", true],
  [/^\/processos\/([^/]+)$/, processPage, "processos", true],
  [/^\/consulta$/, lookup, "consulta", false],
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
      h("span", { class: "session__name", id: "session-user" },
        h("span", { class: "visually-hidden" }, "Sessão iniciada por "), state.session.user.name || state.session.user.username),
      h("button", { type: "button", class: "button button--small button--on-dark", id: "logout-button", onclick: doLogout }, "Sair"),
    );
  } else if (state.session === null) {
    area.append(h("a", { href: "#/entrar", class: "button button--small button--on-dark", id: "login-link" }, "Entrar"));
  }
}

async function doLogout() {
  try {
    await api.logout();
  } catch {
    // the server forgets the session either way; the cookie is cleared by its answer or expires
  }
  state.session = null;
  renderSession();
  state.flash = { kind: "success", text: "Terminou a sessão. Até breve." };
  navigate("/");
}

function setTitle(title) {
  document.title = title ? `${title} — ${SITE}` : SITE;
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
    setTitle("Página não encontrada");
    container.append(
      h("h1", { tabindex: "-1" }, "Página não encontrada"),
      h("p", {}, "O endereço pode estar errado ou a página pode ter mudado de lugar."),
      h("p", {}, h("a", { href: "#/" }, "Ir para a lista de serviços")),
    );
    return afterRender(container);
  }

  const [, page, nav, needsLogin] = entry;
  highlightNav(nav);
  if (needsLogin && !(state.session && state.session.user)) {
    state.flash = state.flash || { kind: null, text: "Inicie sessão para continuar." };
    return navigate(loginPathFor(current.path + (current.query.toString() ? `?${current.query}` : "")), { replace: true });
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
      h("div", { role: "alert" }, notice("error",
        h("p", {}, error instanceof api.ApiError ? error.message : "Ocorreu um erro inesperado. Recarregue a página e tente novamente."))),
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
    text: wasLoggedIn ? "A sua sessão terminou. Inicie sessão novamente para continuar." : "Inicie sessão para continuar.",
  };
  const back = current ? current.path + (current.query.toString() ? `?${current.query}` : "") : "/processos";
  navigate(loginPathFor(back), { replace: true });
}

function start() {
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
