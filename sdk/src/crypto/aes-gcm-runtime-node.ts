export { createChunkCipherNode as createRuntimeChunkCipher } from "./aes-gcm-node.ts";
