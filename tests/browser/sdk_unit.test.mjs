// Unit tests of taplink.js's own logic (error mapping, call/progress routing, events,
// disconnects), in node: a small stand-in for the page's window plays the extension's
// content script. The real extension, taplink-nm and taplinkd are exercised by
// checkout.test.mjs in Chromium.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { SDK_PATH } from "./support/paths.mjs";

const { connect, errorFromRpc, TapLinkError } = await import(SDK_PATH);

// A window whose postMessage delivers to its own listeners, as a browser does.
class FakeWindow extends EventTarget {
  location = { origin: "https://shop.example" };
  postMessage(data) {
    const cloned = structuredClone(data);
    setTimeout(() => {
      const event = new Event("message");
      Object.assign(event, { data: cloned, source: this });
      this.dispatchEvent(event);
    });
  }
}

// Plays content.js + background + taplinkd: answers each JSON-RPC request with handler(request).
class FakeExtension {
  constructor(win, handler) {
    this.win = win;
    this.handler = handler;
    this.requests = [];
    this.sessions = new Set();
    this.disconnects = [];
    win.document = { documentElement: { dataset: { taplinkExtension: "1.1.0" } } };
    win.addEventListener("message", (event) => this.receive(event.data));
  }

  toPage(payload) {
    this.win.postMessage({ channel: "taplink", direction: "to-page", ...payload });
  }

  receive(data) {
    if (data?.channel !== "taplink" || data.direction !== "to-extension") return;
    if (data.type === "connect") {
      this.sessions.add(data.session);
      this.toPage({ type: "connected", session: data.session, version: "1.1" });
    } else if (data.type === "disconnect") {
      this.disconnects.push(data.session);
    } else if (data.type === "message") {
      this.requests.push(data.message);
      this.handler(data.message, (message) => this.toPage({ type: "message", session: data.session, message }));
    }
  }

  // The background worker reports the end of a session.
  drop(error) {
    for (const session of this.sessions) this.toPage({ type: "disconnected", session, error });
  }
}

let win;
beforeEach(() => {
  win = new FakeWindow();
  globalThis.window = win;
  globalThis.document = { documentElement: { dataset: {} } };
});

function installExtension(handler) {
  const extension = new FakeExtension(win, handler);
  globalThis.document = win.document;
  return extension;
}

const reply = (request, result) => ({ jsonrpc: "2.0", id: request.id, result });
const failure = (request, code, message, data) => ({ jsonrpc: "2.0", id: request.id, error: { code, message, data } });

test("JSON-RPC errors map to TapLinkError codes", () => {
  const cases = [
    [{ code: -32000, message: "gone", data: { code: "card_removed" } }, "card_removed"],
    [{ code: -32000, message: "no", data: { code: "origin_denied", details: { origin: "https://x.example" } } }, "origin_denied"],
    [{ code: -32602, message: "bad", data: { code: "invalid_params", details: { param: "orderId" } } }, "invalid_params"],
    [{ code: -32602, message: "bad" }, "invalid_params"],
    [{ code: -32603, message: "oops", data: { code: "internal" } }, "internal"],
    [{ code: -32601, message: "method not found" }, "not_supported"],
    [{ code: -32600, message: "invalid request" }, "protocol_error"],
    [{ code: -32700, message: "parse error" }, "protocol_error"],
  ];
  for (const [rpc, code] of cases) {
    const error = errorFromRpc(rpc);
    assert.ok(error instanceof TapLinkError);
    assert.equal(error.code, code, JSON.stringify(rpc));
    assert.equal(error.message, rpc.message);
  }
  assert.deepEqual(errorFromRpc(cases[1][0]).details, { origin: "https://x.example" });
  // A code from a newer daemon counts as internal and keeps the original code.
  const future = errorFromRpc({ code: -32000, message: "new", data: { code: "solar_flare" } });
  assert.equal(future.code, "internal");
  assert.equal(future.details.code, "solar_flare");
});

test("auto with neither extension nor WebSocket says not_installed", async () => {
  await assert.rejects(connect(), (e) => e instanceof TapLinkError && e.code === "not_installed" && /not installed/.test(e.message));
  await assert.rejects(connect({ transport: "extension" }), { code: "not_installed" });
});

test("a call's progress goes to that call only and its error is typed", async () => {
  installExtension((request, send) => {
    if (request.method !== "topup.start") return send(reply(request, {}));
    const { orderId } = request.params;
    send({ jsonrpc: "2.0", method: "topup.progress", params: { orderId, stage: "waiting_for_card" } });
    send({ jsonrpc: "2.0", method: "topup.progress", params: { orderId, stage: "awaiting_confirmation" } });
    if (orderId === "A") send(reply(request, { orderId, balanceAfter: 3000 }));
    else send(failure(request, -32000, "the card left the reader", { code: "card_removed" }));
  });
  const client = await connect();
  assert.equal(client.transport, "extension");
  const stagesA = [];
  const stagesB = [];
  const [a, b] = await Promise.allSettled([
    client.topup({ orderId: "A", onProgress: (stage) => stagesA.push(stage) }),
    client.topup({ orderId: "B", onProgress: (stage) => stagesB.push(stage) }),
  ]);
  assert.deepEqual(a.value, { orderId: "A", balanceAfter: 3000 });
  assert.equal(b.reason.code, "card_removed");
  assert.deepEqual(stagesA, ["waiting_for_card", "awaiting_confirmation"]);
  assert.deepEqual(stagesB, ["waiting_for_card", "awaiting_confirmation"]);
  client.close();
});

