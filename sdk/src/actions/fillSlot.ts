/**
 * Fill a slot (providers): lock `collateralPerSlot` (approved here if the allowance is short) and
 * prove possession of leaf `keccak256(abi.encode(blockhash(proofBlock), id, slot)) % nLeaves`
 * (docs/protocol.md §5) with `proof` = 64-byte segment ‖ depth × 16-byte siblings. Also repairs a
 * freed slot. `fillLeafIndex` computes the leaf to prove for a chosen recent block.
 */
import { encodeAbiParameters, keccak256, type Hash, type Hex } from "viem";
import { marketplaceAbi } from "../generated/abis.ts";
import type { TesseraClient } from "../client/createTesseraClient.ts";
import type { ChainError, ContractRevertError, WalletRequiredError } from "../errors/chain.ts";
import { writeWithAllowance, type WriteOptions } from "./internal/write.ts";
import { getRequest } from "./getRequest.ts";
import type { RequestId } from "./types.ts";

export type FillSlotParameters = {
  requestId: RequestId;
  slot: number | bigint;
  proofBlock: bigint;
  proof: Hex;
  /** Approve the collateral if needed (default true). */
  approveCollateral?: boolean;
};
export type FillSlotReturnType = { txHash: Hash; approveTxHash?: Hash };
export type FillSlotErrorType = ContractRevertError | ChainError | WalletRequiredError;

/** The leaf a fill proof must open, for `blockHash` = blockhash(proofBlock). */
export function fillLeafIndex(
  blockHash: Hex,
  requestId: RequestId,
  slot: number | bigint,
  nLeaves: number | bigint,
): bigint {
  const h = keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "bytes32" }, { type: "uint256" }],
      [blockHash, requestId, BigInt(slot)],
    ),
  );
  return BigInt(h) % BigInt(nLeaves);
}

/**
 * A block to prove against: the parent of the latest block. (`eth_call` runs with `block.number` =
 * latest, and the proof block must be strictly older; 256 blocks of headroom remain for the fill
 * transaction to be mined.)
 */
export async function chooseProofBlock(
  client: TesseraClient,
): Promise<{ number: bigint; hash: Hex }> {
  const latest = await client.publicClient.getBlockNumber();
  const block = await client.publicClient.getBlock({ blockNumber: latest > 0n ? latest - 1n : 0n });
  return { number: block.number, hash: block.hash };
}

export async function fillSlot(
  client: TesseraClient,
  parameters: FillSlotParameters,
  options: WriteOptions = {},
): Promise<FillSlotReturnType> {
  const request = await getRequest(client, { requestId: parameters.requestId });
  const { hash, approveTxHash } = await writeWithAllowance(
    client,
    {
      address: client.addresses.Marketplace,
      abi: marketplaceAbi,
      functionName: "fillSlot",
      args: [
        parameters.requestId,
        BigInt(parameters.slot),
        parameters.proofBlock,
        parameters.proof,
      ],
    },
    request.collateralPerSlot,
    { ...options, approve: parameters.approveCollateral ?? true },
  );
  return { txHash: hash, ...(approveTxHash ? { approveTxHash } : {}) };
}
