// The web form's languages: pt-PT (the default, and the text written in the pages) and English.
// A page writes its text in pt-PT through t("…"); in English t() looks the same text up in EN and
// falls back to the pt-PT text where there is no translation yet. The choice is kept in
// localStorage and set on <html lang>. Messages from the API stay as the API words them (pt-PT).

const STORAGE_KEY = "balcao.lang";
export const LANGUAGES = { "pt-PT": "Português", en: "English" };

let current = readStored();

function readStored() {
  try {
    return window.localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "pt-PT";
  } catch {
    return "pt-PT"; // storage blocked: the default
  }
}

export const lang = () => current;

// The locale for numbers and dates.
export const locale = () => (current === "en" ? "en-GB" : "pt-PT");

export function setLang(value) {
  current = value === "en" ? "en" : "pt-PT";
  try {
    window.localStorage.setItem(STORAGE_KEY, current);
  } catch {
    // not remembered, but still applied to this page
  }
  document.documentElement.lang = current;
}

// t("Faltam {n} dias", {n: 3}): the text in the current language, placeholders filled.
export function t(text, values) {
  const chosen = current === "en" && Object.prototype.hasOwnProperty.call(EN, text) ? EN[text] : text;
  return values ? chosen.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole)) : chosen;
}

// The static shell (index.html): elements with data-i18n="<pt-PT text>" (their text) or
// data-i18n-label (their aria-label).
export function translateStatic(root = document) {
  document.documentElement.lang = current;
  for (const element of root.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const element of root.querySelectorAll("[data-i18n-label]")) element.setAttribute("aria-label", t(element.dataset.i18nLabel));
}

