import { describe, expect, it } from "vitest";
import { DecryptionError, WrongPasswordError } from "../../src/errors/crypto.ts";
import { InvalidShareLinkError, PasswordRequiredError } from "../../src/errors/sharing.ts";
import { generateMasterKey } from "../../src/keys/masterKey.ts";
import {
  mySharingPublicKey,
  openRecipientShare,
  shareWithRecipient,
} from "../../src/sharing/recipient.ts";
import { createShareLink, openShareLink, parseShareLink } from "../../src/sharing/shareLink.ts";
import { sampleManifest } from "../manifest/fixture.ts";

const FAST = { N: 2 ** 10 };

describe("share links", () => {
  const mk = generateMasterKey();
  const { manifest, fileKey } = sampleManifest(mk);
  const file = { manifest, fileKey, note: "for you" };

  it("opens an inline link; key material is only in the fragment; no wrapped key leaks", async () => {
    const { url } = await createShareLink(file);
    expect(url).toMatch(/^tessera:\/\/share\/i\/[A-Za-z0-9_-]+#k=[A-Za-z0-9_-]{43}$/);
    const opened = await openShareLink(url);
    expect(opened.fileKey).toEqual(fileKey);
    expect(opened.note).toBe("for you");
    expect(opened.manifest.encryption.wrappedFileKey).toBeUndefined();
    expect({ ...opened.manifest, encryption: manifest.encryption }).toEqual(manifest);
    expect(url.split("#")[0]).not.toContain(Buffer.from(fileKey).toString("base64url"));
  });

  it("supports https links and stored (CID) blobs", async () => {
    const store = new Map<string, Uint8Array>();
    const { url } = await createShareLink(file, {
      base: "https://gateway.example/app/share/",
      store: async (b) => {
        store.set("bafkreisharedblob", b);
        return "bafkreisharedblob";
      },
    });
    expect(url).toMatch(/^https:\/\/gateway\.example\/app\/share\/c\/bafkreisharedblob#k=/);
    const opened = await openShareLink(url, { fetchBlob: async (cid) => store.get(cid)! });
    expect(opened.fileKey).toEqual(fileKey);
    await expect(openShareLink(url)).rejects.toThrow(/no fetcher/);
  });

  it("password links need the right password and say so clearly", async () => {
    const { url } = await createShareLink(file, { password: "open sesame", kdf: FAST });
    expect(url).toMatch(/#k=[^&]+&kdf=scrypt\.10\.8\.1\.[A-Za-z0-9_-]+&c=/);
    expect(parseShareLink(url).passwordProtected).toBe(true);
    await expect(openShareLink(url)).rejects.toThrow(PasswordRequiredError);
    await expect(openShareLink(url, { password: "open sesam" })).rejects.toThrow(
      WrongPasswordError,
    );
    expect((await openShareLink(url, { password: "open sesame" })).fileKey).toEqual(fileKey);
    // without the fragment secret the password alone is useless
    const other = (await createShareLink(file, { password: "open sesame", kdf: FAST })).url;
    const spliced = url.split("#")[0] + "#" + other.split("#")[1];
    await expect(openShareLink(spliced, { password: "open sesame" })).rejects.toThrow(
      DecryptionError,
    );
  });

  it("rejects damaged links with actionable errors", async () => {
    const { url } = await createShareLink(file);
    await expect(openShareLink(url.split("#")[0]!)).rejects.toThrow(InvalidShareLinkError);
    await expect(openShareLink(url.slice(0, -3))).rejects.toThrow(/truncated|32 bytes/);
    await expect(openShareLink("https://x.example/nope#k=abc")).rejects.toThrow(
      InvalidShareLinkError,
    );
    const i = url.indexOf("/i/") + 20;
    const flipped = url.slice(0, i) + (url[i] === "A" ? "B" : "A") + url.slice(i + 1);
    await expect(openShareLink(flipped)).rejects.toThrow(DecryptionError);
    const hostile = url + "&kdf=scrypt.30.8.1.AAAAAAAAAAAAAAAAAAAAAA&c=AAAAAA";
    await expect(openShareLink(hostile, { password: "x" })).rejects.toThrow(/N must be/);
  });
});

describe("sharing with a recipient's public key", () => {
  it("only the recipient's master key opens it", () => {
    const alice = generateMasterKey();
    const bob = generateMasterKey();
    const { manifest, fileKey } = sampleManifest(alice);
    const bobPub = mySharingPublicKey(bob);
    expect(bobPub).toMatch(/^tessera-pub-[A-Za-z0-9_-]{43}$/);
    const box = shareWithRecipient({ manifest, fileKey }, bobPub);
    expect(openRecipientShare(bob, box).fileKey).toEqual(fileKey);
    expect(() => openRecipientShare(alice, box)).toThrow(DecryptionError);
  });
});
