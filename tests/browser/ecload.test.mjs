// The demo checkout page's "圈存 / Load e-cash" button in a real Chromium against the whole
// product (taplink-browser-bed): a bank card of each suite (bank-3des through the extension
// and taplink-nm, bank-sm4 through the WebSocket) is loaded from the demo account with the
// page SDK's ecload(); the receipt shows the EC balance before and after and the masked PAN,
// the card holds the amount and the demo account was debited by it, once.
//
// Environment (set by tests/browser/CMakeLists.txt): as checkout.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { BrowserBed } from "./support/bed.mjs";
import { closingPage, recordStages, withBedBrowser } from "./support/browser.mjs";
import { ARTIFACT_DIR } from "./support/paths.mjs";

const OUTCOME_TIMEOUT_MS = 90_000;
const TEST_TIMEOUT_MS = 180_000;
const EC_STAGES = ["waiting_for_card", "authorizing", "writing", "confirming"];

function required(name) {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run this through ctest (tests/browser/CMakeLists.txt)`);
  return value;
}

// Each suite gets a bed (and browsers trusting its PKI) of its own: a bank card is known by its
// PAN, so the two suites' cards cannot share the demo account's one card in one bed.
let bed;

async function withBed(extension, body) {
  fs.mkdirSync(ARTIFACT_DIR, { recursive: true });
  bed = await BrowserBed.start(required("TAPLINK_BROWSER_BED"));
  try {
    await withBedBrowser(bed.info, extension, body);
  } finally {
    await bed.stop();
  }
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

async function loadEcash(browser, url, fen, transport, name) {
  const page = await browser.context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") console.log(`page console: ${message.text()}`);
  });
  await page.addInitScript(recordStages);
  await closingPage(page, name, async () => {
    await page.goto(url);
    const ecBefore = await bed.balance();
    const accountBefore = (await bed.command("account")).balance;
    await page.getByTestId(`amount-${fen}`).click();
    assert.match(await page.getByTestId("ecload").textContent(), /圈存.*Load e-cash/);
    assert.match(await page.getByTestId("pay").textContent(), /Top up city card/);
    await page.getByTestId("ecload").click();
    const shown = page.locator('[data-testid="receipt"]:visible, [data-testid="error"]:visible').first();
    await shown.waitFor({ state: "visible", timeout: OUTCOME_TIMEOUT_MS });
    assert.equal(await shown.getAttribute("data-testid"), "receipt", `error ${await page.getByTestId("error").getAttribute("data-code")}`);
    assert.equal(await page.getByTestId("transport").textContent(), transport);
    assert.equal(await fenOf(page, "receipt-amount"), fen);
    assert.equal(await fenOf(page, "receipt-balance-before"), ecBefore);
    assert.equal(await fenOf(page, "receipt-balance-after"), ecBefore + fen);
    const card = await page.getByTestId("receipt-card").textContent();
    assert.match(card, /^…8883\b/);
    assert.ok(!(await page.content()).includes("6288880000008883"), "the plain PAN is never on the page");
    assert.equal(await page.getByTestId("receipt-tac").isVisible(), false);
    assert.equal(await bed.balance(), ecBefore + fen, "the card's e-cash holds the amount");
    assert.equal(await bed.accountReaches(accountBefore - fen), accountBefore - fen, "the account paid it once");
    const stages = (await stagesSeen(page)).filter((stage) => EC_STAGES.includes(stage));
    assert.deepEqual(stages, EC_STAGES);
    const file = path.join(ARTIFACT_DIR, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true, animations: "disabled" });
  });
}

test("圈存: a bank-3des card is loaded from the demo account through the extension", { timeout: TEST_TIMEOUT_MS }, async () => {
  await withBed(true, async (browser) => {
    await bed.command("bank bank-3des");
    await loadEcash(browser, bed.info.checkoutUrl, 5000, "extension", "ecload-bank-3des");
  });
});

test("圈存: a bank-sm4 card is loaded from the demo account through the WebSocket", { timeout: TEST_TIMEOUT_MS }, async () => {
  await withBed(false, async (browser) => {
    await bed.command("bank bank-sm4");
    const url = new URL(bed.info.checkoutUrl);
    url.searchParams.set("ws", bed.info.websocketUrl);
    await loadEcash(browser, url.href, 2000, "websocket", "ecload-bank-sm4");
  });
});
