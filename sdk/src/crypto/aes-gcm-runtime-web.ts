export { createChunkCipher as createRuntimeChunkCipher } from "./aes-gcm.ts";
