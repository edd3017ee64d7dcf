// The HTTP API of Balcão, as the pages use it. Same origin: the session is an HttpOnly cookie the
// browser sends by itself (JS never sees it). Every failure becomes an ApiError carrying the API's
// {"error": {"code", "message", "field"}} so the pages can show the message beside the field.

import { t } from "./i18n.js";

export class ApiError extends Error {
  // errors: every problem the API reported ({field, message}), the first being (message, field)
  constructor(status, code, message, field = null, errors = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
    this.errors = errors && errors.length ? errors : [{ field, message }];
  }
}

const NETWORK_MESSAGE = "Não foi possível contactar o serviço. Verifique a ligação à Internet e tente novamente.";

// A 401 anywhere (except the login itself) means the session ended: app.js listens and shows login.
export const UNAUTHENTICATED_EVENT = "balcao:unauthenticated";

export async function request(method, path, body, { allow401 = false, idempotencyKey = null } = {}) {
  const init = {
    method,
    credentials: "same-origin",
    // The API refuses a state-changing request that the session cookie authenticates without this
    // header (CSRF protection: another site cannot add it without a CORS preflight).
    headers: { Accept: "application/json", "X-Balcao-CSRF": "1" },
    cache: "no-store",
  };
  // An action sent twice (a double click, a retry after a lost answer) with the same key is done once.
  if (idempotencyKey) init.headers["Idempotency-Key"] = idempotencyKey;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, "sem_ligacao", t(NETWORK_MESSAGE));
  }
  let data = null;
  const text = await response.text().catch(() => "");
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (response.ok) return data;
  const error = data && data.error ? data.error : {};
  const apiError = new ApiError(
    response.status,
    error.code || "erro",
    error.message || defaultMessage(response.status),
    error.field || null,
    data && Array.isArray(data.errors) ? data.errors : null,
  );
  if (response.status === 401 && !allow401) {
    window.dispatchEvent(new CustomEvent(UNAUTHENTICATED_EVENT, { detail: apiError }));
  }
  throw apiError;
}

function defaultMessage(status) {
  if (status === 401) return t("Inicie sessão para continuar.");
  if (status === 403) return t("Não tem permissão para esta ação.");
  if (status === 404) return t("Não encontrado.");
  if (status >= 500) return t("O serviço está temporariamente indisponível. Tente novamente dentro de momentos.");
  return t("O pedido não pôde ser tratado.");
}

const enc = encodeURIComponent;

// -- public
export const deployment = () => request("GET", "/api/deployment");
export const listServices = (query = "") =>
  request("GET", query ? `/api/services?q=${encodeURIComponent(query)}` : "/api/services");
export const getService = (id) => request("GET", `/api/services/${enc(id)}`);
export const retentionSchedule = () => request("GET", "/api/public/retention");
export const publicLookup = (organ, year, sequence) =>
  request("GET", `/api/public/processes/${enc(organ)}/${enc(year)}/${enc(sequence)}`);

// -- session
export const login = (identifier, password) =>
  request("POST", "/api/session", { identifier, password }, { allow401: true });
export const logout = () => request("DELETE", "/api/session", undefined, { allow401: true });
export const me = () => request("GET", "/api/me", undefined, { allow401: true });
export const sendLoginCode = (channel) => request("POST", "/api/session/code", { channel });
export const verifyLoginCode = (code) => request("POST", "/api/session/code/verification", { code });

// -- registration and account (chalicelib/api/accounts.py)
export const register = (registration) => request("POST", "/api/registrations", registration);
export const confirmRegistrationEmail = (token) =>
  request("POST", "/api/registrations/confirmation", { token }, { allow401: true });
export const resendRegistrationEmail = (email) => request("POST", "/api/registrations/confirmation/resend", { email });
export const myRegistration = () => request("GET", "/api/registration");
export const requestProofSlot = (filename, contentType) =>
  request("POST", "/api/registration/documents", { filename, content_type: contentType });
export const activateAccount = (identifier, activationPassword, newPassword) =>
  request(
    "POST",
    "/api/account/activation",
    { identifier, activation_password: activationPassword, new_password: newPassword },
    { allow401: true },
  );
export const recoverPassword = (identifier) => request("POST", "/api/password/recovery", { identifier });
export const resetPassword = (token, newPassword) =>
  request("POST", "/api/password/reset", { token, new_password: newPassword }, { allow401: true });
export const changePassword = (currentPassword, newPassword) =>
  request("POST", "/api/account/password", { current_password: currentPassword, new_password: newPassword });
export const changeEmail = (password, newEmail) =>
  request("POST", "/api/account/email", { password, new_email: newEmail });
export const confirmEmailChange = (token) =>
  request("POST", "/api/account/email/confirmation", { token }, { allow401: true });
