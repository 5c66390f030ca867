// Debian's Chromium through playwright-core: a fresh profile per browser, the TapLink
// extension loaded unpacked (its manifest "key" fixes the id), taplink-nm's host manifest in
// the profile's NativeMessagingHosts folder, and the test PKI's root CA trusted through the
// NSS database of a temporary HOME (no --ignore-certificate-errors).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { ARTIFACT_DIR, EXTENSION_DIR } from "./paths.mjs";

export const CHROMIUM = process.env.TAPLINK_CHROMIUM ?? "/usr/bin/chromium";
export const EXTENSION_ID = "cgdhkmfheednbofpimeandjmpnkjkgjf";
const HOST_NAME = "com.taplink.nm";

function chromiumArgs(extensionDir) {
  const args = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ];
  if (extensionDir) args.push(`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`);
  return args;
}

// A HOME whose NSS database trusts `rootCaPem` for TLS servers.
function homeTrusting(rootCaPem, into) {
  const nssdb = path.join(into, ".pki", "nssdb");
  fs.mkdirSync(nssdb, { recursive: true });
  const db = `sql:${nssdb}`;
  execFileSync("certutil", ["-d", db, "-N", "--empty-password"], { stdio: "pipe" });
  execFileSync("certutil", ["-d", db, "-A", "-t", "C,,", "-n", "taplink-test-root", "-i", rootCaPem], { stdio: "pipe" });
  return into;
}

// taplink-nm's host manifest, copied into the profile; `path` pointed at `nmProgram` when given.
function installHostManifest(profileDir, manifestPath, nmProgram) {
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
  if (nmProgram) manifest.path = nmProgram;
  if (manifest.name !== HOST_NAME) throw new Error(`${manifestPath}: name is ${manifest.name}, not ${HOST_NAME}`);
  fs.accessSync(manifest.path, fs.constants.X_OK);
  const hosts = path.join(profileDir, "NativeMessagingHosts");
  fs.mkdirSync(hosts, { recursive: true });
  fs.writeFileSync(path.join(hosts, `${HOST_NAME}.json`), JSON.stringify(manifest, null, 2));
}

// Launches Chromium. options: extensionDir (omit for a browser without TapLink's extension),
// hostManifest + nmProgram, rootCa, env (added to the browser's environment, which the
// native host inherits: TAPLINK_SOCKET).
export async function launchBrowser({ extensionDir, hostManifest, nmProgram, rootCa, env = {} }) {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "taplink-browser-"));
  const profileDir = path.join(workDir, "profile");
  fs.mkdirSync(profileDir);
  const home = homeTrusting(rootCa, path.join(workDir, "home"));
  if (extensionDir && hostManifest) installHostManifest(profileDir, hostManifest, nmProgram);
  let context;
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: false,
      args: chromiumArgs(extensionDir),
      env: { ...process.env, HOME: home, ...env },
      viewport: { width: 900, height: 1000 },
    });
    if (extensionDir) await waitForExtension(context);
  } catch (e) {
    await context?.close().catch(() => {});
    fs.rmSync(workDir, { recursive: true, force: true });
    throw e;
  }
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(workDir, { recursive: true, force: true });
    },
  };
}

// Runs body(browser) in a browser against the bed whose info is `bedInfo` (its PKI's root CA):
// with `extension`, TapLink's extension and taplink-nm on the bed's taplinkd (the bed's host
// manifest unless TAPLINK_NM_MANIFEST names another, TAPLINK_NM its program); closed after.
export async function withBedBrowser(bedInfo, extension, body) {
  const { rootCa, socketPath, nmManifestDir } = bedInfo;
  const options = extension
    ? {
        extensionDir: EXTENSION_DIR,
        hostManifest: process.env.TAPLINK_NM_MANIFEST ?? path.join(nmManifestDir, "com.taplink.nm.json"),
        nmProgram: process.env.TAPLINK_NM,
        rootCa,
        env: { TAPLINK_SOCKET: socketPath },
      }
    : { rootCa };
  const browser = await launchBrowser(options);
  try {
    await body(browser);
  } finally {
    await browser.close();
  }
}

// A page init script (page.addInitScript): every data-stage the page leaves, in order, in
// window.__taplinkStages.
export function recordStages() {
  window.__taplinkStages = [];
  new MutationObserver((records) => {
    for (const record of records) window.__taplinkStages.push(record.oldValue);
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-stage"], attributeOldValue: true });
}

// Runs body() on `page`, then closes the page; when body fails, first a screenshot
// failed-<name>.png in ARTIFACT_DIR.
export async function closingPage(page, name, body) {
  try {
    await body();
  } catch (e) {
    await page.screenshot({ path: path.join(ARTIFACT_DIR, `failed-${name}.png`), fullPage: true }).catch(() => {});
    throw e;
  } finally {
    await page.close();
  }
}

// The extension's background worker, under the id its manifest key gives it.
async function waitForExtension(context) {
  const ours = (worker) => worker.url().startsWith(`chrome-extension://${EXTENSION_ID}/`);
  if (context.serviceWorkers().some(ours)) return;
  await context.waitForEvent("serviceworker", { predicate: ours, timeout: 15_000 });
}
