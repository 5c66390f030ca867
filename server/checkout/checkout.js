// The demo checkout page of taplink-server's merchant listener (docs/server.md, "Merchant
// listener and demo checkout"). The person picks an amount, then either tops up a city card
// (topup()), loads e-cash onto a bank card from the demo account (圈存, ecload()) or pays the
// demo shop with a bank card (Tap & Pay, pay()); the page asks its own server for the order
// (POST /merchant/orders) and has TapLink run it on the tapped card through the page SDK,
// showing each stage, then the receipt or what went wrong and what to do. "Try again" retries
// the same order: taplinkd and the server make sure it is loaded or charged once. A TapLink
// that is missing or too old for the button pressed gets the install/update link
// (connect({requires, installUrl}), docs/browser-sdk.md "Install and update").
//
// Test hooks: ?transport=auto|extension|websocket and ?ws=<WebSocket URL> go to connect().
import { connect } from "/sdk/taplink.js";

const STAGE_TEXT = {
  idle: "Choose an amount, then press a button below it.",
  ready: "Press Top up city card, Load e-cash or Pay with bank card when you are ready.",
  creating_order: "Creating your order…",
  connecting: "Connecting to TapLink…",
  waiting_for_card: "Tap your card on the reader",
  choosing_application: "Choose the card's application in TapLink · 在 TapLink 中选择应用",
  awaiting_confirmation: "Waiting for your confirmation in TapLink",
  entering_pin: "Enter your PIN in TapLink · 请在 TapLink 中输入密码",
  authorizing: "Authorizing",
  completing: "Completing with the card · 与卡片完成交易",
  writing: "Writing to the card",
  confirming: "Confirming with the bank",
  done: "Top-up complete",
  failed: "The top-up did not complete",
};

const STEPS = ["waiting_for_card", "choosing_application", "awaiting_confirmation", "entering_pin", "authorizing", "writing", "completing", "confirming"];
const INSTALL_URL = "/assets/install.html";

