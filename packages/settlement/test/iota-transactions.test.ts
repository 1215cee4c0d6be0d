import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { bcs } from '@iota/iota-sdk/bcs'
import { Ed25519Keypair } from '@iota/iota-sdk/keypairs/ed25519'
import { Transaction, TransactionDataBuilder } from '@iota/iota-sdk/transactions'
import { fromBase64, toBase58 } from '@iota/iota-sdk/utils'
import { verifyTransactionSignature } from '@iota/iota-sdk/verify'
import { blake2b } from '@noble/hashes/blake2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { iotaAddress, signerFromSeed } from '@kvartal/protocol'
import {
  IotaNotarizationPackages,
  attestationMetadata,
  buildAttestationTransaction,
  buildPaymentTransaction,
  decodeAttestationTransaction,
  decodePaymentTransaction,
  signTransaction,
  type GasSettings
} from '../src/iota/index.ts'

// Offline: every transaction here is built and signed without a full node (gas price, budget and coins given).
const seed = new Uint8Array(32).map((_, i) => i + 1)
const keypair = Ed25519Keypair.fromSecretKey(seed)
const sender = keypair.toIotaAddress()
const gas: GasSettings = {
  price: 1000,
  budget: 50_000_000,
  payment: [{ objectId: '0x' + '11'.repeat(32), version: '7', digest: toBase58(new Uint8Array(32).fill(5)) }]
}
const recipients = ['0x' + 'aa'.repeat(32), '0x' + 'bb'.repeat(32), '0x' + '0c'.repeat(32)]
const transfers = [
  { to: recipients[0], amount: 1 },
  { to: recipients[1], amount: 123_456_789 },
  { to: recipients[2], amount: 9_007_199_254_740_991 } // Number.MAX_SAFE_INTEGER: integers survive exactly
]

describe('iota identity', () => {
  it('the seed gives the same IOTA address in the SDK and in protocol: 0x + blake2b-256(public key)', () => {
    const publicKey = keypair.getPublicKey().toRawBytes()
    expect(publicKey).toEqual(signerFromSeed(seed).publicKey) // the same Ed25519 key as the node's libp2p identity
    expect(sender).toBe('0x' + bytesToHex(blake2b(publicKey, { dkLen: 32 })))
    expect(sender).toBe(iotaAddress(signerFromSeed(seed).publicKey))
    expect(keypair.getPublicKey().toIotaAddress()).toBe(sender)
  })
})

describe('payment transaction', () => {
  it('pays three recipients in one transaction, signed by the payer, and decodes back exactly', async () => {
    const signed = await signTransaction(buildPaymentTransaction(sender, transfers, gas), keypair)

    // the digest is known from the signed bytes alone, before anything is sent
    expect(signed.digest).toBe(TransactionDataBuilder.getDigestFromBytes(signed.bytes))
    expect(signed.digest).toMatch(/^[1-9A-HJ-NP-Za-km-z]{43,44}$/)

    // the SDK's own verifier accepts the signature and names our key
    const pk = await verifyTransactionSignature(signed.bytes, signed.signature)
    expect(pk.toRawBytes()).toEqual(keypair.getPublicKey().toRawBytes())
    expect(pk.toIotaAddress()).toBe(sender)
    // and refuses it over other bytes
    const other = await signTransaction(buildPaymentTransaction(sender, transfers.slice(0, 2), gas), keypair)
    await expect(verifyTransactionSignature(other.bytes, signed.signature)).rejects.toThrow()

    // decoded independently, from the SDK's Transaction and its BCS schema
    const data = Transaction.from(signed.bytes).getData()
    expect(data.sender).toBe(sender)
    expect(data.gasData.budget).toBe('50000000')
    expect(data.gasData.price).toBe('1000')
    expect(data.gasData.payment).toEqual(gas.payment)
    expect(data.commands.map(c => c.$kind)).toEqual(['SplitCoins', 'TransferObjects', 'TransferObjects', 'TransferObjects'])
    const split = data.commands[0].SplitCoins!
    expect(split.coin.$kind).toBe('GasCoin')
    const pureAt = (arg: unknown): Uint8Array => fromBase64(data.inputs[(arg as { Input: number }).Input].Pure!.bytes)
    expect(split.amounts.map(a => bcs.u64().parse(pureAt(a)))).toEqual(['1', '123456789', '9007199254740991'])
    data.commands.slice(1).forEach((c, i) => {
      expect(c.TransferObjects!.objects).toEqual([{ $kind: 'NestedResult', NestedResult: [0, i] }])
      expect(bcs.Address.parse(pureAt(c.TransferObjects!.address))).toBe(recipients[i])
    })
    const raw = bcs.TransactionData.parse(signed.bytes)
    expect(raw.V1.sender).toBe(sender)
    expect(raw.V1.gasData.budget).toBe('50000000')

    // and with our decoder
    expect(decodePaymentTransaction(signed.bytes)).toEqual({
      sender,
      transfers,
      gasBudget: 50_000_000,
      gasPrice: 1000,
      gasPayment: gas.payment
    })
  })

  it('builds the same bytes, digest and signature from the same inputs (Ed25519 is deterministic)', async () => {
    const a = await signTransaction(buildPaymentTransaction(sender, transfers, gas), keypair)
    const b = await signTransaction(buildPaymentTransaction(sender, transfers, gas), keypair)
    expect(b.bytes).toEqual(a.bytes)
    expect(b.digest).toBe(a.digest)
    expect(b.signature).toBe(a.signature)
  })
})

