// The demo checkout page in a real Chromium against the whole product (taplink-browser-bed:
// pcscd + vpcd + taplink-sim + taplink-server + taplinkd): a top-up through the TapLink
// extension and taplink-nm, the same through the WebSocket fallback, a card pulled mid-flow
// and retried, a shop whose origin taplinkd does not allow, a page opening more sessions than
// the extension allows, and a computer without TapLink.
//
// Environment (set by tests/browser/CMakeLists.txt): TAPLINK_BROWSER_BED, TAPLINK_NM,
// TAPLINK_NM_MANIFEST, TAPLINK_EXTENSION_DIR, TAPLINK_ARTIFACT_DIR.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { BrowserBed } from "./support/bed.mjs";
import { launchBrowser } from "./support/browser.mjs";
import { ARTIFACT_DIR, EXTENSION_DIR } from "./support/paths.mjs";
import { TrustedUi } from "./support/trusted_ui.mjs";

const STEPS = ["waiting_for_card", "awaiting_confirmation", "authorizing", "writing", "confirming"];
const OUTCOME_TIMEOUT_MS = 90_000;
const TEST_TIMEOUT_MS = 180_000;

function required(name) {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run this through ctest (tests/browser/CMakeLists.txt)`);
  return value;
}

let bed;
let withExtension; // Chromium with the TapLink extension and taplink-nm's host manifest
let withoutExtension; // Chromium with neither

before(async () => {
  fs.mkdirSync(ARTIFACT_DIR, { recursive: true });
  bed = await BrowserBed.start(required("TAPLINK_BROWSER_BED"));
  const { rootCa, socketPath, nmManifestDir } = bed.info;
  const hostManifest = process.env.TAPLINK_NM_MANIFEST ?? path.join(nmManifestDir, "com.taplink.nm.json");
  withExtension = await launchBrowser({
    extensionDir: EXTENSION_DIR,
    hostManifest,
    nmProgram: process.env.TAPLINK_NM,
    rootCa,
    env: { TAPLINK_SOCKET: socketPath },
  });
  withoutExtension = await launchBrowser({ rootCa });
});

after(async () => {
  await withExtension?.close();
  await withoutExtension?.close();
  await bed?.stop();
});

// Records every value of the status element's data-stage, so fast stages are not missed.
function recordStages() {
  window.__taplinkStages = [];
  new MutationObserver((records) => {
    for (const record of records) window.__taplinkStages.push(record.oldValue);
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-stage"], attributeOldValue: true });
}

function pageUrl(base, query = {}) {
  const url = new URL(base);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url.href;
}

async function openCheckout(browser, url) {
  const page = await browser.context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") console.log(`page console: ${message.text()}`);
  });
  await page.addInitScript(recordStages);
  await page.goto(url);
  return page;
}

async function pay(page, fen) {
  await page.getByTestId(`amount-${fen}`).click();
  await page.getByTestId("pay").click();
}

// Waits for the receipt or the error panel; returns which.
async function outcome(page) {
  const shown = page.locator('[data-testid="receipt"]:visible, [data-testid="error"]:visible').first();
  await shown.waitFor({ state: "visible", timeout: OUTCOME_TIMEOUT_MS });
  if ((await shown.getAttribute("data-testid")) === "receipt") return { kind: "receipt" };
  return { kind: "error", code: await shown.getAttribute("data-code") };
}

async function stagesSeen(page) {
  const { history, current } = await page.evaluate(() => ({
    history: window.__taplinkStages,
    current: document.querySelector('[data-testid="status"]').dataset.stage,
  }));
  return [...history, current].filter((stage, i, all) => stage !== all[i - 1]);
}

async function fenOf(page, testId) {
  return Number(await page.getByTestId(testId).getAttribute("data-fen"));
}

// The server settles a loaded card by itself shortly after (the receipt may say "pending").
async function settledReaches(expected) {
  const deadline = Date.now() + 60_000;
  let settled = await bed.settled();
  while (settled < expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    settled = await bed.settled();
  }
  return settled;
}

async function screenshot(page, name) {
  const file = path.join(ARTIFACT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: "disabled" });
  console.log(`artefact: ${file}`);
  return file;
}

// Runs a scenario on a new page; on failure the page is kept as a screenshot.
async function scenario(name, browser, url, body) {
  const page = await openCheckout(browser, url);
  try {
    await body(page);
  } catch (e) {
    await screenshot(page, `failed-${name}`).catch(() => {});
    throw e;
  } finally {
    await page.close();
  }
}

// A loopback port nothing listens on.
async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function topUpAndCheck(page, fen, transport) {
  const balanceBefore = await bed.balance();
  const settledBefore = await bed.settled();
  await pay(page, fen);
  assert.deepEqual(await outcome(page), { kind: "receipt" });
  assert.equal(await page.getByTestId("transport").textContent(), transport);
  assert.equal(await fenOf(page, "receipt-amount"), fen);
  assert.equal(await fenOf(page, "receipt-balance-before"), balanceBefore);
  assert.equal(await fenOf(page, "receipt-balance-after"), balanceBefore + fen);
  assert.match(await page.getByTestId("receipt-order-id").textContent(), /\S/);
  assert.equal(await bed.balance(), balanceBefore + fen, "the card holds the amount");
  assert.equal(await settledReaches(settledBefore + fen), settledBefore + fen, "the server settled it once");
  assert.deepEqual((await stagesSeen(page)).filter((stage) => STEPS.includes(stage)), STEPS);
}

// Opens `count` sessions through the content script's own messages, as a page can; returns
// each one's first answer: "connected", or the error code it was refused with.
async function openSessions(page, prefix, count) {
  return page.evaluate(async ({ prefix, count }) => {
    const answers = new Map();
    window.addEventListener("message", (event) => {
      const data = event.data;
      if (event.source !== window || data?.channel !== "taplink" || data.direction !== "to-page") return;
      if (!String(data.session).startsWith(prefix) || answers.has(data.session)) return;
      if (data.type === "connected") answers.set(data.session, "connected");
      if (data.type === "error") answers.set(data.session, data.error?.code);
    });
    for (let i = 0; i < count; i++) {
      window.postMessage({ channel: "taplink", direction: "to-extension", type: "connect", session: `${prefix}${i}` }, window.location.origin);
    }
    const deadline = Date.now() + 30_000;
    while (answers.size < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    return [...Array(count).keys()].map((i) => answers.get(`${prefix}${i}`) ?? "no answer");
  }, { prefix, count });
}

// First, before any top-up: taplinkd counts an origin's taplink-nm connections too, and a
// closed page's may linger for a moment.
test("the extension holds each tab and each origin to its share of sessions", { timeout: TEST_TIMEOUT_MS }, async () => {
  const tabs = [];
  try {
    for (let i = 0; i < 3; i++) tabs.push(await openCheckout(withExtension, bed.info.checkoutUrl));
    assert.deepEqual(await openSessions(tabs[0], "a", 5), ["connected", "connected", "connected", "connected", "busy"]);
    assert.deepEqual(await openSessions(tabs[1], "b", 4), ["connected", "connected", "connected", "connected"]);
    assert.deepEqual(await openSessions(tabs[2], "c", 1), ["busy"], "the origin's eight are taken");
    await tabs.shift().close(); // its four sessions end with it
    assert.deepEqual(await openSessions(tabs[0], "d", 1), ["busy"], "still the tab's four");
    const deadline = Date.now() + 10_000;
    let answer;
    do {
      [answer] = await openSessions(tabs[1], `e${Date.now()}-`, 1);
    } while (answer !== "connected" && Date.now() < deadline);
    assert.equal(answer, "connected", "a tab of the origin opens one again");
  } finally {
    for (const tab of tabs) await tab.close();
  }
});

test("a full top-up through the extension and native messaging", { timeout: TEST_TIMEOUT_MS }, async () => {
  await scenario("extension", withExtension, bed.info.checkoutUrl, async (page) => {
    assert.ok(await page.evaluate(() => document.documentElement.dataset.taplinkExtension), "the content script marked the page");
    await topUpAndCheck(page, 2000, "extension");
    await screenshot(page, "checkout-finished");
  });
});

test("a full top-up through the WebSocket fallback (no extension)", { timeout: TEST_TIMEOUT_MS }, async () => {
  const url = pageUrl(bed.info.checkoutUrl, { ws: bed.info.websocketUrl });
  await scenario("websocket", withoutExtension, url, async (page) => {
    assert.equal(await page.evaluate(() => document.documentElement.dataset.taplinkExtension), undefined);
    await topUpAndCheck(page, 1000, "websocket");
    await screenshot(page, "checkout-finished-websocket");
  });
});

test("the WebSocket also works beside the extension when the page asks for it", { timeout: TEST_TIMEOUT_MS }, async () => {
  const url = pageUrl(bed.info.checkoutUrl, { transport: "websocket", ws: bed.info.websocketUrl });
  await scenario("websocket-with-extension", withExtension, url, async (page) => {
    await topUpAndCheck(page, 1000, "websocket");
  });
});

// The page SDK's cardInfo() from the checkout page over `transport`: the card's details, or
// the error code.
function readCard(page, transport) {
  return page.evaluate(async ({ transport, websocketUrl }) => {
    const { connect } = await import("/sdk/taplink.js");
    const client = await connect({ transport, websocketUrl });
    try {
      return { info: await client.cardInfo() };
    } catch (e) {
      return { code: e.code };
    } finally {
      client.close();
    }
  }, { transport, websocketUrl: bed.info.websocketUrl });
}

// card.info gives the card's balance, issuer and validity, which would let a site know its
// holder: taplinkd asks the user once per origin (web.cardInfo "ask", the bed's default), and
// once more when the origin is only claimed (the WebSocket).
test("a page reads the card once the user allowed its origin, and the user is asked once", { timeout: TEST_TIMEOUT_MS }, async () => {
  const ui = await TrustedUi.attach(bed.info.socketPath);
  try {
    await scenario("card-info", withExtension, bed.info.checkoutUrl, async (page) => {
      const first = await readCard(page, "extension");
      assert.ok(first.info, `card.info failed: ${first.code}`);
      assert.equal(first.info.balance, await bed.balance());
      assert.match(first.info.serial, /^…\d{4}$/);
      const [question] = ui.asked("cardinfo");
      assert.equal(question.origin, new URL(bed.info.checkoutUrl).origin);
      assert.equal(question.originVouched, true, "the extension vouches for the origin");
      assert.equal(question.cardinfo.reader, first.info.reader);
      const again = await readCard(page, "extension");
      assert.equal(again.info?.serial, first.info.serial, `card.info failed: ${again.code}`);
      assert.equal(ui.asked("cardinfo").length, 1, "asked once for the origin");
      // The WebSocket only claims the origin (any local program could): asked about apart.
      const claimed = await readCard(page, "websocket");
      assert.equal(claimed.info?.serial, first.info.serial, `card.info failed: ${claimed.code}`);
      assert.deepEqual(ui.asked("cardinfo").map((asked) => asked.originVouched), [true, false]);
    });
  } finally {
    ui.close();
  }
});

test("a card pulled mid-flow shows card_removed and a retry loads and settles it once", { timeout: TEST_TIMEOUT_MS }, async () => {
  await scenario("card-removed", withExtension, bed.info.checkoutUrl, async (page) => {
    const fen = 5000;
    const balanceBefore = await bed.balance();
    const settledBefore = await bed.settled();
    await bed.command("pull-at 4");
    await pay(page, fen);
    assert.deepEqual(await outcome(page), { kind: "error", code: "card_removed" });
    assert.match(await page.getByTestId("error").textContent(), /card/i);
    await screenshot(page, "card-removed");
    await bed.command("insert");
    await page.getByTestId("retry").click();
    assert.deepEqual(await outcome(page), { kind: "receipt" });
    assert.equal(await fenOf(page, "receipt-balance-after"), balanceBefore + fen);
    assert.equal(await bed.balance(), balanceBefore + fen, "loaded exactly once");
    assert.equal(await settledReaches(settledBefore + fen), settledBefore + fen);
    // Nothing more arrives later (a double settlement would show here).
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.equal(await bed.settled(), settledBefore + fen, "settled exactly once");
  });
});

for (const [transport, browser, query] of [
  ["extension", () => withExtension, () => ({})],
  ["websocket", () => withoutExtension, () => ({ ws: bed.info.websocketUrl })],
]) {
  test(`a page of an origin taplinkd does not allow is refused (${transport})`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const url = pageUrl(bed.info.foreignUrl, query());
    assert.notEqual(new URL(url).origin, new URL(bed.info.checkoutUrl).origin);
    await scenario(`foreign-${transport}`, browser(), url, async (page) => {
      const balanceBefore = await bed.balance();
      const settledBefore = await bed.settled();
      await pay(page, 1000);
      assert.deepEqual(await outcome(page), { kind: "error", code: "origin_denied" });
      assert.equal(await page.getByTestId("receipt").isVisible(), false);
      assert.equal(await bed.balance(), balanceBefore, "nothing loaded");
      assert.equal(await bed.settled(), settledBefore, "nothing settled");
    });
  });
}

test("without the extension and without a WebSocket the page says TapLink is not installed", { timeout: TEST_TIMEOUT_MS }, async () => {
  const url = pageUrl(bed.info.checkoutUrl, { ws: `ws://127.0.0.1:${await closedPort()}/` });
  await scenario("not-installed", withoutExtension, url, async (page) => {
    const balanceBefore = await bed.balance();
    await pay(page, 1000);
    assert.deepEqual(await outcome(page), { kind: "error", code: "not_installed" });
    assert.match(await page.getByTestId("error").textContent(), /not installed/i);
    assert.equal(await bed.balance(), balanceBefore);
  });
});

