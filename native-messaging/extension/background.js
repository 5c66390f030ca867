// TapLink background worker (a service worker in Chromium, a background script in Firefox).
//
// For every page connection from content.js it opens one native-messaging port to
// taplink-nm (host "com.taplink.nm"), introduces the page with
// {"type":"hello","origin":<origin>} and then relays JSON-RPC 2.0 messages both ways.
//
// The origin comes ONLY from the browser's sender information (port.sender.origin, or the
// origin of port.sender.url where a browser does not fill in sender.origin). Nothing a page
// writes into a message is taken as its origin. Only top-level frames of tabs are served:
// content.js is not injected into iframes, and a port from anything else (an iframe, an
// extension page, another extension) is refused here as well.
//
// Lifetime: in Chromium an open native port keeps the service worker alive, so a top-up that
// waits minutes for a card is not cut short. If the worker is stopped anyway, both ports
// close and the page sees "disconnected".
"use strict";

const ext = globalThis.browser ?? globalThis.chrome;
const NATIVE_HOST = "com.taplink.nm";
const PORT_NAME = "taplink";
const MAX_QUEUED = 32; // page messages held while taplink-nm says hello
// Every session is a taplink-nm process and a connection to taplinkd, so a page may not open
// them without end (taplinkd keeps its own shares too): at most this many per tab and per
// origin, all tabs together; more are refused with "busy" until one closes.
const MAX_SESSIONS_PER_TAB = 4;
const MAX_SESSIONS_PER_ORIGIN = 8;
const sessionsPerTab = new Map(); // tab id -> open bridges
const sessionsPerOrigin = new Map(); // origin -> open bridges

ext.runtime.onConnect.addListener(onPagePort);

function onPagePort(pagePort) {
  if (pagePort.name !== PORT_NAME) return;
  const refusal = senderRefusal(pagePort.sender) ?? shareRefusal(pagePort.sender);
  if (refusal) {
    pagePort.postMessage({ type: "error", error: refusal });
    pagePort.disconnect();
    return;
  }
  new Bridge(pagePort, pageOrigin(pagePort.sender), pagePort.sender.tab.id).start();
}

// Why the sender may open no more sessions now, or null when it may.
function shareRefusal(sender) {
  if ((sessionsPerTab.get(sender.tab.id) ?? 0) >= MAX_SESSIONS_PER_TAB) {
    return { code: "busy", message: `a tab may have ${MAX_SESSIONS_PER_TAB} TapLink sessions open at once` };
  }
  const origin = pageOrigin(sender);
  if ((sessionsPerOrigin.get(origin) ?? 0) >= MAX_SESSIONS_PER_ORIGIN) {
    return { code: "busy", message: `the pages of ${origin} may have ${MAX_SESSIONS_PER_ORIGIN} TapLink sessions open at once` };
  }
  return null;
}

function countSession(tab, origin, step) {
  for (const [counts, key] of [[sessionsPerTab, tab], [sessionsPerOrigin, origin]]) {
    const count = (counts.get(key) ?? 0) + step;
    if (count > 0) counts.set(key, count);
    else counts.delete(key);
  }
}

// Why a sender may not use TapLink, or null when it may.
function senderRefusal(sender) {
  if (!sender || sender.id !== ext.runtime.id || !sender.tab) {
    return { code: "origin_denied", message: "only web pages in a tab can use TapLink" };
  }
  if (sender.frameId !== 0) {
    return { code: "origin_denied", message: "TapLink serves top-level pages only, not frames" };
  }
  if (!pageOrigin(sender)) {
    return { code: "origin_denied", message: "the page has no usable origin" };
  }
  return null;
}

// The page's origin as the browser reports it: "https://host[:port]" or "http://host[:port]".
function pageOrigin(sender) {
  let origin = typeof sender.origin === "string" ? sender.origin : null;
  if (!origin && typeof sender.url === "string") {
    try {
      origin = new URL(sender.url).origin;
    } catch {
      origin = null;
    }
  }
  if (!origin || origin === "null") return null;
  return origin.startsWith("https://") || origin.startsWith("http://") ? origin : null;
}

