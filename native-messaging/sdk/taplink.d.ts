// Types for taplink.js, the TapLink page SDK (API version 1.3).
// Checked against docs/api/taplink-api.schema.json by tests/browser/sdk_types.test.mjs.

/** The default address of taplinkd's loopback WebSocket. */
export declare const DEFAULT_WEBSOCKET_URL: "ws://127.0.0.1:47631/";

/** Error codes taplinkd sends (JSON-RPC error.data.code). */
export type DaemonErrorCode =
  | "invalid_params"
  | "no_reader"
  | "pcsc_unavailable"
  | "no_card"
  | "card_removed"
  | "unsupported_card"
  | "server_unreachable"
  | "server_error"
  | "script_rejected"
  | "order_not_found"
  | "order_settled"
  | "declined"
  | "cancelled"
  | "timeout"
  | "chip_unavailable"
  | "too_late"
  | "busy"
  | "not_found"
  | "internal"
  | "origin_denied"
  | "user_denied"
  | "confirmation_unavailable"
  | "rate_limited"
  /** EC load: the order is not a bank-ec order, or the card is not the bank card it needs. */
  | "wrong_scheme"
  /** EC load: the card's e-cash balance plus the amount is over its limit; nothing was written. */
  | "ec_limit_exceeded"
  /** EC load: the bank card has expired. */
  | "card_expired"
  /** EC load: no supported e-cash application (AID) on the card. */
  | "no_application"
  /** EC load: the card's PIN is blocked (PIN try counter 0); refused before anything was written. */
  | "pin_blocked"
  /** The device's secure chip is locked by its management system (the TSM); nothing was loaded or charged. */
  | "chip_locked"
  /** pay(): the issuer refused the online PIN; details {pinTriesLeft}; nothing was charged. */
  | "wrong_pin"
  /** pay(): over the device's per-payment or daily limit; nothing was charged. */
  | "limit_exceeded"
  /** pay(): the secure chip's payment parameters are older than the server requires, even
   * after a TSM sync; details {required, applied}; the card was not touched, nothing was charged. */
  | "chip_outdated";

/** Error codes the SDK itself produces. */
export type SdkErrorCode =
  /** Neither the TapLink extension nor TapLink's WebSocket is there. */
  | "not_installed"
  /** The extension is there but taplinkd (or its native host) is not running. */
  | "not_running"
  /** The connection to TapLink ended (the page was left, the extension or taplinkd went away). */
  | "disconnected"
  /** This taplinkd does not offer the method (JSON-RPC -32601), e.g. pay() before it exists. */
  | "not_supported"
  /** A message TapLink could not understand (JSON-RPC -32700/-32600). */
  | "protocol_error"
  /** connect({requires}): this taplinkd lacks a call the page needs; details {missing, version,
   * daemonVersion?, installUrl?}. The connection is closed. */
  | "update_required";

export type TapLinkErrorCode = DaemonErrorCode | SdkErrorCode;

export declare class TapLinkError extends Error {
  constructor(code: TapLinkErrorCode, message?: string, details?: Record<string, unknown>);
  readonly name: "TapLinkError";
  readonly code: TapLinkErrorCode;
  /** The daemon's error.data.details, e.g. {param} for invalid_params, {origin} for origin_denied. */
  readonly details?: Record<string, unknown>;
}

/** Maps a JSON-RPC 2.0 error object to a TapLinkError (unknown daemon codes become "internal"). */
export declare function errorFromRpc(error: { code: number; message?: string; data?: unknown }): TapLinkError;

/** Whether the extension's content script is in this page (waits up to waitMs, default 300). */
export declare function extensionPresent(waitMs?: number): Promise<boolean>;

export type Transport = "extension" | "websocket";

export interface ConnectOptions {
  /** "auto" (default): the extension when it is in the page, else the WebSocket. */
  transport?: "auto" | Transport;
  /** Default DEFAULT_WEBSOCKET_URL. */
  websocketUrl?: string;
  /** How long setting up the connection may take (default 10000 ms). Calls have no timeout. */
  timeoutMs?: number;
  /** The calls the page needs, by client name ("pay") or API method ("pay.start"): connect()
   * fails with update_required when taplinkd does not offer one of them. */
  requires?: string[];
  /** Where the page sends the person to install or update TapLink: added to not_installed and
   * update_required errors as details.installUrl. */
  installUrl?: string;
}