export const mySessions = () => request("GET", "/api/account/sessions");
export const myDataAccess = () => request("GET", "/api/account/data-access");
export const requestExport = () => request("POST", "/api/account/exports");
export const myExports = () => request("GET", "/api/account/exports");
export const fileRightsRequest = (body) => request("POST", "/api/account/rights-requests", body);
export const myRightsRequests = () => request("GET", "/api/account/rights-requests");
export const exportDownload = (exportId) => request("GET", `/api/account/exports/${enc(exportId)}/download`);
export const processDataAccess = (processId) => request("GET", `/api/requests/${enc(processId)}/data-access`);
export const endOtherSessions = (password) => request("POST", "/api/account/sessions/ending", { password });
export const changePhone = (phone) => request("POST", "/api/account/phone", { phone });
export const confirmPhone = (code) => request("POST", "/api/account/phone/confirmation", { code });

// -- the citizen's requests
export const createRequest = (serviceId, fields, parts = {}) =>
  request("POST", "/api/requests", { service_id: serviceId, fields, ...parts });
export const saveDraft = (processId, changes) => request("PATCH", `/api/requests/${enc(processId)}`, changes);
export const requestPlan = (processId) => request("GET", `/api/requests/${enc(processId)}/plan`);
export const previewPlan = (serviceId, fields) => request("POST", `/api/services/${enc(serviceId)}/plan`, { fields });
export const myRequests = () => request("GET", "/api/requests");
export const getRequest = (processId) => request("GET", `/api/requests/${enc(processId)}`);
export const requestUploadSlot = (processId, slot, filename, contentType) =>
  request("POST", `/api/requests/${enc(processId)}/documents`, { slot, filename, content_type: contentType });
export const getDocument = (processId, documentId) =>
  request("GET", `/api/requests/${enc(processId)}/documents/${enc(documentId)}`);
export const documentDownload = (processId, documentId) =>
  request("GET", `/api/requests/${enc(processId)}/documents/${enc(documentId)}/download`);
export const receiptDownload = (processId) => request("GET", `/api/requests/${enc(processId)}/receipt`);
export const submitRequest = (processId) => request("POST", `/api/requests/${enc(processId)}/submit`);

// -- after submission (chalicelib/api/lifecycle.py, signatures.py, messages.py). Each action takes the
// key of the form that sends it (newKey()), so that sending it again cannot answer or sign twice.
export function newKey() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
}
export const myPendingTasks = () => request("GET", "/api/pending-tasks");
export const taskAttachmentSlot = (processId, taskId, filename, contentType) =>
  request("POST", `/api/requests/${enc(processId)}/tasks/${enc(taskId)}/documents`, {
    filename,
    content_type: contentType,
  });
export const answerTask = (processId, taskId, text, documentIds, idempotencyKey) =>
  request(
    "POST",
    `/api/requests/${enc(processId)}/tasks/${enc(taskId)}/answer`,
    { text, document_ids: documentIds },
    { idempotencyKey },
  );
export const signTask = (processId, taskId, password, acceptStatement, idempotencyKey) =>
  request(
    "POST",
    `/api/requests/${enc(processId)}/tasks/${enc(taskId)}/signature`,
    { password, accept_statement: acceptStatement },
    { idempotencyKey },
  );
export const processMessages = (processId) => request("GET", `/api/requests/${enc(processId)}/messages`);
export const messageAttachmentSlot = (processId, filename, contentType) =>
  request("POST", `/api/requests/${enc(processId)}/messages/attachments`, { filename, content_type: contentType });
export const sendProcessMessage = (processId, text, attachments, idempotencyKey) =>
  request("POST", `/api/requests/${enc(processId)}/messages`, { text, attachments }, { idempotencyKey });
export const generalMessages = (organ) => request("GET", `/api/messages/${enc(organ)}`);
export const sendGeneralMessage = (organ, text, idempotencyKey) =>
  request("POST", `/api/messages/${enc(organ)}`, { text }, { idempotencyKey });
export const releasedProcesses = () => request("GET", "/api/released-processes");
export const releasedProcess = (processId) => request("GET", `/api/released-processes/${enc(processId)}`);

// -- the file itself: a multipart POST straight to S3 (presigned), never through the API.
// XMLHttpRequest, not fetch, because only it reports upload progress.
export function uploadToS3(upload, file, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields || {})) form.append(name, value);
    form.append("file", file); // S3 ignores every field after "file": it must be last
    const xhr = new XMLHttpRequest();
    xhr.open("POST", upload.url);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && onProgress) onProgress(event.loaded, event.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        if (onProgress) onProgress(file.size, file.size);
        resolve();
      } else {
        // S3 answers XML; 403 usually means the signed form expired or the file broke its limits.
        const expired = xhr.status === 403 || /ExpiredToken|AccessDenied|Policy expired/i.test(xhr.responseText || "");
        const tooLarge = /EntityTooLarge/i.test(xhr.responseText || "");
        reject(
          new ApiError(
            xhr.status,
            tooLarge ? "demasiado_grande" : expired ? "autorizacao_expirada" : "envio_falhou",
            tooLarge ? t("O ficheiro excede o tamanho máximo permitido.") : t("O envio do ficheiro falhou."),
          ),
        );
      }
    };
    xhr.onerror = () => reject(new ApiError(0, "sem_ligacao", t("A ligação falhou durante o envio do ficheiro.")));
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = () => reject(new ApiError(0, "cancelado", t("O envio foi cancelado.")));
    xhr.send(form);
  });
}
