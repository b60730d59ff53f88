import { createHash } from "node:crypto";
import { afterAll, beforeAll, vi } from "vitest";

/**
 * Node's Web Crypto has no MD5 (workerd's does), so unit tests that reach
 * `md5Hex` answer MD5 digests with node:crypto for the file that calls this.
 */
export function useNodeMd5(): void {
  beforeAll(() => {
    const digest = crypto.subtle.digest.bind(crypto.subtle);
    vi.spyOn(crypto.subtle, "digest").mockImplementation(async (algorithm, data) => {
      if (algorithm !== "MD5") return digest(algorithm, data);
      const bytes = createHash("md5")
        .update(new Uint8Array(ArrayBuffer.isView(data) ? data.buffer : data))
        .digest();
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    });
  });
  afterAll(() => {
    vi.restoreAllMocks();
  });
}
