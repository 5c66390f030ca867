// The demo checkout page's "银行卡支付 · Pay with bank card" button (Tap & Pay) in a real
// Chromium against the whole product (taplink-browser-bed, --confirmation ask): the page SDK's
// pay() pays the demo shop with the demo bank card from the demo account, once for a card of
// each suite (bank-3des, bank-sm4). The trusted UI is a stand-in on taplinkd's Unix socket
// (support/trusted_ui.mjs): it allows the "pay" question and types the PIN at the "pin"
// question, as the TapLink app would; the page never sees the PIN. Covered for each suite:
// approval below the CVM limit through the extension; a wrong PIN (the page's advice with the
// tries left), then approval with the PIN above the CVM limit through the WebSocket. Once:
// the install link when no TapLink answers.
//
// Environment (set by tests/browser/CMakeLists.txt): as checkout.test.mjs.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { BrowserBed } from "./support/bed.mjs";
import { closingPage, recordStages, withBedBrowser } from "./support/browser.mjs";
import { ARTIFACT_DIR } from "./support/paths.mjs";
import { TrustedUi } from "./support/trusted_ui.mjs";

const OUTCOME_TIMEOUT_MS = 90_000;
const TEST_TIMEOUT_MS = 180_000;
const PAY_STAGES = ["waiting_for_card", "choosing_application", "awaiting_confirmation", "entering_pin", "authorizing", "completing"];
const NO_PIN = 5000; // ¥50.00: below the bed's CVM limit (¥60.00)
const WITH_PIN = 10000; // ¥100.00: above it
const WRONG_PIN = "975319";