// What a native port's disconnect means for the page. Chromium reports
// "Specified native messaging host not found." when no host manifest names us, and
// "Access to the specified native messaging host is forbidden." when it does not list us.
function nativeFailure(text, helloDone) {
  const reason = text || "the TapLink native host closed the connection";
  if (/not found|forbidden|no such native application/i.test(reason)) {
    return { code: "not_installed", message: `TapLink is not installed on this computer (${reason})` };
  }
  if (!helloDone) {
    return { code: "not_running", message: `TapLink could not be started (${reason})` };
  }
  return { code: "disconnected", message: `TapLink closed the connection (${reason})` };
}

class Bridge {
  constructor(pagePort, origin, tab) {
    this.page = pagePort;
    this.origin = origin;
    this.tab = tab;
    this.native = null;
    this.state = "hello"; // "hello" -> "open" -> "closed"
    this.queue = [];
  }

  start() {
    countSession(this.tab, this.origin, +1); // until close()
    this.page.onMessage.addListener((msg) => this.fromPage(msg));
    this.page.onDisconnect.addListener(() => this.close(null));
    try {
      this.native = ext.runtime.connectNative(NATIVE_HOST);
    } catch (e) {
      this.close(nativeFailure(e.message, false));
      return;
    }
    this.native.onMessage.addListener((msg) => this.fromNative(msg));
    this.native.onDisconnect.addListener((port) => {
      // Chromium: runtime.lastError; Firefox: port.error.
      const text = ext.runtime.lastError?.message ?? port?.error?.message ?? "";
      this.close(nativeFailure(text, this.state === "open"));
    });
    this.native.postMessage({ type: "hello", origin: this.origin });
  }

  fromPage(msg) {
    if (this.state === "closed" || !msg || msg.type !== "message") return;
    const problem = requestProblem(msg.message);
    if (problem) {
      this.toPage(rpcError(msg.message, -32600, problem));
      return;
    }
    if (this.state === "hello") {
      if (this.queue.length >= MAX_QUEUED) {
        this.toPage(rpcError(msg.message, -32600, "too many requests before TapLink answered"));
        return;
      }
      this.queue.push(msg.message);
      return;
    }
    this.native.postMessage(msg.message);
  }

  fromNative(msg) {
    if (this.state === "closed" || !msg || typeof msg !== "object") return;
    if (msg.type === "error") {
      this.close(errorOf(msg.error, "not_running"));
      return;
    }
    if (this.state === "hello") {
      if (msg.type !== "hello") {
        this.close({ code: "protocol_error", message: "the TapLink native host did not say hello" });
      } else if (msg.ok !== true) {
        this.close(errorOf(msg.error, "not_running"));
      } else {
        this.state = "open";
        this.page.postMessage({ type: "connected", version: msg.version ?? null });
        for (const queued of this.queue.splice(0)) this.native.postMessage(queued);
      }
      return;
    }
    this.toPage(msg);
  }

  toPage(message) {
    this.page.postMessage({ type: "message", message });
  }

  // Ends both sides; `error` (if any) tells the page why.
  close(error) {
    if (this.state === "closed") return;
    this.state = "closed";
    this.queue = [];
    countSession(this.tab, this.origin, -1);
    if (error) {
      try {
        this.page.postMessage({ type: "error", error });
      } catch {
        // The page side is already gone.
      }
    }
    for (const port of [this.page, this.native]) {
      try {
        port?.disconnect();
      } catch {
        // Already disconnected.
      }
    }
  }
}

// Pages send JSON-RPC requests and notifications, nothing else; session.hello is
// taplink-nm's to send, never a page's.
function requestProblem(message) {
  if (!message || typeof message !== "object" || Array.isArray(message)) return "not a JSON-RPC request";
  if (message.jsonrpc !== "2.0" || typeof message.method !== "string") return "not a JSON-RPC request";
  if (message.method === "session.hello") return "session.hello is not for pages";
  return null;
}

function rpcError(request, code, message) {
  const id = request && typeof request === "object" && "id" in request ? request.id : null;
  return { jsonrpc: "2.0", id: typeof id === "string" || typeof id === "number" ? id : null, error: { code, message } };
}

function errorOf(error, fallbackCode) {
  const code = typeof error?.code === "string" ? error.code : fallbackCode;
  const message = typeof error?.message === "string" ? error.message : "TapLink is not available";
  return { code, message };
}