test("ecload() sends ecload.start with the order and routes ecload.progress to its caller", async () => {
  const extension = installExtension((request, send) => {
    if (request.method !== "ecload.start") return send(reply(request, {}));
    const { orderId } = request.params;
    for (const stage of ["waiting_for_card", "choosing_application", "authorizing", "writing", "confirming"]) {
      send({ jsonrpc: "2.0", method: "ecload.progress", params: { orderId, stage } });
    }
    send({ jsonrpc: "2.0", method: "topup.progress", params: { orderId: "OTHER", stage: "writing" } });
    if (orderId === "E") send(reply(request, { orderId, balanceBefore: 0, balanceAfter: 5000 }));
    else send(failure(request, -32000, "over the EC limit", { code: "ec_limit_exceeded" }));
  });
  const client = await connect();
  const stages = [];
  const result = await client.ecload("E", { reader: "R", onProgress: (stage, progress) => stages.push([stage, progress.orderId]) });
  assert.deepEqual(result, { orderId: "E", balanceBefore: 0, balanceAfter: 5000 });
  assert.deepEqual(stages.map(([stage]) => stage), ["waiting_for_card", "choosing_application", "authorizing", "writing", "confirming"]);
  assert.ok(stages.every(([, orderId]) => orderId === "E"));
  await assert.rejects(client.ecload("F"), (e) => e instanceof TapLinkError && e.code === "ec_limit_exceeded");
  await assert.rejects(client.ecload(""), { code: "invalid_params" });
  await assert.rejects(client.ecload(), { code: "invalid_params" });
  assert.deepEqual(
    extension.requests.map(({ method, params }) => [method, params]),
    [
      ["ecload.start", { orderId: "E", reader: "R" }],
      ["ecload.start", { orderId: "F" }],
    ],
  );
  client.close();
});

test("the EC-load error codes are the daemon's own, not internal", () => {
  for (const code of ["wrong_scheme", "ec_limit_exceeded", "card_expired", "no_application", "pin_blocked"]) {
    assert.equal(errorFromRpc({ code: -32000, message: code, data: { code } }).code, code);
  }
});

test("chip_locked is the daemon's own code, not internal", () => {
  const error = errorFromRpc({ code: -32000, message: "locked", data: { code: "chip_locked" } });
  assert.equal(error.code, "chip_locked");
});

// An extension whose taplinkd offers these methods (api.version) and answers everything else.
function daemonOffering(methods, daemonVersion = "0.2.0") {
  return installExtension((request, send) => {
    if (request.method === "api.version") return send(reply(request, { version: "1.2", daemonVersion, methods }));
    send(reply(request, { ok: request.method }));
  });
}

test("connect({requires}) resolves when taplinkd offers every call the page names", async () => {
  const extension = daemonOffering(["api.version", "pay.start", "tx.status"]);
  const client = await connect({ transport: "extension", requires: ["pay", "tx.status"] });
  assert.equal(client.transport, "extension");
  assert.deepEqual(extension.requests.map((r) => r.method), ["api.version"]);
  client.close();
});

