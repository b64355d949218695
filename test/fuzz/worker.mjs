// Worker threads do not inherit a TypeScript loader (tsx, vitest): register tsx here, then load the real worker.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");
