// taplink.js — the TapLink page SDK (ES module, no dependencies, no build step).
//
//   import { connect, TapLinkError } from "./taplink.js";
//   const taplink = await connect();
//   const result = await taplink.topup({ orderId, onProgress: (stage) => show(stage) });
//   const loaded = await taplink.ecload(bankOrderId, { onProgress: (stage) => show(stage) });
//   const paid = await (await connect({ requires: ["pay"] })).pay({ orderId: purchaseOrderId });
//
// It talks JSON-RPC 2.0 to taplinkd, through the TapLink browser extension when that is
// installed (window.postMessage -> content script -> background worker -> taplink-nm), else
// over taplinkd's loopback WebSocket. Types: taplink.d.ts. Guide: docs/browser-sdk.md.

export const DEFAULT_WEBSOCKET_URL = "ws://127.0.0.1:47631/";
const WEBSOCKET_SUBPROTOCOL = "taplink.v1";
const CHANNEL = "taplink";
const EXTENSION_WAIT_MS = 300; // how long "auto" looks for the extension's content script
const DEFAULT_CONNECT_TIMEOUT_MS = 10000;
const EVENT_NAMES = new Set(["reader.added", "reader.removed", "card.inserted", "card.removed"]);
const PROGRESS_METHODS = new Set(["topup.progress", "ecload.progress", "pay.progress"]);

// Every error code the daemon sends in error.data.code (docs/api/taplink-api.schema.json).
const DAEMON_CODES = new Set([
  "invalid_params", "no_reader", "pcsc_unavailable", "no_card", "card_removed", "unsupported_card",
  "server_unreachable", "server_error", "script_rejected", "order_not_found", "order_settled",
  "declined", "cancelled", "timeout", "chip_unavailable", "too_late", "busy", "not_found",
  "internal", "origin_denied", "user_denied", "confirmation_unavailable", "rate_limited",
  "wrong_scheme", "ec_limit_exceeded", "card_expired", "no_application", "pin_blocked",
  "chip_locked", "wrong_pin", "limit_exceeded", "chip_outdated",
]);
// Codes only the SDK (or the extension) produces.
const SDK_CODES = new Set(["not_installed", "not_running", "disconnected", "not_supported", "protocol_error", "update_required"]);
// What connect({requires}) may name: a client call, or the API method behind it.
const CALL_METHODS = {
  readers: "readers.list", cardInfo: "card.info", topup: "topup.start", ecload: "ecload.start",
  pay: "pay.start", status: "tx.status", cancel: "tx.cancel",
};

export class TapLinkError extends Error {
  constructor(code, message, details) {
    super(message || code);
    this.name = "TapLinkError";
    this.code = code;
    if (details !== undefined) this.details = details;
  }
}

// A JSON-RPC error object -> TapLinkError. Unknown daemon codes count as "internal"
// (docs/api.md, Versioning); the original code stays in details.code.
export function errorFromRpc(error) {
  const rpcCode = error?.code;
  const message = typeof error?.message === "string" ? error.message : "TapLink reported an error";
  if (rpcCode === -32601) return new TapLinkError("not_supported", message);
  if (rpcCode === -32700 || rpcCode === -32600) return new TapLinkError("protocol_error", message);
  const data = error?.data && typeof error.data === "object" ? error.data : {};
  const fallback = rpcCode === -32602 ? "invalid_params" : "internal";
  const code = typeof data.code === "string" ? data.code : fallback;
  if (DAEMON_CODES.has(code)) return new TapLinkError(code, message, data.details);
  return new TapLinkError("internal", message, { ...(data.details ?? {}), code });
}

// An error the extension or a transport reported as {code, message}.
function errorFromTransport(error, fallbackCode) {
  const code = typeof error?.code === "string" ? error.code : fallbackCode;
  const message = typeof error?.message === "string" ? error.message : "TapLink is not available";
  const known = SDK_CODES.has(code) || DAEMON_CODES.has(code);
  return known ? new TapLinkError(code, message) : new TapLinkError(fallbackCode, message, { code });
}

function notInstalled(detail) {
  const why = detail ? ` (${detail})` : "";
  return new TapLinkError(
    "not_installed",
    `TapLink is not installed or not running on this computer: neither the TapLink browser extension nor TapLink's local WebSocket is available${why}.`,
  );
}