// What each TapLinkError code means to the person, and what to do about it.
const RETRY = "then press Try again.";
const HELP = {
  not_installed: ["TapLink is not installed", `Install TapLink on this computer (or start it), ${RETRY}`],
  not_running: ["TapLink is not running", `Start TapLink, ${RETRY}`],
  origin_denied: ["TapLink does not accept this shop", "TapLink blocked this website. Allow it in TapLink's settings (allowed sites), then press Try again."],
  card_removed: ["The card was moved away too soon", "Keep your card on the reader until the receipt appears, then press Try again. You will not be charged twice."],
  no_reader: ["No card reader found", `Connect the card reader, ${RETRY}`],
  pcsc_unavailable: ["The card reader service is not running", `Start the smart card service (pcscd), ${RETRY}`],
  no_card: ["No card on the reader", `Place your Metro City Card on the reader, ${RETRY}`],
  timeout: ["No card was tapped in time", `Place your Metro City Card on the reader, ${RETRY}`],
  unsupported_card: ["This card cannot be topped up here", "Use a Metro City Card, then press Try again."],
  user_denied: ["You declined the top-up in TapLink", "Nothing was loaded. Press Try again if you want to go ahead."],
  confirmation_unavailable: ["TapLink could not ask for your confirmation", `Open the TapLink app, ${RETRY}`],
  server_unreachable: ["The bank could not be reached", `Check this computer's internet connection, ${RETRY}`],
  server_error: ["The bank had a problem", `Wait a moment, ${RETRY}`],
  declined: ["The top-up was declined", "Nothing was loaded. Contact Metro City Card customer service."],
  order_settled: ["This order is already paid", "Your card already holds this top-up. Choose an amount to start a new one."],
  order_not_found: ["The order was not found", "Choose an amount and press a button to start a new order."],
  wrong_scheme: ["这张卡不能用于此操作 · This card does not fit this order", "Top up a Metro City Card, or load e-cash onto a bank card · 城市卡请用充值，银行卡请用圈存。"],
  ec_limit_exceeded: ["超出电子现金上限 · Over the card's e-cash limit", "Nothing was loaded. Choose a smaller amount · 未圈存，请选择较小的金额。"],
  card_expired: ["卡已过期 · The card has expired", "Nothing was loaded. Use a valid bank card · 未圈存，请使用有效的银行卡。"],
  pin_blocked: ["银行卡密码已锁定 · The card's PIN is blocked", "Nothing was loaded. Contact the issuing bank · 未圈存，请联系发卡银行。"],
  no_application: ["卡上没有可用的电子现金应用 · No e-cash application on this card", "Use a bank card with e-cash (PBOC) · 请使用支持电子现金的银行卡。"],
  script_rejected: ["TapLink refused an unsafe instruction", "Nothing was loaded. Please tell the shop."],
  chip_unavailable: ["TapLink's security chip is not ready", "Please ask the shop for help."],
  busy: ["The card reader is busy", `Wait for the other top-up to finish, ${RETRY}`],
  rate_limited: ["Too many requests at once", `Wait a moment, ${RETRY}`],
  cancelled: ["The top-up was cancelled", "Press Try again to go ahead after all."],
  disconnected: ["The connection to TapLink was lost", "Press Try again. A card that was already loaded is not charged twice."],
  not_supported: ["This TapLink is too old for this page", `Update TapLink, ${RETRY}`],
  update_required: ["需要更新 TapLink · This TapLink is too old for this payment", `Update TapLink with the link below · 请用下面的链接更新，${RETRY}`],
  wrong_pin: ["密码错误 · Wrong PIN", "Nothing was charged · 未扣款。"],
  limit_exceeded: ["超出支付限额 · Over the payment limit", "Nothing was charged. Choose a smaller amount · 未扣款，请选择较小的金额。"],
  chip_locked: ["TapLink 的安全芯片已锁定 · TapLink's security chip is locked", "Nothing was charged. Ask the shop for help · 未扣款，请联系商店。"],
  chip_outdated: ["TapLink 的安全芯片需要更新支付参数 · TapLink's security chip needs new payment settings", "Nothing was charged. Ask the shop for help · 未扣款，请联系商店。"],
  protocol_error: ["TapLink and this page do not understand each other", `Update TapLink, ${RETRY}`],
  order_failed: ["We could not create your order", `Check your connection, ${RETRY}`],
  ecload_unavailable: ["此商店未配置演示账户 · This shop has no demo account", "Loading e-cash is not set up here · 此处无法圈存。"],
  account_not_found: ["找不到演示账户 · The demo account is missing", "Ask the shop to create it · 请联系商店。"],
};
const FALLBACK_HELP = ["The top-up did not complete", `Something went wrong. ${RETRY[0].toUpperCase()}${RETRY.slice(1)}`];

// After these the connection is of no more use: the next attempt connects afresh.
const CONNECTION_LOST = new Set(["not_installed", "not_running", "disconnected", "protocol_error", "rate_limited"]);

// The two things the page can do: which order it asks for, which SDK call loads it.
const KINDS = {
  topup: { scheme: undefined, done: "Top-up complete", load: (taplink, orderId, onProgress) => taplink.topup({ orderId, onProgress }) },
  ecload: { scheme: "bank-ec", done: "圈存成功 · E-cash loaded", load: (taplink, orderId, onProgress) => taplink.ecload(orderId, { onProgress }) },
  pay: { scheme: "bank-purchase", requires: ["pay"], done: "支付成功 · Payment approved", load: (taplink, orderId, onProgress) => taplink.pay({ orderId, onProgress }) },
};
const BUTTONS = { topup: "pay", ecload: "ecload", pay: "bank-pay" };

const state = { amount: 0, kind: "topup", order: null, client: null, clientKind: null, busy: false, lastStep: null };

const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);

function yuan(fen) {
  return `¥${(fen / 100).toFixed(2)}`;
}

// The page's own failure (its server), shaped like a TapLinkError.
function pageError(code, message) {
  return Object.assign(new Error(message), { code });
}

