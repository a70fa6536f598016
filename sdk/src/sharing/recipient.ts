/**
 * Sharing with a person: the share payload (manifest + file key) sealed to the recipient's X25519
 * public key (crypto/ecies.ts). Every user's sharing key pair is derived from their master key
 * (keys/masterKey.ts `sharingIdentity`), so it survives a Shamir recovery. Public keys are passed
 * around as text: `tessera-pub-<base64url 32 bytes>`.
 */
import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from "../crypto/bytes.ts";
import { eciesOpen, eciesSeal } from "../crypto/ecies.ts";
import { zeroize } from "../crypto/zeroize.ts";
import { InvalidFormatError } from "../errors/crypto.ts";
import { SchemaValidationError } from "../errors/manifest.ts";
import { sharingIdentity } from "../keys/masterKey.ts";
import { fromSharePayload, toSharePayload, type SharedFile } from "./payload.ts";

const CONTEXT = "tessera/v1/share-to-recipient";
const PREFIX = "tessera-pub-";

export function formatSharingPublicKey(publicKey: Uint8Array): string {
  if (publicKey.length !== 32) throw new RangeError("an X25519 public key is 32 bytes");
  return PREFIX + toBase64Url(publicKey);
}

export function parseSharingPublicKey(text: string): Uint8Array {
  const t = text.trim();
  if (!t.startsWith(PREFIX))
    throw new InvalidFormatError("sharing public key", `it should start with "${PREFIX}"`);
  let key: Uint8Array;
  try {
    key = fromBase64Url(t.slice(PREFIX.length));
  } catch (cause) {
    throw new InvalidFormatError("sharing public key", "it is not base64url", { cause });
  }
  if (key.length !== 32) throw new InvalidFormatError("sharing public key", "it is not 32 bytes");
  return key;
}

/** This user's public sharing key (give it to people who want to share files with you). */
export function mySharingPublicKey(masterKey: Uint8Array): string {
  const id = sharingIdentity(masterKey);
  zeroize(id.secretKey);
  return formatSharingPublicKey(id.publicKey);
}

/** Seal a file (manifest + key) to a recipient's public key. */
export function shareWithRecipient(
  file: SharedFile,
  recipientPublicKey: Uint8Array | string,
): Uint8Array {
  const pub =
    typeof recipientPublicKey === "string"
      ? parseSharingPublicKey(recipientPublicKey)
      : recipientPublicKey;
  const plaintext = utf8(JSON.stringify(toSharePayload(file)));
  try {
    return eciesSeal(pub, plaintext, CONTEXT);
  } finally {
    zeroize(plaintext);
  }
}

/** Open a file shared with this user (derives the sharing secret key from the master key). */
export function openRecipientShare(masterKey: Uint8Array, box: Uint8Array): SharedFile {
  const id = sharingIdentity(masterKey);
  let plaintext: Uint8Array;
  try {
    plaintext = eciesOpen(id.secretKey, box, CONTEXT);
  } finally {
    zeroize(id.secretKey);
  }
  let json: unknown;
  try {
    json = JSON.parse(fromUtf8(plaintext));
  } catch (cause) {
    throw new SchemaValidationError("share", ["not UTF-8 JSON"], { cause });
  } finally {
    zeroize(plaintext);
  }
  return fromSharePayload(json);
}
