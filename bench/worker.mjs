// Entry of a `bench run` worker thread: registers tsx (loader hooks are per thread) and hands over.
import { register } from "tsx/esm/api";

register();
await import("./worker-main.ts");