function connectOptions() {
  const query = new URLSearchParams(window.location.search);
  const options = {};
  const transport = query.get("transport");
  if (["auto", "extension", "websocket"].includes(transport)) options.transport = transport;
  const ws = query.get("ws");
  if (ws && /^wss?:\/\//.test(ws)) options.websocketUrl = ws;
  return options;
}

// --- Showing where things stand.

// The step list: steps before the current one done; on failure the step it stopped at marked.
function markSteps(stage) {
  const failed = stage === "failed";
  const at = STEPS.indexOf(failed ? state.lastStep : stage);
  for (const item of document.querySelectorAll("#steps li")) {
    const index = STEPS.indexOf(item.dataset.step);
    item.classList.toggle("done", stage === "done" || (at >= 0 && index < at));
    item.classList.toggle("current", !failed && at >= 0 && index === at);
    item.classList.toggle("failed", failed && at >= 0 && index === at);
    if (!failed && at >= 0 && index === at) item.setAttribute("aria-current", "step");
    else item.removeAttribute("aria-current");
  }
}

function showStage(stage) {
  const status = byTestId("status");
  status.dataset.stage = stage;
  status.textContent = STAGE_TEXT[stage] ?? stage;
  if (STEPS.includes(stage)) state.lastStep = stage;
  else if (stage !== "failed") state.lastStep = null;
  markSteps(stage);
}

function showTransport(transport) {
  const element = byTestId("transport");
  element.dataset.transport = transport ?? "";
  element.textContent = transport ?? "not connected";
}

function setBusy(busy) {
  state.busy = busy;
  for (const button of document.querySelectorAll(".amount")) button.disabled = busy;
  for (const id of Object.values(BUTTONS)) byTestId(id).disabled = busy || state.amount === 0;
  byTestId("retry").disabled = busy;
  document.querySelector("main").setAttribute("aria-busy", String(busy));
}

function hideOutcome() {
  byTestId("receipt").hidden = true;
  byTestId("error").hidden = true;
}

function setFen(element, fen) {
  element.textContent = yuan(fen);
  element.dataset.fen = String(fen);
}

function showReceipt(result) {
  showStage("done");
  byTestId("receipt-order-id").textContent = result.orderId;
  setFen(byTestId("receipt-amount"), result.amount);
  setFen(byTestId("receipt-balance-before"), result.balanceBefore);
  setFen(byTestId("receipt-balance-after"), result.balanceAfter);
  byTestId("receipt-tac").textContent = result.tac ?? "";
  byTestId("receipt-card").textContent = result.card ? `${result.card.pan} ${result.card.application ?? ""}`.trim() : "";
  byTestId("receipt-id").textContent = result.receipt?.receiptId ?? "";
  byTestId("receipt-merchant").textContent = result.merchant ?? "";
  byTestId("receipt-auth-code").textContent = result.authCode ?? "";
  for (const row of document.querySelectorAll(".receipt [data-for]")) row.hidden = !row.dataset.for.split(" ").includes(state.kind);
  document.getElementById("receipt-title").textContent = KINDS[state.kind].done;
  const settled = byTestId("receipt-settled");
  settled.dataset.settled = String(result.settled);
  settled.textContent = result.settled ? "Settled" : "Pending — TapLink confirms it with the bank shortly";
  const receipt = byTestId("receipt");
  receipt.hidden = false;
  document.getElementById("receipt-title").focus();
}

// A wrong PIN says how many tries the bank leaves (the issuer counts them, not the page).
function adviceFor(code, advice, details) {
  const left = details?.pinTriesLeft;
  if (code !== "wrong_pin" || !Number.isInteger(left)) return advice;
  return `${advice} 还可尝试 ${left} 次 · ${left} ${left === 1 ? "try" : "tries"} left, then press Try again.`;
}

function showError(error) {
  const code = typeof error?.code === "string" ? error.code : "internal";
  const [title, advice] = HELP[code] ?? FALLBACK_HELP;
  showStage("failed");
  const panel = byTestId("error");
  panel.dataset.code = code;
  document.getElementById("error-title").textContent = title;
  document.getElementById("error-advice").textContent = adviceFor(code, advice, error?.details);
  const install = byTestId("install");
  install.hidden = !["not_installed", "update_required"].includes(code);
  document.getElementById("install-link").href = error?.details?.installUrl ?? INSTALL_URL;
  document.getElementById("error-code").textContent = `Code: ${code}`;
  panel.hidden = false;
  byTestId("retry").focus();
}

// --- Talking to the shop's server and to TapLink.

async function createOrder(amount, scheme) {
  let response;
  try {
    response = await fetch("/merchant/orders", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(scheme ? { amount, scheme } : { amount }),
    });
  } catch {
    throw pageError("order_failed", "the shop's server cannot be reached");
  }
  const body = await response.json().catch(() => ({}));
  if (response.status !== 201 || typeof body.orderId !== "string") {
    // The server's own reason when the page has words for it (no demo account for 圈存).
    const code = ["ecload_unavailable", "account_not_found"].includes(body?.error?.code) ? body.error.code : "order_failed";
    throw pageError(code, body?.error?.message ?? `HTTP ${response.status}`);
  }
  return { orderId: body.orderId, amount: body.amount };
}

