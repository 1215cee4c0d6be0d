import { askRunningNode } from './control-client.ts'

interface Verified {
  proof: { ok: boolean; failed?: string; checks: Array<{ check: string; ok: boolean; detail: string }> }
  meter: { ok: boolean; detail: string; tradeSlot: { gap: boolean; detail: string } }
  ledger: string
}

/**
 * `kvartal verify <trade-id> --config node.yaml`: proves one settled trade. A running node proves it
 * through its control API (its journal is locked while it runs); a stopped node's data directory is
 * read directly (node-command.ts).
 */
export async function verifyAction(positionals: readonly string[], o: { config?: string; json?: boolean }): Promise<number> {
  const id = positionals[0]
  if (o.config != null && positionals.length === 1 && /^[0-9a-f]{64}$/.test(id)) {
    const { loadNodeConfig } = await import('./node-config.ts')
    const { dataDir } = await loadNodeConfig(o.config)
    const v = (await askRunningNode(dataDir, 'GET', `/trades/${id}/verify`)) as Verified | undefined
    if (v != null) {
      // the same lines as from a stopped node's data directory (node-command.ts)
      const { proof: result, meter } = v
      if (o.json === true) process.stdout.write(JSON.stringify({ ...result, ok: result.ok && meter.ok, meter }, null, 2) + '\n')
      else {
        for (const ch of result.checks) process.stdout.write(`${ch.ok ? 'ok  ' : 'FAIL'}  ${ch.check.padEnd(16)} ${ch.detail}\n`)
        process.stdout.write(`${meter.ok ? 'ok  ' : 'FAIL'}  ${'meter-chain'.padEnd(16)} ${meter.detail}\n`)
        process.stdout.write(`${meter.tradeSlot.gap ? 'gap ' : 'ok  '}  ${'delivery'.padEnd(16)} ${meter.tradeSlot.detail}\n`)
        process.stdout.write(
          result.ok && meter.ok
            ? `trade ${id} verified against ${v.ledger}\n`
            : `trade ${id} NOT verified: ${result.failed ?? 'meter-chain'} failed\n`
        )
      }
      return result.ok && meter.ok ? 0 : 1
    }
  }
  // no node runs there (or the input is wrong: the offline command names what)
  return await (await import('./node-command.ts')).verifyCommand([
    ...positionals,
    ...(o.config != null ? ['--config', o.config] : []),
    ...(o.json === true ? ['--json'] : [])
  ])
}
