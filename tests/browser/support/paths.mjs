// Where the things under test are: the source tree by default, overridable by ctest's
// environment (tests/browser/CMakeLists.txt).
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const SOURCE_DIR = path.resolve(here, "../../..");
export const SDK_PATH = path.join(SOURCE_DIR, "native-messaging/sdk/taplink.js");
export const SDK_TYPES_PATH = path.join(SOURCE_DIR, "native-messaging/sdk/taplink.d.ts");
export const SCHEMA_PATH = path.join(SOURCE_DIR, "docs/api/taplink-api.schema.json");
export const EXTENSION_DIR = process.env.TAPLINK_EXTENSION_DIR ?? path.join(SOURCE_DIR, "native-messaging/extension");
export const ARTIFACT_DIR = process.env.TAPLINK_ARTIFACT_DIR ?? path.join(SOURCE_DIR, "build/test-artifacts/browser");
