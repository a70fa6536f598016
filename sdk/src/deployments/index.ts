/**
 * Deployment records: `deployments/<chainId>/addresses.json` as written by scripts/deploy
 * (`{ chainId, deployBlock, TesseraToken, Marketplace, FileIndex, TesseraGovernor, TesseraTimelock }`).
 * This module only validates; reading the file is in deployments/node.ts (Node) — a browser app
 * imports its generated addresses and passes them to `createTesseraClient`.
 */
import { z } from "zod";
import type { Address } from "viem";
import { formatIssues } from "../manifest/schema.ts";
import { SchemaValidationError } from "../errors/manifest.ts";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x address");

export const deploymentSchema = z.object({
  chainId: z.number().int().positive(),
  deployBlock: z.number().int().nonnegative().optional(),
  TesseraToken: address,
  Marketplace: address,
  FileIndex: address.optional(),
  TesseraGovernor: address.optional(),
  TesseraTimelock: address.optional(),
});

export type TesseraAddresses = {
  chainId: number;
  deployBlock?: number;
  TesseraToken: Address;
  Marketplace: Address;
  FileIndex?: Address;
  TesseraGovernor?: Address;
  TesseraTimelock?: Address;
};

export function parseDeployment(value: unknown): TesseraAddresses {
  const r = deploymentSchema.safeParse(value);
  if (!r.success) throw new SchemaValidationError("deployment addresses", formatIssues(r.error), { cause: r.error });
  return r.data as TesseraAddresses;
}
