// The page SDK's TypeScript types against the API schema (docs/api/taplink-api.schema.json)
// and against the compiler: every error code, stage, event and result shape in the schema
// is in taplink.d.ts and the other way round, and an example that uses every SDK function
// compiles with `tsc --strict`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { SCHEMA_PATH, SDK_PATH, SDK_TYPES_PATH } from "./support/paths.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const ts = require("typescript");

const schema = JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8"));
const dts = ts.createSourceFile(SDK_TYPES_PATH, fs.readFileSync(SDK_TYPES_PATH, "utf8"), ts.ScriptTarget.ES2022, true);
const { errorFromRpc } = await import(SDK_PATH);

// The codes only the SDK makes (contract.md): never sent by taplinkd.
const SDK_ONLY_CODES = ["disconnected", "not_installed", "not_running", "not_supported", "protocol_error", "update_required"];

function declaration(name) {
  const found = dts.statements.find((s) => s.name?.text === name);
  assert.ok(found, `taplink.d.ts declares ${name}`);
  return found;
}

// The string literals of a union type alias, following aliases it is made of.
function unionOf(name) {
  const literals = [];
  const visit = (type) => {
    if (ts.isUnionTypeNode(type)) type.types.forEach(visit);
    else if (ts.isLiteralTypeNode(type) && ts.isStringLiteral(type.literal)) literals.push(type.literal.text);
    else if (ts.isTypeReferenceNode(type)) visit(declaration(type.typeName.getText()).type);
    else assert.fail(`${name}: unexpected member ${type.getText()}`);
  };
  visit(declaration(name).type);
  return literals.sort();
}

// {property: optional?} of an interface.
function membersOf(name) {
  const members = {};
  for (const member of declaration(name).members) members[member.name.getText()] = Boolean(member.questionToken);
  return members;
}

// {property: optional?} of a schema object.
function schemaMembers(def) {
  const required = new Set(def.required ?? []);
  return Object.fromEntries(Object.keys(def.properties).map((key) => [key, !required.has(key)]));
}

const defs = schema.$defs;
const sorted = (list) => [...list].sort();

test("every daemon error code in the schema is a DaemonErrorCode, and no other", () => {
  assert.deepEqual(unionOf("DaemonErrorCode"), sorted(Object.keys(schema.errors)));
});

test("TapLinkErrorCode is the daemon's codes plus the SDK's own", () => {
  assert.deepEqual(unionOf("SdkErrorCode"), sorted(SDK_ONLY_CODES));
  assert.deepEqual(unionOf("TapLinkErrorCode"), sorted([...Object.keys(schema.errors), ...SDK_ONLY_CODES]));
  for (const code of SDK_ONLY_CODES) assert.ok(!(code in schema.errors), `${code} is the SDK's, not the daemon's`);
});

test("taplink.js maps every daemon error code in the schema to itself", () => {
  for (const [code, { rpcCode }] of Object.entries(schema.errors)) {
    const error = errorFromRpc({ code: rpcCode, message: code, data: { code } });
    assert.equal(error.code, code);
  }
});

test("topup progress stages, events, schemes, reader and transaction states match", () => {
  assert.deepEqual(unionOf("TopupStage"), sorted(defs.TopupProgress.properties.stage.enum));
  assert.deepEqual(unionOf("TapLinkEventName"), sorted(Object.keys(schema.events)));
  assert.deepEqual(unionOf("TapLinkEventName"), sorted(defs.EventName.enum));
  assert.deepEqual(unionOf("CardScheme"), sorted(defs.CardScheme.enum));
  assert.deepEqual(unionOf("TxState"), sorted(defs.TxStatusResult.properties.state.enum));
  const reader = declaration("Reader").members;
  const union = (member) => member.type.types.map((t) => t.literal.text).sort();
  assert.deepEqual(union(reader.find((m) => m.name.getText() === "role")), sorted(defs.Reader.properties.role.enum));
  assert.deepEqual(union(reader.find((m) => m.name.getText() === "state")), sorted(defs.Reader.properties.state.enum));
  const eventParams = Object.fromEntries(
    declaration("TapLinkEvents").members.map((m) => [JSON.parse(m.name.getText()), m.type.members.map((p) => p.name.getText()).sort()]),
  );
  for (const [event, { params }] of Object.entries(schema.events)) {
    const def = defs[params.$ref.split("/").pop()];
    assert.deepEqual(eventParams[event], Object.keys(def.properties).sort(), event);
  }
});

test("purchase stages match pay.progress", () => {
  assert.deepEqual(unionOf("PayStage"), sorted(schema.notifications["pay.progress"].params.properties.stage.enum));
  assert.equal(schema.methods["pay.start"].notifications[0], "pay.progress");
});

test("EC-load stages and the bank card's scheme match", () => {
  assert.deepEqual(unionOf("EcloadStage"), sorted(defs.EcloadProgress.properties.stage.enum));
  assert.equal(schema.methods["ecload.start"].notifications[0], "ecload.progress");
  assert.equal(schema.notifications["ecload.progress"].params.$ref, "#/$defs/EcloadProgress");
  const scheme = declaration("BankCardInfo").members.find((m) => m.name.getText() === "scheme");
  assert.equal(scheme.type.literal.text, defs.BankCardInfoResult.properties.scheme.const);
});

test("result and progress shapes have the schema's members, optional where the schema says", () => {
  const pairs = [
    ["TopupResult", defs.TopupResult],
    ["TopupTimings", defs.TopupResult.properties.timings],
    ["TopupProgress", defs.TopupProgress],
    ["CardInfo", defs.CardInfoResult],
    ["Reader", defs.Reader],
    ["TxStatus", defs.TxStatusResult],
    ["ApiVersion", defs.ApiVersionResult],
    ["EcloadResult", defs.EcloadResult],
    ["EcloadCard", defs.EcloadResult.properties.card],
    ["EcloadProgress", defs.EcloadProgress],
    ["BankCardInfo", defs.BankCardInfoResult],
    ["PayResult", schema.methods["pay.start"].result],
    ["PayCard", schema.methods["pay.start"].result.properties.card],
    ["PayProgress", schema.notifications["pay.progress"].params],
  ];
  for (const [name, def] of pairs) assert.deepEqual(membersOf(name), schemaMembers(def), name);
});

test("every method taplink.js calls is in the schema (pay.start may be missing: not_supported)", () => {
  const source = fs.readFileSync(SDK_PATH, "utf8");
  const called = new Set([...source.matchAll(/#(?:call|orderCall)\("([a-z.]+)"/g)].map((m) => m[1]));
  assert.ok(called.size >= 8, `found the SDK's calls: ${[...called]}`);
  for (const method of called) {
    if (method === "pay.start") continue;
    assert.ok(method in schema.methods, `${method} is in the schema`);
  }
});

test("an example using every SDK function compiles with tsc --strict", () => {
  const tsc = require.resolve("typescript/bin/tsc");
  const result = spawnSync(process.execPath, [tsc, "--noEmit", "--strict", "-p", path.join(here, "types/tsconfig.json")], {
    encoding: "utf8",
  });
  assert.equal(result.status, 0, `tsc failed:\n${result.stdout}${result.stderr}`);
});
