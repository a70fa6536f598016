import { scrypt as nodeScrypt } from "node:crypto";
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { describe, expect, it } from "vitest";
import { fromHex, toHex, utf8 } from "../../src/crypto/bytes.ts";
import {
  deriveKeyFromPassword,
  newScryptParams,
  scryptParamsFromJson,
  scryptParamsToJson,
} from "../../src/crypto/passwordKdf.ts";
import { KdfParametersError } from "../../src/errors/crypto.ts";

describe("scrypt (RFC 7914)", () => {
  it("matches the RFC 7914 §12 vector (password / NaCl, N=1024, r=8, p=16)", async () => {
    const dk = await scryptAsync(utf8("password"), utf8("NaCl"), {
      N: 1024,
      r: 8,
      p: 16,
      dkLen: 64,
    });
    expect(toHex(dk)).toBe(
      "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640",
    );
  });

  it("agrees with node:crypto for the parameters it records", async () => {
    const params = newScryptParams({ N: 2 ** 12, r: 8, p: 1 });
    const ours = await deriveKeyFromPassword("correct horse", params);
    const native = await new Promise<Buffer>((res, rej) =>
      nodeScrypt(
        "correct horse",
        params.salt,
        32,
        { N: params.N, r: params.r, p: params.p },
        (e, k) => (e ? rej(e) : res(k)),
      ),
    );
    expect(toHex(ours)).toBe(native.toString("hex"));
  });

  it("round-trips parameters through JSON and rejects hostile ones", () => {
    const p = newScryptParams({ N: 2 ** 10 });
    expect(scryptParamsFromJson(JSON.parse(JSON.stringify(scryptParamsToJson(p))))).toEqual(p);
    const j = scryptParamsToJson(p);
    expect(() => scryptParamsFromJson({ ...j, N: 2 ** 24 })).toThrow(KdfParametersError);
    expect(() => scryptParamsFromJson({ ...j, N: 1000 })).toThrow(/power of two/);
    expect(() => scryptParamsFromJson({ ...j, N: 2 ** 20, r: 16 })).toThrow(/256 MiB/);
    expect(() => scryptParamsFromJson({ ...j, salt: "AA" })).toThrow(/salt/);
    expect(() => newScryptParams({ p: 0 })).toThrow(KdfParametersError);
    void fromHex;
  });
});
