/**
 * Share links. The encrypted share (sharing/payload.ts) travels in the link's path, inline or as a
 * CID of the stored blob; the key travels ONLY in the URL fragment, which browsers never send to
 * a server:
 *
 *   tessera://share/i/<base64url sealed share>#k=<base64url 32-byte link secret>
 *   tessera://share/c/<CID of the sealed share>#k=…
 *   https://<any host>/share/i/…#k=…   (same, for a web gateway or the dApp)
 *
 * With a password the fragment also records the KDF and a check value:
 *   #k=<secret>&kdf=scrypt.<log2 N>.<r>.<p>.<base64url salt>&c=<base64url 4-byte check>
 * linkKey = HKDF-SHA256(ikm = secret ‖ scrypt(password), info = "tessera/v1/share-link-password"),
 * so opening needs both the link and the password, and guessing the password needs the link.
 * Without a password, linkKey = HKDF-SHA256(secret, info = "tessera/v1/share-link").
 * `c` = key check value of linkKey: a wrong password is reported as such (WrongPasswordError), a
 * damaged link or blob as DecryptionError.
 * Sealed share = `"TSS" ‖ 0x01 ‖ XChaCha20-Poly1305(linkKey, JSON payload)` (header as AAD).
 */
import {
  concatBytes,
  equalBytes,
  fromBase64Url,
  fromUtf8,
  toBase64Url,
  utf8,
} from "../crypto/bytes.ts";
import { aeadOpen, aeadSeal } from "../crypto/aead.ts";
import { hkdfSha256 } from "../crypto/kdf.ts";
import { keyCheckValue } from "../crypto/keyCheck.ts";
import {
  deriveKeyFromPassword,
  newScryptParams,
  validateScryptParams,
  type ScryptParams,
} from "../crypto/passwordKdf.ts";
import { randomBytes } from "../crypto/random.ts";
import { zeroize } from "../crypto/zeroize.ts";
import { InvalidFormatError, KdfParametersError, WrongPasswordError } from "../errors/crypto.ts";
import { InvalidShareLinkError, PasswordRequiredError } from "../errors/sharing.ts";
import { SchemaValidationError } from "../errors/manifest.ts";
import { fromSharePayload, toSharePayload, type SharedFile } from "./payload.ts";

const SHARE_MAGIC = Uint8Array.of(0x54, 0x53, 0x53, 0x01); // "TSS" v1

export type ShareLocation = { inline: Uint8Array } | { cid: string };

export type CreateShareLinkOptions = {
  password?: string;
  /** scrypt cost for password links (default N = 2^17, r = 8, p = 1). */
  kdf?: { N?: number; r?: number; p?: number };
  /**
   * Where the sealed share lives. Default: inline in the link. Pass `store` to upload it instead
   * (e.g. to a provider) and put its CID in the link.
   */
  store?: (sealed: Uint8Array) => Promise<string>;
  /** Link base: "tessera://share" (default) or e.g. "https://app.example/share". */
  base?: string;
};

export type ShareLink = { url: string; location: ShareLocation };

async function linkKeyFor(
  secret: Uint8Array,
  password: string | undefined,
  params: ScryptParams | undefined,
): Promise<Uint8Array> {
  if (password === undefined || params === undefined)
    return hkdfSha256(secret, undefined, "tessera/v1/share-link");
  const pw = await deriveKeyFromPassword(password, params);
  const ikm = concatBytes(secret, pw);
  try {
    return hkdfSha256(ikm, undefined, "tessera/v1/share-link-password");
  } finally {
    zeroize(pw, ikm);
  }
}

const encodeKdf = (p: ScryptParams) =>
  `scrypt.${Math.log2(p.N)}.${p.r}.${p.p}.${toBase64Url(p.salt)}`;

function decodeKdf(s: string): ScryptParams {
  const m = /^scrypt\.(\d{1,2})\.(\d{1,2})\.(\d{1,2})\.([A-Za-z0-9_-]+)$/.exec(s);
  if (!m) throw new InvalidShareLinkError(`unknown password parameters "${s.slice(0, 40)}"`);
  let salt: Uint8Array;
  try {
    salt = fromBase64Url(m[4]!);
  } catch (cause) {
    throw new InvalidShareLinkError("the password salt is damaged", { cause });
  }
  const params: ScryptParams = {
    alg: "scrypt",
    N: 2 ** Number(m[1]),
    r: Number(m[2]),
    p: Number(m[3]),
    salt,
    dkLen: 32,
  };
  try {
    validateScryptParams(params);
  } catch (cause) {
    if (cause instanceof KdfParametersError)
      throw new InvalidShareLinkError(cause.shortMessage, { cause });
    throw cause;
  }
  return params;
}

