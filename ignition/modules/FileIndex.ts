/** TesseraFileIndex — the ownerless per-address file-index pointer (no parameters, no roles). */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

export default buildModule("TesseraFileIndex", (m) => {
  const fileIndex = m.contract("FileIndex", []);
  return { fileIndex };
});
