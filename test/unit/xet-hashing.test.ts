/**
 * Xet hashes against the reference implementation's published vectors
 * (huggingface/xet-core `aggregated_hashes.rs` test_correctness, `data_hash.rs` hex order).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { aggregatedHash, fileHash, hashMod, hashToHex, hexToHash, verificationHash, chunkHash, type XetHash } from "../../src/core/xet/hashing.js";

const H = (hex: string): XetHash => hexToHash(hex)!;
const Z = "0".repeat(64);
const C1 = "cfc5d07f6f03c29bbf424132963fe08d19a37d5757aaf520bf08119f05cd56d6";
const C2 = "c3e67584b5c4fc2a89837ec39e40f2c8a6bb0b2987ac94cd4b31e5fbdd210a72";
const C3 = "0d2beb91b9196929a5ddec9f6e306924ddf4a24268e3e59fd8464738d525af37";
const C4 = "adf8773496a9b7319b2e50dc98093f344053b17d8ad37100b9c07d9805988784";
const C5 = "4ac202caf347fc1e9c874b1ef6a1c5e619141eb775a6f43f0f0124ccd0060d9e";

/** (chunks, xorb hash, [(salt, file hash)]) from the reference test. */
const VECTORS: [[string, number][], string, [string, string][]][] = [
  [[], Z, [[Z, Z]]],
  [[[Z, 0]], Z, [[Z, "638a6bc391964a85939d48f008e8bdbae6a7975e7ca2d87a3ce2492f4e4d8a4c"], ["f4aa7219b7bc6145df344b930c1cf63680037e13236f4b3b8f439aba1520d443", "3e44e4a200e05a69afc979eb2e0507817e4f0ddff128a97e563c0e05fed3bd25"]]],
  [[[C1, 100]], C1, [[Z, "8e16257caa3fe079d484d872a8975264b2ff683b0d6db9028cc7c0f968a45661"], ["285371a6a3c8c4e561469c97766c46f0b9799bd8ea51a4ad27a082df8c28b7da", "6c18994ed5e6a223aeff68a6e386dbba7b3c25de076245dc77892b4ad49ac978"]]],
  [[[C1, 100], [C2, 200], [C3, 300]], "71ec1275fca074724e2dd666921b3277c7cee603e4d025bcab2d4050015be2bc", [[Z, "54e55dccc6653c612bdb5576c5d3cb34bb31bc4e100248abccf4c908b3ef7715"], ["b286606709ef32a1cfede1e603a39f83fef56772d8234c0e35d8920071d80b69", "337f1f046e4cfc1057f0f3edbd87cf977fdfaf3c2b0c0031ca2d1d2a34aa2270"]]],
  [[[C1, 100], [C1, 100], [C1, 100], [C1, 100]], "89f2ada89ff8c96763c6b25010e6dd76a4c05b1466207633ea559acf2093211b", [[Z, "2cdba690d0e09563596e0cda626d43eb4c96ef1e994fe72d9b2f5a83cfcd36dd"]]],
  [[[C1, 100], [C2, 200], [C1, 100], [C2, 200], [C3, 300], [C4, 400]], "52c826f99507aa05d0b45e9837fa1709e0485425cfbcb1e80db3905cf98b3ee9", [[Z, "91d21684db364c8883ab8209fa5eb2e781cf07f37e1fa43e731c30839afe422f"]]],
  [[[Z, 0], [C1, 100], [Z, 0], [C1, 100], [Z, 0]], "f36c6a6374a567efd36ed087aeb680b57e3af4e0b5b8e7be2593df4cb647a2de", [[Z, "ab2f46d31855e1133b3b5b70e78f841394a648710a208923b221c1a8a0572a1f"]]],
  [[[C3, 300], [C4, 400], [C5, 500], [C5, 500], [C5, 500]], "2c1fd1eca47e284512fcb40fcf45a1874939f9b91c774d46aeba5d004d9d263d", [[Z, "0799ba7ee2c3fed173a8e8d832cd13970ddc16070ffbc8aa6dcd77476f66dc73"], ["498ba54b410ea8f05c4b92aa5a6f01165615f6a8d1ec1d7cee76a85fd800ba28", "c98a2a18e6df96f4d6dc5da396e17a2c22867b49b977ab6860de5b3241776baf"]]],
];

test("hash strings reverse each 8-byte group (reference vectors)", () => {
  const raw = Uint8Array.from([22, 175, 58, 132, 4, 75, 131, 214, 190, 153, 138, 66, 226, 3, 153, 242, 204, 86, 80, 234, 249, 153, 80, 99, 159, 80, 65, 138, 236, 231, 149, 78]);
  assert.equal(hashToHex(raw), "d6834b04843aaf16f29903e2428a99be635099f9ea5056cc4e95e7ec8a41509f");
  assert.deepEqual(hexToHash("d6834b04843aaf16f29903e2428a99be635099f9ea5056cc4e95e7ec8a41509f"), raw);
  assert.equal(hashToHex(Uint8Array.from({ length: 32 }, (_, i) => i)), "07060504030201000f0e0d0c0b0a090817161514131211101f1e1d1c1b1a1918");
  assert.equal(hexToHash("xyz"), null);
  assert.equal(hashMod(hexToHash("0000000000000000000000000000000000000000000000000000000000000007")!, 4), 3);
});

test("xorb (aggregated) and file hashes match xet-core's test_correctness vectors", async () => {
  for (const [chunks, xorb, files] of VECTORS) {
    const list = chunks.map(([h, size]) => ({ hash: H(h), size }));
    assert.equal(hashToHex(await aggregatedHash(list)), xorb, `xorb hash of ${chunks.length} chunks`);
    for (const [salt, file] of files) assert.equal(hashToHex(await fileHash(list, H(salt))), file, `file hash, salt ${salt.slice(0, 8)}`);
  }
});

test("chunk and verification hashes are keyed BLAKE3 and deterministic", async () => {
  const a = await chunkHash(Buffer.from("hello"));
  assert.equal(a.length, 32);
  assert.deepEqual(await chunkHash(Buffer.from("hello")), a);
  assert.notDeepEqual(await chunkHash(Buffer.from("hellp")), a);
  const v = await verificationHash([a, a]);
  assert.notDeepEqual(v, await verificationHash([a]));
});
