export {
  Channel,
  createChannel,
  openChannel,
  readChannel,
  type ReaderKey,
  type ReaderSecret,
  type ReadEntry,
  type ReadResult
} from './channel.ts'
export { verifyChain, channelTip, ChainProblem, type ChainCheck, type ChannelTip, type VerifyOptions } from './verify.ts'
export {
  encodeRecord,
  decodeRecord,
  recordHash,
  channelIdOf,
  RecordKind,
  type ChannelRecord,
  MAX_PAYLOAD_BYTES,
  MAX_READERS,
  MAX_BODY_BYTES,
  MAX_RECORD_BYTES,
  HEADER_BYTES,
  RECORD_VERSION
} from './record.ts'
export { x25519PublicOf, x25519SecretOf } from './control.ts'
export { ChannelError, OversizedChannelDataError, MalformedRecordError, ChannelChainError, ReaderError } from './errors.ts'
