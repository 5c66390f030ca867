// A stand-in for the trusted UI (the GUI's part, docs/api.md "Trusted UI"): it attaches over
// taplinkd's owner-only Unix socket (JSON-RPC 2.0, one message a line) and answers every
// ui.request by a rule the test sets: "pay" and "ecload" allowed, "application" the first
// candidate, "pin" the digits in `pin` (the cardholder typing it in TapLink, never the page).
// It keeps every question it was asked, so that a test can check what the user was shown.
import net from "node:net";
import readline from "node:readline";

const CALL_TIMEOUT_MS = 15_000;

export class TrustedUi {
  #socket;
  #nextId = 1;
  #pending = new Map();
  // The PIN "typed" at the next kind "pin" question; null: deny it (the user cancels).
  pin = null;
  // Every ui.request's params, in the order asked.
  requests = [];

  static async attach(socketPath) {
    const ui = new TrustedUi(net.createConnection(socketPath));
    await new Promise((resolve, reject) => {
      ui.#socket.once("connect", resolve);
      ui.#socket.once("error", reject);
    });
    await ui.#call("ui.attach", {});
    return ui;
  }

  constructor(socket) {
    this.#socket = socket;
    readline.createInterface({ input: socket }).on("line", (line) => this.#receive(JSON.parse(line)));
    socket.on("close", () => {
      for (const { reject } of this.#pending.values()) reject(new Error("taplinkd closed the trusted UI's connection"));
      this.#pending.clear();
    });
  }

  // The questions of one kind asked so far.
  asked(kind) {
    return this.requests.filter((request) => request.kind === kind);
  }

  close() {
    this.#socket.end();
  }

  #receive(message) {
    if (message.method === "ui.request") {
      this.requests.push(message.params);
      this.#answer(message.params).catch((e) => console.log(`trusted UI stand-in: ${e.message}`));
      return;
    }
    const waiter = this.#pending.get(message.id);
    if (!waiter) return;  // a notification the stand-in does not need (ui.request.closed)
    this.#pending.delete(message.id);
    if (message.error) waiter.reject(new Error(`${message.error.message} (${JSON.stringify(message.error.data ?? {})})`));
    else waiter.resolve(message.result);
  }

  #answer(request) {
    const respond = (decision, choice) => this.#call("ui.respond", { id: request.id, decision, ...(choice ? { choice } : {}) });
    if (request.kind === "pin") return this.pin === null ? respond("deny") : respond("allow", this.pin);
    if (request.kind === "application") return respond("allow", request.application.candidates[0].aid);
    return respond("allow");
  }

  #call(method, params) {
    const id = this.#nextId++;
    this.#socket.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${method}: no answer within ${CALL_TIMEOUT_MS} ms`));
      }, CALL_TIMEOUT_MS);
      this.#pending.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
    });
  }
}
