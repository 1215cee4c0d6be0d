import { generateKeyPairFromSeed, publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { iotaAddress, signerFromSeed, toHex, type Signer } from '@kvartal/protocol'
import type { PeerId, PrivateKey } from '@libp2p/interface'

/** One Ed25519 key, three faces: the libp2p PeerId, the wire trader id (and signer), the IOTA address. */
export interface NodeIdentity {
  readonly seed: Uint8Array
  readonly signer: Signer
  readonly privateKey: PrivateKey
  readonly peerId: PeerId
  /** hex of the 32-byte public key: the trader id in events and journals */
  readonly id: string
  readonly iotaAddress: string
}

export async function identityFromSeed(seed: Uint8Array): Promise<NodeIdentity> {
  const signer = signerFromSeed(seed)
  const privateKey = await generateKeyPairFromSeed('Ed25519', seed)
  const peerId = peerIdFromPublicKey(privateKey.publicKey)
  return { seed, signer, privateKey, peerId, id: toHex(signer.publicKey), iotaAddress: iotaAddress(signer.publicKey) }
}

/** The PeerId of a trader, from the public key it signs with. */
export function peerIdOfTrader(publicKey: Uint8Array): PeerId {
  return peerIdFromPublicKey(publicKeyFromRaw(publicKey))
}

/** The trader public key behind a PeerId, if it is an Ed25519 PeerId. */
export function traderOfPeer(peerId: PeerId): Uint8Array | undefined {
  if (peerId.type !== 'Ed25519' || peerId.publicKey == null) return undefined
  return peerId.publicKey.raw
}

/** The memory-transport address a simulated node listens on, derived from its identity. */
export function memoryListenAddress(identity: Pick<NodeIdentity, 'id'>): string {
  return `/memory/${identity.id.slice(0, 16)}`
}