describe('attestation transaction', () => {
  // any sha256 stands in for a period's Merkle root here
  const root = createHash('sha256').update('a period of trades').digest('hex')
  const rootBytes = new Uint8Array(Buffer.from(root, 'hex'))
  const pkg = IotaNotarizationPackages.testnet.packageId

  it('anchors the 32-byte root as a locked IOTA notarization, signed by the attester', async () => {
    const signed = await signTransaction(
      buildAttestationTransaction(sender, pkg, { key: 'd1/2025-06-01T00', root: rootBytes, leaves: 3 }, gas),
      keypair
    )
    expect((await verifyTransactionSignature(signed.bytes, signed.signature)).toIotaAddress()).toBe(sender)

    const data = Transaction.from(signed.bytes).getData()
    expect(data.sender).toBe(sender)
    expect(data.gasData.budget).toBe('50000000')
    // the root is among the pure inputs, as a BCS vector<u8> of 32 bytes
    const pures = data.inputs.filter(i => i.Pure != null).map(i => fromBase64(i.Pure!.bytes))
    const vectors = pures.flatMap(p => {
      try {
        const v = bcs.vector(bcs.u8()).parse(p)
        return v.length === 32 && p.length === 33 ? [new Uint8Array(v)] : []
      } catch {
        return []
      }
    })
    expect(vectors).toContainEqual(rootBytes)
    // the same three Move calls @iota/notarization 0.1.15 builds for createLocked().withBytesState(...)
    expect(data.commands.map(c => (c.MoveCall != null ? `${c.MoveCall.module}::${c.MoveCall.function}` : c.$kind))).toEqual([
      'notarization::new_state_from_bytes',
      'timelock::none',
      'locked_notarization::create'
    ])
    for (const c of data.commands) expect(c.MoveCall!.package).toBe(pkg)
    const create = data.commands[2].MoveCall!
    expect(create.typeArguments).toEqual(['vector<u8>'])
    expect(create.arguments).toEqual([
      { $kind: 'Result', Result: 0 },
      { $kind: 'Input', Input: 3 },
      { $kind: 'Input', Input: 4 },
      { $kind: 'Result', Result: 1 },
      { $kind: 'Input', Input: 0 }
    ])
    // the clock, shared and read-only, named without asking a node
    expect(data.inputs[0].Object?.SharedObject).toEqual({
      objectId: '0x' + '0'.repeat(63) + '6',
      initialSharedVersion: '1',
      mutable: false
    })
    expect(bcs.option(bcs.string()).parse(fromBase64(data.inputs[2].Pure!.bytes))).toBe(attestationMetadata('d1/2025-06-01T00', 3))
    expect(bcs.option(bcs.string()).parse(fromBase64(data.inputs[3].Pure!.bytes))).toBe('Kvartal attestation d1/2025-06-01T00')
    expect(bcs.option(bcs.string()).parse(fromBase64(data.inputs[4].Pure!.bytes))).toBeNull()

    expect(decodeAttestationTransaction(signed.bytes)).toEqual({
      sender,
      packageId: pkg,
      root,
      key: 'd1/2025-06-01T00',
      leaves: 3,
      gasBudget: 50_000_000
    })
  })

  it('refuses a root that is not 32 bytes', () => {
    expect(() => buildAttestationTransaction(sender, pkg, { key: 'k', root: new Uint8Array(31), leaves: 1 }, gas)).toThrow(/32 bytes/)
  })
})

