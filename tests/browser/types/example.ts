// Uses every function of the page SDK the way a checkout page would; compiled with
// `tsc --noEmit --strict` by sdk_types.test.mjs. The @ts-expect-error lines are misuses the
// types must refuse (tsc fails if one of them is accepted).
import {
  connect,
  DEFAULT_WEBSOCKET_URL,
  errorFromRpc,
  extensionPresent,
  TapLinkError,
  type BankCardInfo,
  type CardInfo,
  type EcloadResult,
  type EcloadStage,
  type PayResult,
  type PayStage,
  type Reader,
  type TapLinkClient,
  type TapLinkErrorCode,
  type TopupResult,
  type TopupStage,
  type TxStatus,
} from "../../../native-messaging/sdk/taplink.js";

const stageText: Record<TopupStage, string> = {
  waiting_for_card: "Hold the card on the reader",
  awaiting_confirmation: "Confirm the amount in TapLink",
  authorizing: "Authorizing",
  writing: "Loading the card",
  confirming: "Confirming",
};

// Exhaustive over every code: adding a code to the SDK without a message here fails to compile.
function userMessage(code: TapLinkErrorCode): string {
  switch (code) {
    case "not_installed":
      return "Install TapLink to pay with your card reader.";
    case "not_running":
      return "Start TapLink and try again.";
    case "disconnected":
      return "The connection to TapLink was lost.";
    case "not_supported":
      return "This TapLink version cannot do that yet.";
    case "update_required":
      return "Update TapLink to pay here.";
    case "protocol_error":
      return "TapLink did not understand the page.";
    case "origin_denied":
      return "This shop is not allowed to use your card reader.";
    case "user_denied":
      return "You declined the payment.";
    case "confirmation_unavailable":
      return "Open the TapLink app to confirm payments.";
    case "rate_limited":
      return "Too many requests; wait a moment.";
    case "no_reader":
    case "pcsc_unavailable":
      return "Connect a card reader.";
    case "no_card":
    case "card_removed":
      return "Hold the card on the reader until it is done.";
    case "unsupported_card":
      return "This card cannot be topped up here.";
    case "server_unreachable":
    case "server_error":
    case "script_rejected":
      return "The top-up service is not available.";
    case "order_not_found":
    case "order_settled":
    case "declined":
      return "The order cannot be paid.";
    case "cancelled":
    case "timeout":
      return "The payment was stopped.";
    case "chip_unavailable":
      return "This terminal cannot load cards right now.";
    case "too_late":
      return "The card has already been loaded.";
    case "busy":
      return "The reader is busy.";
    case "not_found":
      return "Unknown order.";
    case "wrong_scheme":
      return "Use a bank card for e-cash, a city card for top-ups.";
    case "ec_limit_exceeded":
      return "The card cannot hold that much e-cash.";
    case "card_expired":
      return "The card has expired.";
    case "no_application":
      return "This card has no e-cash.";
    case "pin_blocked":
      return "The card's PIN is blocked. Contact the issuing bank.";
    case "chip_locked":
      return "This terminal has been locked by its operator.";
    case "wrong_pin":
      return "The PIN was wrong.";
    case "limit_exceeded":
      return "The amount is over this terminal's payment limit.";
    case "chip_outdated":
      return "This terminal needs an update from its operator before it can take payments.";
    case "invalid_params":
    case "internal":
      return "Something went wrong.";
  }
}

