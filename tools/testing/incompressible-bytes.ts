import { createCipheriv, randomBytes } from "node:crypto";
import { Readable } from "node:stream";

/**
 * `bytes` of AES-CTR keystream: incompressible (a bundle built from it is as large as it), made as
 * it is read, so a gigabyte model file costs no gigabyte of memory to write.
 */
export function incompressibleBytes(bytes: number): Readable {
  const cipher = createCipheriv("aes-128-ctr", randomBytes(16), randomBytes(16));
  const zeros = Buffer.alloc(1024 * 1024);
  let left = bytes;
  return new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const size = Math.min(left, zeros.length);
      left -= size;
      this.push(cipher.update(zeros.subarray(0, size)));
    },
  });
}
