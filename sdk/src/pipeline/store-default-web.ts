export { memoryShardStore as defaultShardStore } from "./store.ts";