function randomId() {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function withTimeout(promise, ms, onTimeout) {
  if (!(ms > 0) || !Number.isFinite(ms)) return promise;
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------
// Transports: open() resolves once messages can flow; send(obj); onmessage(obj);
// onclose(TapLinkError) once, when the connection ends for any reason but close().

function isFromExtension(event) {
  const data = event.data;
  return event.source === window && data && data.channel === CHANNEL && data.direction === "to-page";
}

function postToExtension(payload) {
  window.postMessage({ channel: CHANNEL, direction: "to-extension", ...payload }, window.location.origin);
}

// Whether the extension's content script is in this page: its marker, or its "ready"
// answer to a ping within `waitMs`.
export function extensionPresent(waitMs = EXTENSION_WAIT_MS) {
  if (typeof window === "undefined" || typeof document === "undefined") return Promise.resolve(false);
  if (document.documentElement?.dataset?.taplinkExtension) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onMessage = (event) => {
      if (isFromExtension(event) && event.data.type === "ready") finish(true);
    };
    const finish = (present) => {
      clearTimeout(timer);
      window.removeEventListener("message", onMessage);
      resolve(present);
    };
    const timer = setTimeout(() => finish(false), waitMs);
    window.addEventListener("message", onMessage);
    postToExtension({ type: "ping" });
  });
}

class ExtensionTransport {
  constructor() {
    this.name = "extension";
    this.session = randomId();
    this.state = "new"; // new -> opening -> open -> closed
    this.onmessage = () => {};
    this.onclose = () => {};
    this.listener = (event) => this.receive(event);
  }

  open() {
    this.state = "opening";
    return new Promise((resolve, reject) => {
      this.opened = { resolve, reject };
      window.addEventListener("message", this.listener);
      postToExtension({ type: "connect", session: this.session });
    });
  }

  receive(event) {
    if (!isFromExtension(event) || event.data.session !== this.session) return;
    const data = event.data;
    if (data.type === "connected" && this.state === "opening") {
      this.state = "open";
      this.opened.resolve();
    } else if (data.type === "message" && this.state === "open") {
      this.onmessage(data.message);
    } else if (data.type === "error" || data.type === "disconnected") {
      const fallback = this.state === "opening" ? "not_running" : "disconnected";
      this.end(errorFromTransport(data.error, fallback));
    }
  }

  send(message) {
    if (this.state !== "open") throw new TapLinkError("disconnected", "the TapLink connection is closed");
    postToExtension({ type: "message", session: this.session, message });
  }

  end(error) {
    if (this.state === "closed") return;
    const wasOpening = this.state === "opening";
    this.state = "closed";
    window.removeEventListener("message", this.listener);
    if (wasOpening) this.opened.reject(error);
    else this.onclose(error);
  }

  close() {
    if (this.state === "closed") return;
    const wasOpening = this.state === "opening";
    this.state = "closed";
    window.removeEventListener("message", this.listener);
    postToExtension({ type: "disconnect", session: this.session });
    if (wasOpening) this.opened.reject(new TapLinkError("disconnected", "the TapLink client was closed"));
  }
}

class WebSocketTransport {
  constructor(url) {
    this.name = "websocket";
    this.url = url;
    this.socket = null;
    this.state = "new";
    this.onmessage = () => {};
    this.onclose = () => {};
  }

  open() {
    if (typeof WebSocket === "undefined") return Promise.reject(notInstalled("this browser has no WebSocket"));
    this.state = "opening";
    return new Promise((resolve, reject) => {
      let socket;
      try {
        // Offering TapLink's subprotocol: a server on that port that is not taplinkd does
        // not select it, and the browser then refuses the connection.
        socket = new WebSocket(this.url, WEBSOCKET_SUBPROTOCOL);
      } catch (e) {
        reject(notInstalled(e.message));
        return;
      }
      this.socket = socket;
      socket.onopen = () => {
        this.state = "open";
        resolve();
      };
      socket.onmessage = (event) => this.receive(event.data);
      socket.onclose = (event) => {
        const wasOpening = this.state === "opening";
        if (this.state === "closed") return;
        this.state = "closed";
        if (wasOpening) reject(notInstalled(`no answer at ${this.url}`));
        else this.onclose(closeError(event));
      };
    });
  }

  receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return; // taplinkd sends JSON only; anything else is dropped
    }
    this.onmessage(message);
  }

  send(message) {
    if (this.state !== "open") throw new TapLinkError("disconnected", "the TapLink connection is closed");
    this.socket.send(JSON.stringify(message));
  }

  close() {
    if (this.state === "closed") return;
    const socket = this.socket;
    this.state = "closed";
    socket?.close(1000);
  }
}

// taplinkd's close codes (docs/websocket.md): 1008 after flooding past the rate limit,
// 1009 for a message over its size limit; anything else is the connection going away.
function closeError(event) {
  const reason = event.reason ? `: ${event.reason}` : "";
  const message = `TapLink closed the WebSocket (code ${event.code}${reason})`;
  if (event.code === 1008) return new TapLinkError("rate_limited", message);
  if (event.code === 1009 || event.code === 1003 || event.code === 1007) return new TapLinkError("protocol_error", message);
  return new TapLinkError("disconnected", message);
}