export declare function connect(options?: ConnectOptions): Promise<TapLinkClient>;

/** Masked card serial: an ellipsis and the last four digits, e.g. "…0042". */
export type MaskedSerial = string;
export type CardScheme = "city-epurse" | "bank-ec" | "unknown";
/** Masked bank card number (PAN): an ellipsis and the last four digits, e.g. "…1234". */
export type MaskedPan = string;

export interface Reader {
  name: string;
  role: "card" | "chip";
  state: "empty" | "present" | "unavailable";
  // maskedSerial is "" while the page may not see the card's details (docs/api.md, "Card details").
  card: { scheme: CardScheme; maskedSerial: MaskedSerial } | null;
}

export interface CardInfo {
  reader: string;
  scheme: "city-epurse";
  serial: MaskedSerial;
  issuerId: string;
  /** YYYY-MM-DD */
  validFrom: string;
  /** YYYY-MM-DD */
  validUntil: string;
  /** Fen (¥1.00 = 100). */
  balance: number;
  currency: "CNY";
}

/** card.info for a bank card (EC, 圈存). */
export interface BankCardInfo {
  reader: string;
  scheme: "bank-ec";
  pan: MaskedPan;
  /** The application's label, e.g. "PBOC DEBIT". */
  application: string;
  /** Fen. */
  ecBalance: number;
  ecBalanceLimit: number;
  /** YYYY-MM-DD */
  validUntil: string;
  currency: "CNY";
}

/** topup.progress stages, in order; awaiting_confirmation only for web callers. */
export type TopupStage = "waiting_for_card" | "awaiting_confirmation" | "authorizing" | "writing" | "confirming";

export interface TopupProgress {
  orderId: string;
  stage: TopupStage;
}

export interface TopupTimings {
  totalMs: number;
  cardMs: number;
  chipMs: number;
  serverMs: number;
  daemonMs: number;
}

export interface TopupResult {
  orderId: string;
  /** Fen, from the merchant server's order (never from the page). */
  amount: number;
  balanceBefore: number;
  balanceAfter: number;
  /** The card's transaction authentication code, 8 hex digits. */
  tac: string;
  /** false: the card is loaded and taplinkd is still reporting it to the server (it retries). */
  settled: boolean;
  /** The server's receipt as it sent it; empty while settled is false. */
  receipt: Record<string, unknown>;
  timings?: TopupTimings;
}

/** ecload.progress stages, in order; choosing_application only when several AIDs match,
 * awaiting_confirmation only when the person is asked (web callers). */
export type EcloadStage =
  | "waiting_for_card"
  | "choosing_application"
  | "awaiting_confirmation"
  | "authorizing"
  | "writing"
  | "confirming";

export interface EcloadProgress {
  orderId: string;
  stage: EcloadStage;
}

/** The card an EC load wrote to; never the plain PAN. */
export interface EcloadCard {
  scheme: "bank-ec";
  pan: MaskedPan;
  application: string;
}

export interface EcloadResult {
  orderId: string;
  /** Fen, from the server's order (never from the page). */
  amount: number;
  /** The card's e-cash balance before and after, fen. */
  balanceBefore: number;
  balanceAfter: number;
  card: EcloadCard;
  /** false: the card is loaded and taplinkd is still confirming it with the server (it retries). */
  settled: boolean;
  /** The server's receipt (PAN masked); empty while settled is false. */
  receipt: Record<string, unknown>;
  /** As topup()'s; only for a load that ran in this call. */
  timings?: TopupTimings;
  /** The command APDUs sent to the bank card in this call (with timings). */
  cardApdus?: number;
}

export interface EcloadOptions {
  /** Leave out to use the only reader with a card on it. */
  reader?: string;
  onProgress?: (stage: EcloadStage, progress: EcloadProgress) => void;
}

export interface OrderOptions {
  /** The order id the merchant's server created; the amount comes from that order. */
  orderId: string;
  /** Leave out to use the only reader with a card on it. */
  reader?: string;
  onProgress?: (stage: TopupStage, progress: TopupProgress) => void;
}

/** pay.progress stages, in order; choosing_application only when several AIDs match,
 * awaiting_confirmation only when the person is asked (web callers), entering_pin only above
 * the payment applet's contactless CVM limit (the PIN is typed in TapLink, never the page). */
