import { LengthPrefixedDecoder } from '@libp2p/utils'

/**
 * Noise's frame decoder (`@chainsafe/libp2p-noise` 17 over `@libp2p/utils` 7.4's `LengthPrefixedDecoder`) reads
 * frames until its length decoder throws a RangeError for want of bytes: at the end of every chunk a connection
 * receives, a new RangeError with its stack. In `npm run bench`'s gossip figure (50 nodes, noise) that throw was
 * 6.4 % of all CPU, more than Ed25519 verification (4.0 %). Here an empty buffer, the common case, throws one
 * RangeError made once: the decoder catches it as before (`instanceof RangeError`, then waits for more bytes),
 * without a stack to capture. A partial prefix still goes to the library's own decoder. Installed once, on
 * import, for every decoder of the process.
 */
const NEED_BYTES = new RangeError('length prefix: no bytes buffered yet')
const wrapped = new WeakSet<object>()

interface DecoderFields {
  lengthDecoder: (data: { byteLength: number }) => number
}

const decode = LengthPrefixedDecoder.prototype.decode
LengthPrefixedDecoder.prototype.decode = function (this: LengthPrefixedDecoder, buf: Parameters<typeof decode>[0]) {
  if (!wrapped.has(this)) {
    const self = this as unknown as DecoderFields
    const inner = self.lengthDecoder
    self.lengthDecoder = data => {
      if (data.byteLength === 0) throw NEED_BYTES
      return inner(data)
    }
    wrapped.add(this)
  }
  return decode.call(this, buf)
}