/** Create a share link for one file version (its manifest and its unwrapped file key). */
export async function createShareLink(
  file: SharedFile,
  options: CreateShareLinkOptions = {},
): Promise<ShareLink> {
  const secret = randomBytes(32);
  const params = options.password !== undefined ? newScryptParams(options.kdf) : undefined;
  const linkKey = await linkKeyFor(secret, options.password, params);
  const plaintext = utf8(JSON.stringify(toSharePayload(file)));
  let sealed: Uint8Array;
  try {
    sealed = concatBytes(SHARE_MAGIC, aeadSeal(linkKey, plaintext, SHARE_MAGIC));
  } finally {
    zeroize(plaintext);
  }
  const fragment = new URLSearchParams({ k: toBase64Url(secret) });
  if (params) {
    fragment.set("kdf", encodeKdf(params));
    fragment.set("c", toBase64Url(keyCheckValue(linkKey)));
  }
  zeroize(secret, linkKey);
  const location: ShareLocation = options.store
    ? { cid: await options.store(sealed) }
    : { inline: sealed };
  const base = (options.base ?? "tessera://share").replace(/\/+$/, "");
  const path =
    "cid" in location
      ? `c/${encodeURIComponent(location.cid)}`
      : `i/${toBase64Url(location.inline)}`;
  return { url: `${base}/${path}#${fragment.toString()}`, location };
}

export type ParsedShareLink = {
  location: ShareLocation;
  secret: Uint8Array;
  kdf?: ScryptParams;
  check?: Uint8Array;
  passwordProtected: boolean;
};

/** Parse a share link (tessera:// or https://…/share/…) without opening it. */
export function parseShareLink(url: string): ParsedShareLink {
  const text = url.trim();
  const hash = text.indexOf("#");
  if (hash < 0) throw new InvalidShareLinkError("the key part (after #) is missing");
  const before = text.slice(0, hash);
  const m =
    /^(?:tessera:\/\/share|https?:\/\/[^/?#]+(?:\/[^?#]*)?\/share)\/([ic])\/([^/?#]+)\/?$/.exec(
      before,
    );
  if (!m) throw new InvalidShareLinkError("expected tessera://share/i/… or …/share/c/<cid>");
  const fragment = new URLSearchParams(text.slice(hash + 1));
  const k = fragment.get("k");
  if (!k) throw new InvalidShareLinkError("the key (k=…) is missing from the part after #");
  let secret: Uint8Array;
  let location: ShareLocation;
  try {
    secret = fromBase64Url(k);
    location = m[1] === "i" ? { inline: fromBase64Url(m[2]!) } : { cid: decodeURIComponent(m[2]!) };
  } catch (cause) {
    throw new InvalidShareLinkError("it was truncated or altered (bad base64url)", { cause });
  }
  if (secret.length !== 32)
    throw new InvalidShareLinkError("the key is not 32 bytes (truncated link?)");
  const kdfText = fragment.get("kdf");
  if (kdfText === null) return { location, secret, passwordProtected: false };
  const c = fragment.get("c");
  if (!c) throw new InvalidShareLinkError("the password check (c=…) is missing");
  let check: Uint8Array;
  try {
    check = fromBase64Url(c);
  } catch (cause) {
    throw new InvalidShareLinkError("the password check is damaged", { cause });
  }
  return { location, secret, kdf: decodeKdf(kdfText), check, passwordProtected: true };
}

export type OpenShareLinkOptions = {
  password?: string;
  /** Fetch the sealed share for a `c/<cid>` link (e.g. from a provider's gateway). */
  fetchBlob?: (cid: string) => Promise<Uint8Array>;
};

/**
 * Open a share link: returns the manifest and the file key. Throws PasswordRequiredError,
 * WrongPasswordError, InvalidShareLinkError, or DecryptionError (damaged blob); never wrong data.
 */
export async function openShareLink(
  url: string,
  options: OpenShareLinkOptions = {},
): Promise<SharedFile> {
  const link = parseShareLink(url);
  if (link.passwordProtected && (options.password === undefined || options.password === ""))
    throw new PasswordRequiredError();
  const linkKey = await linkKeyFor(
    link.secret,
    link.passwordProtected ? options.password : undefined,
    link.kdf,
  );
  try {
    if (link.check && !equalBytes(keyCheckValue(linkKey, link.check.length), link.check))
      throw new WrongPasswordError("this share link");
    let sealed: Uint8Array;
    if ("inline" in link.location) sealed = link.location.inline;
    else {
      if (!options.fetchBlob)
        throw new InvalidShareLinkError(
          "it points to stored data (c/<cid>) and no fetcher was given",
        );
      sealed = await options.fetchBlob(link.location.cid);
    }
    if (sealed.length < 4 || !equalBytes(sealed.subarray(0, 4), SHARE_MAGIC)) {
      throw new InvalidFormatError("shared file", "it is not a Tessera share (wrong header)");
    }
    const plaintext = aeadOpen(linkKey, sealed.subarray(4), SHARE_MAGIC, "shared file");
    let json: unknown;
    try {
      json = JSON.parse(fromUtf8(plaintext));
    } catch (cause) {
      throw new SchemaValidationError("share", ["not UTF-8 JSON"], { cause });
    } finally {
      zeroize(plaintext);
    }
    return fromSharePayload(json);
  } finally {
    zeroize(linkKey, link.secret);
  }
}
