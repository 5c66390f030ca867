// TapLink content script: the bridge between the page SDK (taplink.js, window.postMessage)
// and the background worker (one runtime port per SDK session).
//
// Page -> content script:  {channel:"taplink", direction:"to-extension", type, session?, message?}
//   type "ping"                     -> answered with "ready"
//   type "connect"    session       -> opens a port to the background worker
//   type "message"    session, msg  -> one JSON-RPC message for taplinkd
//   type "disconnect" session       -> closes the port (and so the native host)
// Content script -> page:  {channel:"taplink", direction:"to-page", type, session?, ...}
//   "ready" {version}, "connected" {session, version}, "message" {session, message},
//   "error" {session, error:{code,message}} (the session is over after it),
//   "disconnected" {session, error}.
//
// Nothing here decides who the page is: the background worker takes the origin from the
// browser's sender information. This script only runs in top-level frames (manifest
// all_frames:false), and it accepts messages only from its own window.
(() => {
  "use strict";

  const ext = globalThis.browser ?? globalThis.chrome;
  const CHANNEL = "taplink";
  const VERSION = ext.runtime.getManifest().version;
  const sessions = new Map(); // session id -> runtime.Port

  // Posted to our own window only; page origins here are https or loopback http, never "null".
  function toPage(payload) {
    window.postMessage({ channel: CHANNEL, direction: "to-page", ...payload }, window.location.origin);
  }

  function closeSession(session, error) {
    const port = sessions.get(session);
    if (!port) return;
    sessions.delete(session);
    try {
      port.disconnect();
    } catch {
      // Already gone (the background worker went away first).
    }
    if (error) toPage({ type: "disconnected", session, error });
  }

  function openSession(session) {
    if (sessions.has(session)) {
      toPage({ type: "error", session, error: { code: "protocol_error", message: "session already open" } });
      return;
    }
    let port;
    try {
      port = ext.runtime.connect({ name: "taplink" });
    } catch (e) {
      // The extension was updated or disabled under this page: its old scripts are orphaned.
      toPage({ type: "error", session, error: { code: "disconnected", message: `TapLink extension unavailable: ${e.message}` } });
      return;
    }
    sessions.set(session, port);
    port.onMessage.addListener((msg) => relayFromBackground(session, msg));
    port.onDisconnect.addListener(() => {
      if (!sessions.has(session)) return;
      sessions.delete(session);
      toPage({ type: "disconnected", session, error: { code: "disconnected", message: "the TapLink extension closed the connection" } });
    });
  }

  // The background worker speaks {type:"connected"|"message"|"error", ...}.
  function relayFromBackground(session, msg) {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "connected") toPage({ type: "connected", session, version: msg.version ?? null });
    else if (msg.type === "message") toPage({ type: "message", session, message: msg.message });
    else if (msg.type === "error") {
      toPage({ type: "error", session, error: msg.error });
      closeSession(session, null);
    }
  }

  function onPageMessage(event) {
    if (event.source !== window) return; // not from an iframe or another window
    const data = event.data;
    if (!data || data.channel !== CHANNEL || data.direction !== "to-extension") return;
    if (data.type === "ping") {
      toPage({ type: "ready", version: VERSION });
      return;
    }
    const session = typeof data.session === "string" && data.session.length <= 64 ? data.session : null;
    if (!session) return;
    if (data.type === "connect") openSession(session);
    else if (data.type === "disconnect") closeSession(session, null);
    else if (data.type === "message") {
      const port = sessions.get(session);
      if (!port) {
        toPage({ type: "disconnected", session, error: { code: "disconnected", message: "no such TapLink session" } });
        return;
      }
      // A JSON copy: only JSON reaches taplinkd, and in Firefox the copy belongs to this
      // script rather than to the page.
      let message;
      try {
        message = JSON.parse(JSON.stringify(data.message));
      } catch {
        return;
      }
      port.postMessage({ type: "message", message });
    }
  }

  window.addEventListener("message", onPageMessage);
  // Leaving the page ends its sessions (and the native hosts behind them); a page restored
  // from the back/forward cache finds its clients disconnected and connects again.
  window.addEventListener("pagehide", () => {
    const error = { code: "disconnected", message: "the page was left" };
    for (const session of [...sessions.keys()]) closeSession(session, error);
  });
  if (document.documentElement) document.documentElement.dataset.taplinkExtension = VERSION;
  toPage({ type: "ready", version: VERSION });
})();
