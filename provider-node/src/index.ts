export {
  createProviderNode,
  type ProviderNode,
  type CreateProviderNodeOptions,
} from "./services/provider-node.ts";
export { loadConfig, DEFAULTS, type ProviderConfig, type PartialConfig } from "./config.ts";
export { ShardStore, StoreError, type ShardMeta } from "./storage/shard-store.ts";
export { ShardTreeBuilder, proveLeaf, verifyProof } from "./storage/merkle.ts";
export { ApiError, type ApiErrorCode } from "./http/errors.ts";
export { loadDeployment, type Deployment } from "./chain/contracts.ts";