test("connect({requires}) says update_required, with what is missing and the install link", async () => {
  const extension = daemonOffering(["api.version", "topup.start"], "0.1.0");
  await assert.rejects(
    connect({ transport: "extension", requires: ["pay", "topup"], installUrl: "/assets/install.html" }),
    (e) => {
      assert.ok(e instanceof TapLinkError);
      assert.equal(e.code, "update_required");
      assert.deepEqual(e.details, { missing: ["pay.start"], version: "1.2", daemonVersion: "0.1.0", installUrl: "/assets/install.html" });
      assert.match(e.message, /TapLink 0\.1\.0 .*pay\.start/);
      return true;
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(extension.disconnects.length, 1, "the connection that cannot serve the page is closed");
});

test("not_installed carries the page's install link; a malformed requires is invalid_params", async () => {
  await assert.rejects(connect({ transport: "extension", installUrl: "https://shop.example/get-taplink" }), (e) => {
    assert.equal(e.code, "not_installed");
    assert.equal(e.details.installUrl, "https://shop.example/get-taplink");
    return true;
  });
  await assert.rejects(connect({ requires: "pay" }), { code: "invalid_params" });
  await assert.rejects(connect({ requires: [""] }), { code: "invalid_params" });
});

test("methods send the API's method names and params", async () => {
  const extension = installExtension((request, send) => {
    const results = {
      "readers.list": { readers: [{ name: "R", role: "card", state: "empty", card: null }] },
      "tx.cancel": { orderId: "A", cancelled: true },
    };
    if (request.method === "pay.start") return send(failure(request, -32601, "method not found"));
    send(reply(request, results[request.method] ?? { ok: request.method }));
  });
  const client = await connect({ transport: "extension" });
  assert.deepEqual(await client.readers(), [{ name: "R", role: "card", state: "empty", card: null }]);
  await client.cardInfo("R");
  await client.cardInfo();
  assert.equal(await client.cancel("A"), undefined);
  await client.status("A");
  await client.version();
  await assert.rejects(client.pay({ orderId: "P" }), { code: "not_supported" });
  await assert.rejects(client.topup({}), { code: "invalid_params" });
  assert.deepEqual(
    extension.requests.map(({ method, params }) => [method, params]),
    [
      ["readers.list", {}],
      ["card.info", { reader: "R" }],
      ["card.info", {}],
      ["tx.cancel", { orderId: "A" }],
      ["tx.status", { orderId: "A" }],
      ["api.version", {}],
      ["pay.start", { orderId: "P" }],
    ],
  );
  for (const request of extension.requests) assert.equal(request.jsonrpc, "2.0");
  assert.equal(new Set(extension.requests.map((r) => r.id)).size, extension.requests.length);
  client.close();
});

test("on() subscribes once per event, delivers events and unsubscribes after the last listener", async () => {
  const extension = installExtension((request, send) => {
    send(reply(request, { events: request.params.events ?? [] }));
    if (request.method === "events.subscribe") {
      send({ jsonrpc: "2.0", method: "card.inserted", params: { reader: "R", scheme: "city-epurse" } });
    }
  });
  const client = await connect();
  const seenA = [];
  const seenB = [];
  const offA = client.on("card.inserted", (params) => seenA.push(params));
  const offB = client.on("card.inserted", (params) => seenB.push(params));
  await offA.ready;
  await offB.ready;
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(seenA, [{ reader: "R", scheme: "city-epurse" }]);
  assert.deepEqual(seenB, seenA);
  offA();
  offB();
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(
    extension.requests.map(({ method, params }) => [method, params]),
    [
      ["events.subscribe", { events: ["card.inserted"] }],
      ["events.unsubscribe", { events: ["card.inserted"] }],
    ],
  );
  assert.throws(() => client.on("card.exploded", () => {}), TypeError);
  client.close();
});

test("losing the extension fails running calls with disconnected and tells on('disconnected') once", async () => {
  const extension = installExtension(() => {}); // never answers: the top-up waits for a card
  const client = await connect();
  const told = [];
  client.on("disconnected", (error) => told.push(error.code));
  const topup = client.topup({ orderId: "A" });
  await new Promise((resolve) => setTimeout(resolve, 10));
  extension.drop({ code: "disconnected", message: "the page was left" });
  await assert.rejects(topup, { code: "disconnected" });
  await assert.rejects(client.readers(), { code: "disconnected" });
  assert.deepEqual(told, ["disconnected"]);
});

test("close() ends running calls, tells the extension and is not reported as a disconnect", async () => {
  const extension = installExtension(() => {});
  const client = await connect();
  const told = [];
  client.on("disconnected", () => told.push("x"));
  const topup = client.topup({ orderId: "A" });
  client.close();
  await assert.rejects(topup, { code: "disconnected" });
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(extension.disconnects.length, 1);
  assert.deepEqual(told, []);
});

test("the extension's refusal while connecting is the error auto reports", async () => {
  // The background worker found taplink-nm but not taplinkd; there is no WebSocket either.
  globalThis.document = { documentElement: { dataset: { taplinkExtension: "1.1.0" } } };
  win.addEventListener("message", (event) => {
    const data = event.data;
    if (data?.direction !== "to-extension" || data.type !== "connect") return;
    const error = { code: "not_running", message: "TapLink could not be started" };
    win.postMessage({ channel: "taplink", direction: "to-page", type: "error", session: data.session, error });
  });
  await assert.rejects(connect(), { code: "not_running" });
  await assert.rejects(connect({ transport: "extension" }), { code: "not_running" });
});

test("a page without the extension marker finds it through its ready answer", async () => {
  globalThis.document = { documentElement: { dataset: {} } };
  win.addEventListener("message", (event) => {
    const data = event.data;
    if (data?.direction !== "to-extension") return;
    if (data.type === "ping") win.postMessage({ channel: "taplink", direction: "to-page", type: "ready", version: "1.1.0" });
    if (data.type === "connect") win.postMessage({ channel: "taplink", direction: "to-page", type: "connected", session: data.session });
  });
  const client = await connect();
  assert.equal(client.transport, "extension");
  client.close();
});

test("messages from other windows are ignored", async () => {
  globalThis.document = { documentElement: { dataset: { taplinkExtension: "1.1.0" } } };
  win.addEventListener("message", (event) => {
    const data = event.data;
    if (data?.direction !== "to-extension" || data.type !== "connect") return;
    // An iframe (another source) claims the session is connected: must not count.
    const forged = new Event("message");
    Object.assign(forged, {
      data: { channel: "taplink", direction: "to-page", type: "connected", session: data.session },
      source: {},
    });
    win.dispatchEvent(forged);
  });
  await assert.rejects(connect({ transport: "extension", timeoutMs: 200 }), { code: "not_running" });
});
