import { marketplaceAbi } from "../generated/abis.ts";
import type { TesseraClient } from "../client/createTesseraClient.ts";
import type { ChainError, ContractRevertError } from "../errors/chain.ts";
import { readOrThrow } from "./internal/write.ts";
import { REQUEST_STATES, type RequestId, type RequestInfo } from "./types.ts";

export type GetRequestParameters = { requestId: RequestId };
export type GetRequestReturnType = RequestInfo;
export type GetRequestErrorType = ContractRevertError | ChainError;

/** A storage request as the marketplace holds it (state, redundancy, prices, escrow, roots). */
export async function getRequest(
  client: TesseraClient,
  { requestId }: GetRequestParameters,
): Promise<GetRequestReturnType> {
  const r = await readOrThrow("getRequest", () =>
    client.publicClient.readContract({
      address: client.addresses.Marketplace,
      abi: marketplaceAbi,
      functionName: "getRequest",
      args: [requestId],
    }),
  );
  const { state, index: _index, ...rest } = r;
  return { id: requestId, ...rest, state: REQUEST_STATES[state] ?? "none" };
}