function required(name) {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run this through ctest (tests/browser/CMakeLists.txt)`);
  return value;
}

// Each suite gets a bed (its chip's payment applet personalised, the demo account with its
// PIN, a server database of its own) and a trusted UI of its own: the server keeps one ATC per
// card, known by its PAN, and both suites' cards carry the demo PAN. The running suite's:
let bed;
let ui;

// Registers the enclosing describe's hooks: its bed with `profile`'s demo bank card on the
// reader (none when null), and the trusted UI; both stopped after its tests.
function withOwnBed(profile) {
  before(async () => {
    fs.mkdirSync(ARTIFACT_DIR, { recursive: true });
    bed = await BrowserBed.start(required("TAPLINK_BROWSER_BED"), { args: ["--confirmation", "ask"] });
    ui = await TrustedUi.attach(bed.info.socketPath);
    if (profile) await bed.command(`bank ${profile}`);
  });
  after(async () => {
    ui?.close();
    await bed?.stop();
    ui = undefined;
    bed = undefined;
  });
}

function withBrowser(extension, body) {
  return withBedBrowser(bed.info, extension, body);
}

// The pay.progress stages the page showed, in order, each once.
async function payStagesSeen(page) {
  const { history, current } = await page.evaluate(() => ({
    history: window.__taplinkStages,
    current: document.querySelector('[data-testid="status"]').dataset.stage,
  }));
  return [...history, current].filter((stage, i, all) => stage !== all[i - 1] && PAY_STAGES.includes(stage));
}

// A page of the checkout whose every console line is kept (to prove the PIN is never there).
async function openCheckout(browser, url) {
  const page = await browser.context.newPage();
  page.consoleLines = [];
  page.on("console", (message) => {
    page.consoleLines.push(message.text());
    if (message.type() === "error") console.log(`page console: ${message.text()}`);
  });
  await page.addInitScript(recordStages);
  await page.goto(url);
  return page;
}

// Presses "Pay with bank card" for fen; resolves with the panel shown (receipt or error).
async function pressPay(page, fen) {
  await page.getByTestId(`amount-${fen}`).click();
  assert.match(await page.getByTestId("bank-pay").textContent(), /银行卡支付.*Pay with bank card/);
  await page.getByTestId("bank-pay").click();
  const shown = page.locator('[data-testid="receipt"]:visible, [data-testid="error"]:visible').first();
  await shown.waitFor({ state: "visible", timeout: OUTCOME_TIMEOUT_MS });
  return shown;
}

async function assertApproved(page, shown, fen, transport) {
  assert.equal(await shown.getAttribute("data-testid"), "receipt", `error ${await page.getByTestId("error").getAttribute("data-code")}`);
  assert.equal(await page.getByTestId("transport").textContent(), transport);
  assert.equal(Number(await page.getByTestId("receipt-amount").getAttribute("data-fen")), fen);
  assert.equal(await page.getByTestId("receipt-merchant").textContent(), "TapLink 演示商店 Demo Shop");
  assert.match(await page.getByTestId("receipt-auth-code").textContent(), /^[0-9A-Z]{6}$/);
  assert.match(await page.getByTestId("receipt-card").textContent(), /^…8883\b/);
  // taplinkd reports the card's TC before it answers: the server's receipt is on the page.
  assert.equal(await page.getByTestId("receipt-settled").getAttribute("data-settled"), "true", "the purchase is settled");
  assert.match(await page.getByTestId("receipt-id").textContent(), /^RCP-[0-9A-Z]+$/);
  assert.ok(!(await page.content()).includes(bed.info.demoPan), "the plain PAN is never on the page");
  assert.equal(await page.getByTestId("receipt-balance-before").isVisible(), false);
  assert.equal(await page.getByTestId("receipt-tac").isVisible(), false);
}

// The question the trusted UI was asked for this order, of this kind.
function question(kind, orderId) {
  return ui.asked(kind).find((request) => request[kind]?.orderId === orderId);
}

function assertPayQuestion(orderId, fen) {
  const asked = question("pay", orderId);
  assert.ok(asked, "the trusted UI was asked to confirm the purchase");
  assert.equal(asked.pay.amount, fen);
  assert.equal(asked.pay.merchant, "TapLink 演示商店 Demo Shop");
  assert.equal(asked.pay.card.scheme, "bank-purchase");
  assert.equal(asked.pay.card.pan, "…8883");
}

async function screenshot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACT_DIR, `${name}.png`), fullPage: true, animations: "disabled" });
}

// The page's DOM and console, and taplinkd's log, never hold the PIN.
async function assertPinNowhere(page, pin) {
  const digits = new RegExp(`(^|\\D)${pin}(\\D|$)`);
  assert.ok(!digits.test(await page.content()), "the PIN is not in the page's DOM");
  assert.ok(!page.consoleLines.some((line) => digits.test(line)), "the PIN is not on the page's console");
  assert.ok(!digits.test(fs.readFileSync(bed.info.daemonLog, "utf8")), "the PIN is not in taplinkd's log");
}

async function payBelowCvmLimitThroughExtension(profile) {
  await withBrowser(true, async (browser) => {
    const page = await openCheckout(browser, bed.info.checkoutUrl);
    await closingPage(page, `pay-extension-${profile}`, async () => {
      const accountBefore = (await bed.command("account")).balance;
      const pinsBefore = ui.asked("pin").length;
      await assertApproved(page, await pressPay(page, NO_PIN), NO_PIN, "extension");
      const orderId = await page.getByTestId("receipt-order-id").textContent();
      assertPayQuestion(orderId, NO_PIN);
      assert.equal(ui.asked("pin").length, pinsBefore, "no PIN is asked below the CVM limit");
      assert.deepEqual(await payStagesSeen(page), ["waiting_for_card", "awaiting_confirmation", "authorizing", "completing"]);
      assert.equal(await bed.accountReaches(accountBefore - NO_PIN), accountBefore - NO_PIN, "the account paid it once");
      await screenshot(page, `pay-extension-${profile}`);
    });
  });
}

async function payWithPinAfterWrongPinThroughWebSocket(profile) {
  await withBrowser(false, async (browser) => {
    const url = new URL(bed.info.checkoutUrl);
    url.searchParams.set("ws", bed.info.websocketUrl);
    const page = await openCheckout(browser, url.href);
    await closingPage(page, `pay-websocket-pin-${profile}`, async () => {
      const accountBefore = (await bed.command("account")).balance;
      ui.pin = WRONG_PIN;
      const refused = await pressPay(page, WITH_PIN);
      assert.equal(await refused.getAttribute("data-testid"), "error");
      assert.equal(await refused.getAttribute("data-code"), "wrong_pin");
      assert.match(await page.locator("#error-title").textContent(), /密码错误 · Wrong PIN/);
      assert.match(await page.locator("#error-advice").textContent(), /还可尝试 2 次 · 2 tries left/);
      assert.equal((await bed.command("account")).balance, accountBefore, "a wrong PIN charges nothing");
      await screenshot(page, `pay-wrong-pin-${profile}`);

      ui.pin = bed.info.demoPin;
      await page.evaluate(() => (window.__taplinkStages = []));
      const shown = await pressPay(page, WITH_PIN);
      await assertApproved(page, shown, WITH_PIN, "websocket");
      const orderId = await page.getByTestId("receipt-order-id").textContent();
      assertPayQuestion(orderId, WITH_PIN);
      const pinQuestion = question("pin", orderId);
      assert.ok(pinQuestion, "the trusted UI asked the PIN above the CVM limit");
      assert.deepEqual(
        { amount: pinQuestion.pin.amount, currency: pinQuestion.pin.currency, merchant: pinQuestion.pin.merchant, pan: pinQuestion.pin.pan },
        { amount: WITH_PIN, currency: "CNY", merchant: "TapLink 演示商店 Demo Shop", pan: "…8883" },
      );
      assert.deepEqual(await payStagesSeen(page), ["waiting_for_card", "awaiting_confirmation", "entering_pin", "authorizing", "completing"]);
      assert.equal(await bed.accountReaches(accountBefore - WITH_PIN), accountBefore - WITH_PIN, "the account paid it once");
      await assertPinNowhere(page, bed.info.demoPin);
      await assertPinNowhere(page, WRONG_PIN);
      await screenshot(page, `pay-websocket-pin-${profile}`);
    });
  });
}

// The same purchases with a card of `profile`, on a bed of its own.
function paySuite(profile) {
  describe(`Tap & Pay with a ${profile} card`, () => {
    withOwnBed(profile);
    test("¥50 below the CVM limit is approved without a PIN through the extension", { timeout: TEST_TIMEOUT_MS }, () =>
      payBelowCvmLimitThroughExtension(profile),
    );
    test("a wrong PIN shows the tries left, then ¥100 with the PIN is approved through the WebSocket", { timeout: TEST_TIMEOUT_MS }, () =>
      payWithPinAfterWrongPinThroughWebSocket(profile),
    );
  });
}

paySuite("bank-3des");
paySuite("bank-sm4");

// A loopback port nothing listens on.
async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Not about the card: once, on a bed of its own with no bank card.
describe("Tap & Pay without TapLink", () => {
  withOwnBed(null);

  test("with no TapLink answering, the page offers the install link", { timeout: TEST_TIMEOUT_MS }, async () => {
    await withBrowser(false, async (browser) => {
      const url = new URL(bed.info.checkoutUrl);
      url.searchParams.set("transport", "websocket");
      url.searchParams.set("ws", `ws://127.0.0.1:${await closedPort()}/`);
      const page = await openCheckout(browser, url.href);
      await closingPage(page, "pay-not-installed", async () => {
        const shown = await pressPay(page, NO_PIN);
        assert.equal(await shown.getAttribute("data-testid"), "error");
        assert.equal(await shown.getAttribute("data-code"), "not_installed");
        const install = page.getByTestId("install");
        assert.equal(await install.isVisible(), true);
        const link = page.locator("#install-link");
        assert.match(await link.textContent(), /安装或更新 TapLink · Install or update TapLink/);
        const target = new URL(await link.getAttribute("href"), page.url());
        assert.equal(target.pathname, "/assets/install.html");
        await screenshot(page, "pay-not-installed");
        const installPage = await page.goto(target.href);
        assert.equal(installPage.status(), 200, "the install page is served");
      });
    });
  });
});