export type PayStage =
  | "waiting_for_card"
  | "choosing_application"
  | "awaiting_confirmation"
  | "entering_pin"
  | "authorizing"
  | "completing";

export interface PayProgress {
  orderId: string;
  stage: PayStage;
}

/** The card a purchase was paid with; never the plain PAN. */
export interface PayCard {
  scheme: "bank-purchase";
  pan: MaskedPan;
  application: string;
}

/** pay.start's answer: only an approval resolves; a decline is a TapLinkError. */
export interface PayResult {
  orderId: string;
  status: "approved";
  /** Fen, from the server's order (never from the page). */
  amount: number;
  currency: "CNY";
  /** The merchant named by the server's order. */
  merchant: string;
  /** The issuer's authorization code (6 characters). */
  authCode: string;
  card: PayCard;
  /** false: approved, taplinkd is still reporting the card's final cryptogram (it retries). */
  settled: boolean;
  /** The server's receipt (PAN masked); empty while settled is false. */
  receipt: Record<string, unknown>;
}

export interface PayOptions {
  /** The bank-purchase order id the merchant's server created. */
  orderId: string;
  /** Leave out to use the only reader with a card on it. */
  reader?: string;
  onProgress?: (stage: PayStage, progress: PayProgress) => void;
}

export type TxState =
  | "order_fetched"
  | "authorized"
  | "card_initialized"
  | "credited"
  | "reported"
  | "failed"
  // EC load (bank-ec orders)
  | "arqc"
  | "script_sending"
  | "loaded"
  | "reversed"
  // Tap & Pay (bank-purchase orders)
  | "sealed"
  | "completed";

export interface TxStatus {
  orderId: string;
  /** "bank-ec" for an EC load, "bank-purchase" for a purchase. */
  scheme?: "bank-ec" | "bank-purchase";
  state: TxState;
  amount: number;
  /** RFC 3339, UTC. */
  updatedAt: string;
  failure?: string;
}

export interface ApiVersion {
  /** The API's major.minor. */
  version: string;
  /** taplinkd's own version, e.g. "0.1.0". */
  daemonVersion: string;
  /** Every method this caller may call, sorted. */
  methods: string[];
}

export type TapLinkEventName = "reader.added" | "reader.removed" | "card.inserted" | "card.removed";

export interface TapLinkEvents {
  "reader.added": { name: string };
  "reader.removed": { name: string };
  "card.inserted": { reader: string; scheme?: CardScheme };
  "card.removed": { reader: string };
}

/** Removes the listener; `ready` settles once taplinkd has confirmed the subscription. */
export interface Unsubscribe {
  (): void;
  readonly ready: Promise<void>;
}

export interface TapLinkClient {
  readonly transport: Transport;
  /** api.version */
  version(): Promise<ApiVersion>;
  /** readers.list */
  readers(): Promise<Reader[]>;
  /** card.info */
  cardInfo(reader?: string): Promise<CardInfo | BankCardInfo>;
  /** topup.start: resolves when the card is loaded; waits as long as taplinkd lets the person take. */
  topup(options: OrderOptions): Promise<TopupResult>;
  /** pay.start (Tap & Pay): pays a bank-purchase order with the bank card presented;
   * not_supported where taplinkd does not offer it (use connect({requires: ["pay"]})). */
  pay(options: PayOptions): Promise<PayResult>;
  /** ecload.start (圈存): loads a bank-ec order onto the bank card presented; resolves when
   * the card holds it. The amount comes from the server's order. */
  ecload(orderId: string, options?: EcloadOptions): Promise<EcloadResult>;
  /** tx.status: where a top-up or EC load stands, e.g. after "disconnected" during topup(). */
  status(orderId: string): Promise<TxStatus>;
  /** tx.cancel: too_late once the card was written. */
  cancel(orderId: string): Promise<void>;
  /** Subscribes (events.subscribe) and calls fn for every event. */
  on<E extends TapLinkEventName>(event: E, fn: (params: TapLinkEvents[E]) => void): Unsubscribe;
  /** Called once when the connection ends (not after close()). */
  on(event: "disconnected", fn: (error: TapLinkError) => void): Unsubscribe;
  /** Ends the connection; calls still running fail with "disconnected". */
  close(): void;
}