test("with the extension but no native host, auto falls back to the WebSocket", { timeout: TEST_TIMEOUT_MS }, async () => {
  // The extension is installed but taplink-nm's manifest is not: Chromium answers "Specified
  // native messaging host not found", which the extension reports as not_installed.
  const browser = await launchBrowser({ extensionDir: EXTENSION_DIR, rootCa: bed.info.rootCa });
  try {
    const nowhere = pageUrl(bed.info.checkoutUrl, { ws: `ws://127.0.0.1:${await closedPort()}/` });
    await scenario("no-host-no-websocket", browser, nowhere, async (page) => {
      await pay(page, 1000);
      assert.deepEqual(await outcome(page), { kind: "error", code: "not_installed" });
    });
    const fallback = pageUrl(bed.info.checkoutUrl, { ws: bed.info.websocketUrl });
    await scenario("no-host-websocket", browser, fallback, async (page) => {
      await topUpAndCheck(page, 1000, "websocket");
    });
  } finally {
    await browser.close();
  }
});

test("with the extension and its host but taplinkd not running the page says not_running", { timeout: TEST_TIMEOUT_MS }, async () => {
  const hostManifest = process.env.TAPLINK_NM_MANIFEST ?? path.join(bed.info.nmManifestDir, "com.taplink.nm.json");
  const browser = await launchBrowser({
    extensionDir: EXTENSION_DIR,
    hostManifest,
    nmProgram: process.env.TAPLINK_NM,
    rootCa: bed.info.rootCa,
    env: { TAPLINK_SOCKET: path.join(bed.info.bedDir, "no-taplinkd-here.sock") },
  });
  try {
    const url = pageUrl(bed.info.checkoutUrl, { ws: `ws://127.0.0.1:${await closedPort()}/` });
    await scenario("not-running", browser, url, async (page) => {
      await pay(page, 1000);
      assert.deepEqual(await outcome(page), { kind: "error", code: "not_running" });
    });
  } finally {
    await browser.close();
  }
});