// A client that offers what the current kind needs (pay() is newer than topup()).
async function client() {
  if (state.client && state.clientKind !== state.kind && KINDS[state.kind].requires) forgetClient();
  if (!state.client) {
    showStage("connecting");
    const requires = KINDS[state.kind].requires ?? [];
    state.client = await connect({ ...connectOptions(), requires, installUrl: INSTALL_URL });
    state.clientKind = state.kind;
  }
  showTransport(state.client.transport);
  return state.client;
}

function forgetClient() {
  state.client?.close();
  state.client = null;
  showTransport(null);
}

// One attempt of the current order: a top-up or an EC load.
async function loadCard() {
  const taplink = await client();
  showStage("waiting_for_card");
  return KINDS[state.kind].load(taplink, state.order.orderId, (stage) => showStage(stage));
}

// kind: start a new order of that kind; none: try the current order again.
async function run(kind) {
  if (state.busy) return;
  const makeOrder = kind !== undefined;
  if (makeOrder) state.kind = kind;
  setBusy(true);
  hideOutcome();
  try {
    if (makeOrder || !state.order) {
      state.order = null;
      showStage("creating_order");
      state.order = await createOrder(state.amount, KINDS[state.kind].scheme);
    }
    showReceipt(await loadCard());
  } catch (error) {
    if (CONNECTION_LOST.has(error?.code)) forgetClient();
    showError(error);
  } finally {
    setBusy(false);
  }
}

// --- The controls.

function chooseAmount(button) {
  state.amount = Number(button.dataset.fen);
  for (const other of document.querySelectorAll(".amount")) {
    other.setAttribute("aria-pressed", String(other === button));
  }
  const strong = document.createElement("strong");
  strong.textContent = yuan(state.amount);
  document.getElementById("total").replaceChildren("You pay ", strong);
  byTestId("pay").textContent = `充值城市卡 · Top up city card ${yuan(state.amount)}`;
  byTestId("ecload").textContent = `圈存 · Load e-cash ${yuan(state.amount)}`;
  byTestId("bank-pay").textContent = `银行卡支付 · Pay with bank card ${yuan(state.amount)}`;
  for (const id of Object.values(BUTTONS)) byTestId(id).disabled = state.busy;
  if (!state.busy && byTestId("receipt").hidden && byTestId("error").hidden) showStage("ready");
}

function start() {
  for (const button of document.querySelectorAll(".amount")) {
    button.addEventListener("click", () => chooseAmount(button));
  }
  document.getElementById("checkout").addEventListener("submit", (event) => {
    event.preventDefault();
    if (state.amount > 0) run("topup");
  });
  for (const kind of ["ecload", "pay"]) {
    byTestId(BUTTONS[kind]).addEventListener("click", () => {
      if (state.amount > 0) run(kind);
    });
  }
  byTestId("retry").addEventListener("click", () => run());
  window.addEventListener("pagehide", () => state.client?.close());
  showStage("idle");
}

start();