async function checkout(orderId: string): Promise<TopupResult | string> {
  const present: boolean = await extensionPresent(300);
  const client: TapLinkClient = await connect({
    transport: present ? "extension" : "auto",
    websocketUrl: DEFAULT_WEBSOCKET_URL,
    timeoutMs: 5000,
  });
  const transport: "extension" | "websocket" = client.transport;
  const off = client.on("card.inserted", ({ reader, scheme }) => console.log(reader, scheme ?? "?"));
  await off.ready;
  const offRemoved = client.on("card.removed", (event) => console.log(event.reader));
  const offReaderAdded = client.on("reader.added", (event) => console.log(event.name));
  const offReaderRemoved = client.on("reader.removed", (event) => console.log(event.name));
  const offDisconnected = client.on("disconnected", (error: TapLinkError) => console.log(error.code));
  try {
    const version: string = (await client.version()).version;
    const readers: Reader[] = await client.readers();
    const info: CardInfo | BankCardInfo = await client.cardInfo(readers[0]?.name);
    if (info.scheme === "bank-ec") console.log(info.pan, info.ecBalance, info.ecBalanceLimit);
    else console.log(transport, version, info.balance, info.serial);
    const result = await client.topup({ orderId, onProgress: (stage) => console.log(stageText[stage]) });
    const after: number = result.balanceAfter;
    const settled: boolean = result.settled;
    console.log(after, settled, result.receipt, result.timings?.totalMs);
    return result;
  } catch (e) {
    if (e instanceof TapLinkError) {
      if (e.code === "disconnected") {
        const status: TxStatus = await client.status(orderId);
        console.log(status.state, status.failure);
      }
      return userMessage(e.code) + JSON.stringify(e.details ?? {});
    }
    throw e;
  } finally {
    await client.pay({ orderId, reader: "TapLink Sim Reader 00 00" }).catch(() => undefined);
    await client.cancel(orderId).catch(() => undefined);
    off();
    offRemoved();
    offReaderAdded();
    offReaderRemoved();
    offDisconnected();
    client.close();
  }
}

const ecloadText: Record<EcloadStage, string> = {
  waiting_for_card: "Hold the bank card on the reader",
  choosing_application: "Choose the card's application in TapLink",
  awaiting_confirmation: "Confirm the load in TapLink",
  authorizing: "Asking the bank",
  writing: "Loading the card",
  confirming: "Confirming",
};

async function loadEcash(client: TapLinkClient, orderId: string): Promise<EcloadResult> {
  const result = await client.ecload(orderId, { onProgress: (stage, progress) => console.log(ecloadText[stage], progress.orderId) });
  const pan: string = result.card.pan;
  console.log(pan, result.card.application, result.balanceBefore, result.balanceAfter, result.settled, result.receipt);
  await client.ecload(orderId, { reader: "TapLink Sim Reader 00 00" });
  return client.ecload(orderId);
}

const payText: Record<PayStage, string> = {
  waiting_for_card: "Hold the bank card on the reader",
  choosing_application: "Choose the card's application in TapLink",
  awaiting_confirmation: "Confirm the payment in TapLink",
  entering_pin: "Enter your PIN in TapLink",
  authorizing: "Asking the bank",
  completing: "Completing with the card",
};

// A page that needs Tap & Pay says so when it connects: update_required otherwise.
async function payWithBankCard(orderId: string): Promise<PayResult | string> {
  try {
    const client = await connect({ requires: ["pay"], installUrl: "/assets/install.html" });
    const paid = await client.pay({ orderId, onProgress: (stage, progress) => console.log(payText[stage], progress.orderId) });
    const code: string = paid.authCode;
    console.log(code, paid.merchant, paid.card.pan, paid.settled, paid.receipt);
    return paid;
  } catch (e) {
    if (e instanceof TapLinkError && (e.code === "not_installed" || e.code === "update_required")) {
      return String(e.details?.installUrl ?? "");
    }
    throw e;
  }
}

async function misuse(client: TapLinkClient): Promise<void> {
  // @ts-expect-error the amount never comes from the page
  await client.pay({ orderId: "o", amount: 100 });
  // @ts-expect-error the PIN never goes through the page
  await client.pay({ orderId: "o", pin: "1234" });
  // @ts-expect-error orderId is required
  await client.topup({});
  // @ts-expect-error the amount never comes from the page
  await client.topup({ orderId: "o", amount: 100 });
  // @ts-expect-error no such event
  client.on("card.exploded", () => {});
  // @ts-expect-error no such stage
  const stage: TopupStage = "done";
  // @ts-expect-error ecload takes the order id, not an options object
  await client.ecload({ orderId: "o" });
  // @ts-expect-error the amount never comes from the page
  await client.ecload("o", { amount: 100 });
  // @ts-expect-error no such EC-load stage
  const ecStage: EcloadStage = "loaded";
  console.log(ecStage);
  // @ts-expect-error no such error code
  const code: TapLinkErrorCode = "oops";
  // @ts-expect-error no such transport
  await connect({ transport: "bluetooth" });
  // @ts-expect-error transport is read-only
  client.transport = "websocket";
  console.log(stage, code);
}

const mapped: TapLinkError = errorFromRpc({ code: -32000, message: "gone", data: { code: "card_removed" } });
console.log(mapped.code, checkout, loadEcash, payWithBankCard, misuse);
