import { TesseraError } from "../errors/base.ts";

/** A Merkle proof could not be decoded or does not fit the tree it claims to belong to. */
export class MerkleProofError extends TesseraError {
  override name = "MerkleProofError";
}