describe("payment that carries its period's attestation", () => {
  const root = createHash('sha256').update("the payer's period").digest('hex')
  const rootBytes = new Uint8Array(Buffer.from(root, 'hex'))
  const pkg = IotaNotarizationPackages.testnet.packageId
  const intent = { key: 'd1/0/attest/' + sender, root: rootBytes, leaves: 41 }

  it("is one programmable transaction: the transfers, then the root's three notarization calls", async () => {
    const signed = await signTransaction(buildPaymentTransaction(sender, transfers, gas, { packageId: pkg, intent }), keypair)
    expect((await verifyTransactionSignature(signed.bytes, signed.signature)).toIotaAddress()).toBe(sender)
    const data = Transaction.from(signed.bytes).getData()
    expect(data.commands.map(c => (c.MoveCall != null ? `${c.MoveCall.module}::${c.MoveCall.function}` : c.$kind))).toEqual([
      'SplitCoins',
      'TransferObjects',
      'TransferObjects',
      'TransferObjects',
      'notarization::new_state_from_bytes',
      'timelock::none',
      'locked_notarization::create'
    ])
    // the notarization touches no coin: its arguments are its own inputs, its own results and the clock
    for (const c of data.commands.slice(4)) {
      for (const a of c.MoveCall!.arguments) {
        if (a.$kind === 'Result') expect(a.Result).toBeGreaterThanOrEqual(4)
        expect(a.$kind).not.toBe('GasCoin')
        expect(a.$kind).not.toBe('NestedResult')
      }
    }
    // the root is a pure vector<u8> input of the payment itself
    const pures = data.inputs.filter(i => i.Pure != null).map(i => fromBase64(i.Pure!.bytes))
    expect(
      pures.flatMap(p => {
        try {
          const v = bcs.vector(bcs.u8()).parse(p)
          return v.length === 32 && p.length === 33 ? [new Uint8Array(v)] : []
        } catch {
          return []
        }
      })
    ).toContainEqual(rootBytes)

    // both decoders read it: the payment with the root it carries, and the attestation
    expect(decodePaymentTransaction(signed.bytes)).toEqual({
      sender,
      transfers,
      gasBudget: 50_000_000,
      gasPrice: 1000,
      gasPayment: gas.payment,
      attestation: { packageId: pkg, root, key: intent.key, leaves: 41 }
    })
    expect(decodeAttestationTransaction(signed.bytes)).toEqual({
      sender,
      packageId: pkg,
      root,
      key: intent.key,
      leaves: 41,
      gasBudget: 50_000_000
    })
    // a payment without one decodes without one
    expect(
      decodePaymentTransaction((await signTransaction(buildPaymentTransaction(sender, transfers, gas), keypair)).bytes)
    ).not.toHaveProperty('attestation')
  })

  it('is not read as a payment when anything else follows the transfers', async () => {
    const one = buildPaymentTransaction(sender, transfers, gas)
    one.moveCall({ target: `${pkg}::timelock::none` })
    // three calls, as many as an attestation has, but not its calls
    const three = buildPaymentTransaction(sender, transfers, gas)
    for (let i = 0; i < 3; i++) three.moveCall({ target: `${pkg}::timelock::none` })
    for (const tx of [one, three]) {
      const signed = await signTransaction(tx, keypair)
      expect(() => decodePaymentTransaction(signed.bytes)).toThrow(/not a payment transaction/)
    }
  })
})