const EN = {
  // shell
  "Saltar para o conteúdo principal": "Skip to main content",
  "Município de Demonstração": "Demonstration Municipality",
  "Balcão Único": "One-Stop Counter",
  "Navegação principal": "Main navigation",
  "Serviços": "Services",
  "Os meus processos": "My processes",
  "Consultar processo": "Look up a process",
  "A minha conta": "My account",
  "Registar": "Register",
  "Entrar": "Log in",
  "Sair": "Log out",
  "Sessão iniciada por ": "Logged in as ",
  "Idioma": "Language",
  "Atendimento:": "Help desk:",
  "A carregar…": "Loading…",
  "Página não encontrada": "Page not found",
  "O endereço pode estar errado ou a página pode ter mudado de lugar.": "The address may be wrong, or the page may have moved.",
  "Ir para a lista de serviços": "Go to the list of services",
  "Terminou a sessão. Até breve.": "You have logged out. See you soon.",
  "Inicie sessão para continuar.": "Log in to continue.",
  "A sua sessão terminou. Inicie sessão novamente para continuar.": "Your session has ended. Log in again to continue.",
  "Ocorreu um erro inesperado. Recarregue a página e tente novamente.": "Something went wrong. Reload the page and try again.",
  "Localização": "You are here",
  "Há um problema": "There is a problem",
  "Erro: ": "Error: ",
  "Opcional.": "Optional.",
  "obrigatório": "required",
  "opcional": "optional",
  "Escolha…": "Choose…",
  "Sim": "Yes",
  "Não": "No",
  "Mostrar a palavra-passe": "Show the password",
  "Voltar": "Back",
  // statuses
  "Rascunho": "Draft",
  "Submetido": "Submitted",
  "A aguardar pagamento": "Awaiting payment",
  "Em apreciação": "Under review",
  "Deferido": "Approved",
  "Indeferido": "Rejected",
  "Documentos recusados": "Documents refused",
  "Em verificação": "Being checked",
  "Aceite": "Accepted",
  "Recusado": "Refused",
  // catalogue and service
  "Serviços municipais online": "Municipal services online",
  "Apresente pedidos ao Município, entregue os documentos e acompanhe os seus processos, sem ir ao balcão.":
    "File requests with the Municipality, hand in documents and follow your processes without going to the counter.",
  "Veja o estado dos seus pedidos, os documentos entregues e as decisões.": "See where your requests stand, the documents you handed in and the decisions.",
  "Consultar um processo": "Look up a process",
  "Consulte os dados básicos de um processo pelo seu número, sem iniciar sessão.": "See a process's basic data by its number, without logging in.",
  "Catálogo de serviços": "Catalogue of services",
  "Procurar um serviço": "Search for a service",
  "Por exemplo: água, prestações, máquina de diversão.": "For example: water, installments, amusement machine.",
  "Procurar": "Search",
  "Limpar a pesquisa": "Clear the search",
  "Nenhum serviço corresponde a «{q}». Tente outras palavras.": "No service matches “{q}”. Try other words.",
  "{n} serviços correspondem a «{q}».": "{n} services match “{q}”.",
  "1 serviço corresponde a «{q}».": "1 service matches “{q}”.",
  "Iniciar pedido": "Start a request",
  "Documentos a apresentar": "Documents to hand in",
  "Este serviço não pede documentos.": "This service asks for no documents.",
  "Conforme quem pede": "Depending on who asks",
  "Mais informação": "More information",
  "Quem pode pedir": "Who may ask",
  "Custo": "Cost",
  "Prazo de decisão": "Decision deadline",
  "Enquadramento legal": "Legal basis",
  "Contactos": "Contacts",
  "Horário": "Opening hours",
  "Morada": "Address",
  "Sem custo.": "Free of charge.",
  "dias úteis": "working days",
  "dia útil": "working day",
  "dias": "days",
  "dia": "day",
  // login and code
  "Use o seu número de identificação fiscal (NIF), o nome de utilizador ou o email, e a palavra-passe.":
    "Use your tax number (NIF), your username or your email, and your password.",
  "Dados de acesso": "Login details",
  "NIF, nome de utilizador ou email": "NIF, username or email",
  "Palavra-passe": "Password",
  "A entrar…": "Logging in…",
  "Indique o seu NIF, nome de utilizador ou email.": "Enter your NIF, username or email.",
  "Indique a palavra-passe.": "Enter your password.",
  "Esqueceu-se da palavra-passe?": "Forgot your password?",
  "Ainda não tem conta? Registe-se": "No account yet? Register",
  "Recebeu a palavra-passe de ativação? Ative a conta": "Received your activation password? Activate your account",
  "Código de confirmação": "Confirmation code",
  "É o seu primeiro acesso: confirme-o com um código de 6 algarismos.": "This is your first login: confirm it with a 6-digit code.",
  "Como quer receber o código?": "How do you want to receive the code?",
  "Por email": "By email",
  "Por SMS, para o telemóvel confirmado": "By text message, to the confirmed mobile phone",
  "Enviar código": "Send code",
  "Código de 6 algarismos": "6-digit code",
  "Confirmar": "Confirm",
  "Indique o código que recebeu.": "Enter the code you received.",
  // registration
  "Registo": "Registration",
  "Criar conta": "Create an account",
  "Registe-se uma vez para apresentar pedidos e acompanhar os processos. Depois de confirmar o email, envie um comprovativo de morada: os serviços validam-no e enviam-lhe os dados de acesso.":
    "Register once to file requests and follow your processes. After confirming your email, send a proof of address: staff validate it and email you your login details.",
  "Registo como": "Registering as",
  "Pessoa singular": "Individual",
  "Empresa ou outra pessoa coletiva": "Company or other legal person",
  "Nome completo": "Full name",
  "NIF": "NIF (tax number)",
  "NIF ou NIPC": "NIF or NIPC",
  "9 algarismos.": "9 digits.",
  "Email": "Email",
  "Telemóvel": "Mobile phone",
  "Morada completa": "Full address",
  "Rua e número": "Street and number",
  "Código postal": "Postal code",
  "No formato 0000-000.": "In the format 0000-000.",
  "Localidade": "Town",
  "Pelo menos 8 caracteres; sugerimos uma frase de 15 ou mais.": "At least 8 characters; we suggest a phrase of 15 or more.",
  "Li e aceito as Condições de Adesão ao Balcão Único": "I have read and accept the One-Stop Counter's terms of use",
  "Condições de Adesão": "Terms of use",
  "Registar-me": "Register",
  "Verifique o seu email": "Check your email",
  "Não recebeu o email?": "Didn't get the email?",
  "Enviar a ligação de novo": "Send the link again",
  "Confirmar o email": "Confirm your email",
  "Email confirmado": "Email confirmed",
  "O registo": "Your registration",
  "Estado do registo": "Registration status",
  "Comprovativo de morada": "Proof of address",
  "Ativar a conta": "Activate your account",
  "Nome de utilizador": "Username",
  "Palavra-passe de ativação": "Activation password",
  "Nova palavra-passe": "New password",
  "Repita a nova palavra-passe": "Repeat the new password",
  "As palavras-passe não coincidem.": "The passwords do not match.",
  "Recuperar a palavra-passe": "Recover your password",
  "Definir nova palavra-passe": "Set a new password",
  "Enviar ligação": "Send link",
  // account
  "Alterar o email": "Change your email",
  "Alterar o telemóvel": "Change your mobile phone",
  "Alterar a palavra-passe": "Change your password",
  "Novo email": "New email",
  "Palavra-passe atual": "Current password",
  "Novo telemóvel": "New mobile phone",
  "Código recebido por SMS": "Code received by text message",
  "Enviar código por SMS": "Send a code by text message",
  "Guardar": "Save",
  "Os seus dados": "Your details",
  // requests
  "Novo pedido": "New request",
  "Dados do pedido": "Request details",
  "Quem pede": "Who asks",
  "Notificações": "Notifications",
  "Documentos": "Documents",
  "Rever e submeter": "Review and submit",
  "Guardar rascunho": "Save draft",
  "Guardar e continuar": "Save and continue",
  "A guardar…": "Saving…",
  "Submeter": "Submit",
  "A submeter…": "Submitting…",
  "Pedido submetido": "Request submitted",
  "Ver o processo": "See the process",
  "Plano de pagamento (pré-visualização)": "Payment plan (preview)",
  "Plano de pagamento": "Payment plan",
  "Pagamento": "Payment",
  "Referência Multibanco": "Multibanco reference",
  "Entidade": "Entity",
  "Referência": "Reference",
  "Valor": "Amount",
  "Estado": "Status",
  "Número": "Number",
  "Serviço": "Service",
  "Criado em": "Created on",
  "Submetido em": "Submitted on",
  "Decisão": "Decision",
  "Fundamentação": "Grounds",
  "Atualizar": "Refresh",
  "Voltar aos meus processos": "Back to my processes",
  "Descarregar": "Download",
  "Descarregar o comprovativo de entrega (PDF)": "Download the proof of submission (PDF)",
  "Requerente": "Applicant (requerente)",
  "Representante": "Representative",
};
