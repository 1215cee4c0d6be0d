/**
 * payAndAttest's choices, against a recording stand-in for the ledger (RecordingSettlement): attest alone when
 * nothing is paid, carry the root in the payment, pay without it when its key already names another
 * transaction, and attest alone when the receipt does not carry it. The combined transaction on the ledgers
 * themselves: pay-and-attest.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { ATTESTATION_EXISTS, SettlementError, payAndAttest, type PaymentReceipt } from '../src/index.ts'
import { RecordingSettlement } from './helpers/recording-settlement.ts'
import { rejected } from './helpers/parties.ts'

describe('payAndAttest', () => {
  const request = { key: 'p/pay/0xa', payer: '0xa', transfers: [{ to: '0xb', amount: 5 }] }
  const attest = { key: 'p/attest/0xa', root: 'ab'.repeat(32), leaves: 4 }

  it('nothing to pay: attests alone', async () => {
    const ledger = new RecordingSettlement()
    const r = await payAndAttest(ledger, undefined, attest)
    expect(ledger.calls).toEqual([{ method: 'attest', key: attest.key, root: attest.root, leaves: 4 }])
    expect(r).toEqual({ attestation: { ...attest, digest: 'attest-1', attester: 'self' } })
    expect('payment' in r).toBe(false)
  })

  it("a payment carries the root: one call, the receipt's attestation is the period's", async () => {
    const ledger = new RecordingSettlement()
    const signal = new AbortController().signal
    const r = await payAndAttest(ledger, request, attest, { signal })
    expect(ledger.calls).toEqual([{ method: 'pay', request: { ...request, attest }, signal }])
    expect(r.attestation).toEqual({ ...attest, digest: 'pay-1', attester: '0xa' })
    expect(r.payment?.attestation).toBe(r.attestation)
  })

  it(
    'the attestation key already names another transaction: pays ' + 'without the root, then attests alone (the earlier one stands)',
    async () => {
      const ledger = new RecordingSettlement()
      const signal = new AbortController().signal
      ledger.onPay = (req): PaymentReceipt => {
        if (req.attest != null) throw new SettlementError(ATTESTATION_EXISTS, 'taken')
        return { key: req.key, digest: 'plain', status: 'confirmed', payer: req.payer, transfers: req.transfers }
      }
      ledger.onAttest = (key, root, leaves) => ({ key, root, leaves, digest: 'earlier', attester: '0xa' })
      const r = await payAndAttest(ledger, request, attest, { signal })
      expect(ledger.calls).toEqual([
        { method: 'pay', request: { ...request, attest }, signal },
        { method: 'pay', request, signal },
        { method: 'attest', key: attest.key, root: attest.root, leaves: 4, signal }
      ])
      expect(r.payment?.digest).toBe('plain')
      expect(r.attestation.digest).toBe('earlier')
    }
  )

  it('any other refusal of the payment is thrown as is, and nothing else is asked', async () => {
    for (const refusal of [
      new SettlementError('insufficient-balance', 'poor'),
      new Error('no code'),
      Object.assign(new Error('a code of another kind'), { code: 42 })
    ]) {
      const ledger = new RecordingSettlement()
      ledger.onPay = () => {
        throw refusal
      }
      expect(await rejected(payAndAttest(ledger, request, attest))).toBe(refusal)
      expect(ledger.calls).toHaveLength(1)
    }
  })

  it("a receipt without the root, or with another key's, is not the attestation: the root is attested alone", async () => {
    for (const carried of [undefined, { key: 'p/attest/other', root: attest.root, leaves: 4, digest: 'x', attester: '0xa' }]) {
      const ledger = new RecordingSettlement()
      ledger.onPay = (req): PaymentReceipt => ({
        key: req.key,
        digest: 'x',
        status: 'confirmed',
        payer: req.payer,
        transfers: req.transfers,
        ...(carried != null ? { attestation: carried } : {})
      })
      const r = await payAndAttest(ledger, request, attest)
      expect(ledger.calls.map(c => c.method)).toEqual(['pay', 'attest'])
      expect(r.attestation).toEqual({ ...attest, digest: 'attest-2', attester: 'self' })
    }
  })
})
