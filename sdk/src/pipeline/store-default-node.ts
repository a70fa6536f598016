export { tempFileShardStore as defaultShardStore } from "./store-node.ts";
