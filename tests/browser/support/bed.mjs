// Drives taplink-browser-bed (tests/testbed/browser_bed_main.cpp): pcscd + vpcd + taplink-sim
// + taplink-server (with the merchant's checkout page) + taplinkd. It prints one JSON line
// describing itself, then answers each stdin command (`balance`, `settled`, `pull-at N`,
// `insert`, `remove`, `quit`) with one JSON line.
import { spawn } from "node:child_process";
import readline from "node:readline";

const START_TIMEOUT_MS = 120_000;
const COMMAND_TIMEOUT_MS = 30_000;

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class BrowserBed {
  #child;
  #lines = [];
  #waiters = [];
  #exited;
  #queue = Promise.resolve();

  constructor(child) {
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    this.#exited.then(({ code, signal }) => {
      for (const waiter of this.#waiters.splice(0)) waiter.reject(new Error(`taplink-browser-bed exited (${code ?? signal})`));
    });
    readline.createInterface({ input: child.stdout }).on("line", (line) => {
      const waiter = this.#waiters.shift();
      if (waiter) waiter.resolve(line);
      else this.#lines.push(line);
    });
  }

  // Starts the bed (`args`: its command line, e.g. ["--confirmation", "ask"]) and resolves
  // with it once it has described itself (`info`).
  static async start(program, { args = [], env = process.env, log = process.stderr } = {}) {
    const child = spawn(program, args, { stdio: ["pipe", "pipe", "pipe"], env });
    child.stderr.on("data", (chunk) => log.write(chunk));
    const bed = new BrowserBed(child);
    try {
      bed.info = JSON.parse(await withTimeout(bed.#nextLine(), START_TIMEOUT_MS, "taplink-browser-bed start"));
    } catch (e) {
      await bed.stop();
      throw e;
    }
    return bed;
  }

  #nextLine() {
    if (this.#lines.length > 0) return Promise.resolve(this.#lines.shift());
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) {
      return Promise.reject(new Error("taplink-browser-bed is not running"));
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  // Sends one command and resolves with its JSON answer; an {"ok":false} answer rejects.
  command(text) {
    const run = async () => {
      this.#child.stdin.write(`${text}\n`);
      const answer = JSON.parse(await withTimeout(this.#nextLine(), COMMAND_TIMEOUT_MS, `bed command "${text}"`));
      if (answer.ok === false) throw new Error(`bed command "${text}" failed: ${JSON.stringify(answer)}`);
      return answer;
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => {});
    return result;
  }

  // The card's balance in fen, as the card says.
  async balance() {
    return (await this.command("balance")).balance;
  }

  // The demo account's balance in fen once it is `expected` (the server debits it when it
  // authorizes), or as it is after 60 s.
  async accountReaches(expected) {
    const deadline = Date.now() + 60_000;
    let balance = (await this.command("account")).balance;
    while (balance !== expected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      balance = (await this.command("account")).balance;
    }
    return balance;
  }

  // What the server's ledger has settled for the card, in fen.
  async settled() {
    return (await this.command("settled")).settled;
  }

  // `quit`, then (if it does not go) SIGTERM and SIGKILL to the bed this test started.
  async stop() {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      child.stdin.end("quit\n");
      await withTimeout(this.#exited, 30_000, "taplink-browser-bed quit");
      return;
    } catch {
      child.kill("SIGTERM");
    }
    try {
      await withTimeout(this.#exited, 10_000, "taplink-browser-bed SIGTERM");
    } catch {
      child.kill("SIGKILL");
      await this.#exited;
    }
  }
}