// ---------------------------------------------------------------------------------------
// The client: JSON-RPC calls, progress routing, events.

class Client {
  #link;
  #nextId = 1;
  #pending = new Map(); // id -> {resolve, reject, progress}
  #listeners = new Map(); // event name -> Set<fn>
  #closedError = null;

  constructor(transport) {
    this.#link = transport;
    transport.onmessage = (message) => this.#receive(message);
    transport.onclose = (error) => this.#fail(error);
  }

  // One JSON-RPC call; `progress` ({orderId, onProgress}) receives the call's progress
  // notifications. No client-side timeout: taplinkd decides how long a card may take.
  #call(method, params, progress = null) {
    if (this.#closedError) return Promise.reject(this.#closedError);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, progress });
      try {
        this.#link.send({ jsonrpc: "2.0", id, method, params });
      } catch (e) {
        this.#pending.delete(id);
        reject(e instanceof TapLinkError ? e : new TapLinkError("disconnected", e.message));
      }
    });
  }

  #receive(message) {
    if (!message || typeof message !== "object") return;
    if (typeof message.method === "string") {
      this.#notification(message.method, message.params ?? {});
      return;
    }
    const call = this.#pending.get(message.id);
    if (!call) {
      // id null: the daemon refused something it could not match to a call (e.g. busy).
      if (message.id === null && message.error) this.#fail(errorFromRpc(message.error));
      return;
    }
    this.#pending.delete(message.id);
    if (message.error) call.reject(errorFromRpc(message.error));
    else call.resolve(message.result);
  }

  #notification(method, params) {
    if (PROGRESS_METHODS.has(method)) {
      for (const { progress } of this.#pending.values()) {
        if (progress?.orderId === params.orderId) safely(progress.onProgress, params.stage, params);
      }
    } else if (EVENT_NAMES.has(method)) {
      for (const fn of [...(this.#listeners.get(method) ?? [])]) safely(fn, params);
    }
  }

  #fail(error) {
    if (this.#closedError) return;
    this.#closedError = error;
    for (const call of this.#pending.values()) call.reject(error);
    this.#pending.clear();
    for (const fn of [...(this.#listeners.get("disconnected") ?? [])]) safely(fn, error);
    this.#listeners.clear();
  }

  // --- the public surface (taplink.d.ts, TapLinkClient) ---

  get transport() {
    return this.#link.name;
  }

  version() {
    return this.#call("api.version", {});
  }

  async readers() {
    const result = await this.#call("readers.list", {});
    return result.readers;
  }

  cardInfo(reader) {
    return this.#call("card.info", reader === undefined ? {} : { reader });
  }

  topup(options) {
    return this.#orderCall("topup.start", options);
  }

  pay(options) {
    return this.#orderCall("pay.start", options);
  }

  // EC load (圈存) of a bank-ec order: the order id first, like status() and cancel().
  ecload(orderId, { reader, onProgress } = {}) {
    return this.#orderCall("ecload.start", { orderId, reader, onProgress });
  }

  async #orderCall(method, { orderId, reader, onProgress } = {}) {
    if (typeof orderId !== "string" || orderId.length === 0) {
      throw new TapLinkError("invalid_params", "orderId must be a non-empty string", { param: "orderId" });
    }
    const params = reader === undefined ? { orderId } : { orderId, reader };
    return this.#call(method, params, typeof onProgress === "function" ? { orderId, onProgress } : null);
  }

  status(orderId) {
    return this.#call("tx.status", { orderId });
  }

  async cancel(orderId) {
    await this.#call("tx.cancel", { orderId });
  }

  on(event, fn) {
    if (typeof fn !== "function") throw new TypeError("on(event, fn): fn must be a function");
    if (event !== "disconnected" && !EVENT_NAMES.has(event)) {
      throw new TypeError(`on(): unknown event "${event}"`);
    }
    const set = this.#listeners.get(event) ?? new Set();
    const first = set.size === 0;
    set.add(fn);
    this.#listeners.set(event, set);
    let ready = Promise.resolve();
    if (first && event !== "disconnected") ready = this.#call("events.subscribe", { events: [event] }).then(() => {});
    ready.catch(() => {}); // the caller may await off.ready to see a failure; never unhandled
    const off = () => {
      if (!set.delete(fn) || set.size > 0 || event === "disconnected" || this.#closedError) return;
      this.#listeners.delete(event);
      this.#call("events.unsubscribe", { events: [event] }).catch(() => {});
    };
    off.ready = ready;
    return off;
  }

  close() {
    this.#listeners.delete("disconnected"); // the page ended it: nothing to tell
    this.#link.close();
    this.#fail(new TapLinkError("disconnected", "the TapLink client was closed"));
  }
}

function safely(fn, ...args) {
  try {
    fn(...args);
  } catch (e) {
    // A page's handler must not break the SDK; report it the way the browser reports errors.
    setTimeout(() => {
      throw e;
    });
  }
}

// ---------------------------------------------------------------------------------------

// Chromium's Local Network Access: a page from the internet needs the person's permission
// ("loopback-network") to reach 127.0.0.1. Its state, or null where the browser has none.
async function loopbackPermission() {
  try {
    return (await navigator.permissions.query({ name: "loopback-network" })).state;
  } catch {
    return null;
  }
}

// While the browser asks the person, connecting waits for the answer (up to this long).
const PERMISSION_PROMPT_WAIT_MS = 120000;

async function openWebSocket(url, timeoutMs) {
  const before = await loopbackPermission();
  if (before === "denied") throw loopbackDenied();
  const wait = before === "prompt" ? Math.max(timeoutMs, PERMISSION_PROMPT_WAIT_MS) : timeoutMs;
  try {
    return await openTransport(new WebSocketTransport(url), wait);
  } catch (e) {
    if (before === "prompt" && (await loopbackPermission()) === "denied") throw loopbackDenied();
    throw e;
  }
}

function loopbackDenied() {
  return new TapLinkError(
    "not_installed",
    "This browser does not let the page reach TapLink on this computer: allow the site's access to apps and services on this device (Local Network Access), or install the TapLink browser extension.",
    { permission: "loopback-network", state: "denied" },
  );
}

async function openTransport(transport, timeoutMs) {
  const opening = transport.open();
  try {
    await withTimeout(opening, timeoutMs, () =>
      transport.name === "websocket"
        ? notInstalled(`no answer at ${transport.url} within ${timeoutMs} ms`)
        : new TapLinkError("not_running", `TapLink did not answer within ${timeoutMs} ms`),
    );
  } catch (e) {
    transport.close();
    throw e;
  }
  return new Client(transport);
}

// The page's install link on the errors that mean "install or update TapLink".
function withInstallUrl(error, installUrl) {
  if (installUrl && error instanceof TapLinkError && ["not_installed", "update_required"].includes(error.code)) {
    error.details = { ...(error.details ?? {}), installUrl };
  }
  return error;
}

// update_required (the connection closed) unless taplinkd offers every method the page needs.
async function requireMethods(client, requires) {
  const { version, daemonVersion, methods } = await client.version();
  const offered = new Set(Array.isArray(methods) ? methods : []);
  const missing = requires.map((name) => CALL_METHODS[name] ?? name).filter((method) => !offered.has(method));
  if (missing.length === 0) return client;
  client.close();
  const what = daemonVersion ? `TapLink ${daemonVersion} (API ${version})` : `TapLink API ${version}`;
  throw new TapLinkError("update_required", `${what} does not offer ${missing.join(", ")}: update TapLink.`, {
    missing, version, ...(daemonVersion ? { daemonVersion } : {}),
  });
}

function checkRequires(requires) {
  const valid = requires === undefined || (Array.isArray(requires) && requires.every((name) => typeof name === "string" && name));
  if (!valid) throw new TapLinkError("invalid_params", "requires must be an array of method names", { param: "requires" });
}

// options.requires (e.g. ["pay"]): the calls the page needs; options.installUrl: where the
// page sends the person to install or update TapLink, added to not_installed and
// update_required as details.installUrl (docs/browser-sdk.md, "Install and update").
export async function connect(options = {}) {
  checkRequires(options.requires);
  try {
    const client = await open(options);
    return options.requires?.length ? await requireMethods(client, options.requires) : client;
  } catch (error) {
    throw withInstallUrl(error, options.installUrl);
  }
}

async function open(options) {
  const mode = options.transport ?? "auto";
  const websocketUrl = options.websocketUrl ?? DEFAULT_WEBSOCKET_URL;
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  if (!["auto", "extension", "websocket"].includes(mode)) {
    throw new TapLinkError("invalid_params", `unknown transport "${mode}"`, { param: "transport" });
  }
  if (mode === "websocket") return openWebSocket(websocketUrl, timeoutMs);
  const present = await extensionPresent();
  if (mode === "extension") {
    if (!present) throw new TapLinkError("not_installed", "The TapLink browser extension is not installed or not enabled for this page.");
    return openTransport(new ExtensionTransport(), timeoutMs);
  }
  if (!present) {
    return openWebSocket(websocketUrl, timeoutMs);
  }
  try {
    return await openTransport(new ExtensionTransport(), timeoutMs);
  } catch (extensionError) {
    // The extension is there but its native host is not (or taplinkd is not running):
    // the WebSocket may still work; if it does not, the extension's reason is the useful one.
    try {
      return await openWebSocket(websocketUrl, timeoutMs);
    } catch {
      throw extensionError;
    }
  }
}
